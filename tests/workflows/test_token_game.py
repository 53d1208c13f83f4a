"""Two engines, one path (certflow/token_game.py): SpiffWorkflow replays a run's trace on the BPMN model
and must open the same user tasks in the same order and reach the same end. Every journey's traces are
played when it ends (tests/workflows/conftest.py); here, that the game tells a difference: a branch
removed from a model, or a step the code takes that the model does not allow (R-9.6.7: nothing follows
a withdrawal; R-9.6.3: a reinstatement ends the suspension)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from certflow.conformance import check_trace
from certflow.token_game import play
from schemas.tasking import ElementVisit
from workflows.model import MODEL_OF, ProcessModel

CERTIFICATION, AUDIT = MODEL_OF["CertificationWorkflow"], MODEL_OF["AuditWorkflow"]
DAY0 = datetime(2026, 3, 2, 1, tzinfo=UTC)


def visits(*steps: str | tuple[str, int] | tuple[str, int, int | None]) -> list[ElementVisit]:
    """A trace: element ids with the day they were entered (default: the day before's) and how many
    days they stayed (None: still there); each a minute after the one before."""
    found, day = [], 0
    for i, step in enumerate(steps):
        element, day, stay = (step, day, 0) if isinstance(step, str) else (*step, 0)[:3]  # type: ignore[misc]
        entered = DAY0 + timedelta(days=day, minutes=i)
        left = None if stay is None else entered + timedelta(days=stay, seconds=30)
        found.append(ElementVisit(element_id=element, entered_at=entered, left_at=left,
                                  outcome=None if stay is None else "completed"))
    return found


def without(model: ProcessModel, flow: str) -> ProcessModel:
    """The model with one branch taken out."""
    assert any(f.id == flow for f in model.flows), flow
    return replace(model, elements=list(model.elements), flows=[f for f in model.flows if f.id != flow])


GRANT = ("application_submitted", "record_application", "application_review", "review_conclusion", "contract",
         ("programme", 1), ("initial_audit", 2, 20), ("materials_review", 22), "materials_accepted",
         "certification_decision", "decision_outcome", ("more_information", 23), ("certification_decision", 24),
         "decision_outcome", "grant_certificate", "granted", "certificate_life")
SURVEILLANCE = (("surveillance_preparation", 300), "surveillance_changes", ("surveillance_programme", 301),
                ("surveillance_review", 302), ("surveillance_audit", 303, 5), ("surveillance_decision", 308),
                "surveillance_outcome", "certificate_maintained", "overdue_lifted")
AUDIT_TRACE = ("audit_started", "record_audit", "stage1_needed", ("stage1", 0, 3), ("stage1_ready", 3),
               "visits_and_plan", ("onsite_plan", 3, 1), "plan_to_auditee", ("mystery_shopper_report", 3, 2),
               ("mystery_shopper_report", 3, 4), ("visits_and_plan_done", 7), ("onsite_audit", 10),
               "record_onsite_results", "open_nonconformities", ("audit_report", 11), "conclude_audit",
               "report_to_auditee", "concluded")


def test_the_engine_takes_the_path_the_code_took():
    granted = visits(*GRANT)
    assert check_trace(CERTIFICATION, [v.element_id for v in granted]) == []
    assert play(CERTIFICATION, granted) == []
    assert play(AUDIT, visits(*AUDIT_TRACE)) == []  # two visits: two instances of the report (multi-instance)


def test_a_branch_removed_from_the_model_is_a_difference():
    granted = visits(*GRANT)
    found = play(without(CERTIFICATION, "flow_decision_outcome__more_information"), granted)
    assert found and "the code opened more_information" in found[0], found
    audit = visits(*AUDIT_TRACE)
    assert play(without(AUDIT, "flow_open_nonconformities__audit_report_merge"), audit) != []
    rejected = visits("application_submitted", "record_application", "application_review", "review_conclusion",
                      "application_rejected", "rejected")  # R-9.1.2.8
    assert play(CERTIFICATION, rejected) == []
    found = play(without(CERTIFICATION, "flow_review_conclusion__application_rejected"), rejected)
    assert "the code passed rejected 1×, the engine 0×" in found
    assert "the code ended at rejected; the engine has not" in found


def test_the_engine_ends_where_the_code_ended_and_not_elsewhere():
    # the withdrawal during a special audit ends the cycle: the engine ends with the code.
    withdrawn = visits(*GRANT, *SURVEILLANCE, ("act_received", 320), "action", ("special_programme", 320, 1),
                       ("special_audit", 321, 3), ("special_decision", 325), "special_outcome", "withdrawn")
    assert check_trace(CERTIFICATION, [v.element_id for v in withdrawn]) == []
    assert play(CERTIFICATION, withdrawn) == []
    # Code that went on after the withdrawal: every step is reachable in the diagram (the path check passes),
    # but the engine has ended.
    went_on = withdrawn + visits(("surveillance_preparation", 600), ("surveillance_changes", 600, None))
    assert check_trace(CERTIFICATION, [v.element_id for v in went_on]) == []
    found = play(CERTIFICATION, went_on)
    assert found and "the code opened surveillance_changes" in found[0] and "open nothing" in found[0], found


def test_a_reinstatement_cancels_the_suspensions_end_timer_R_9_6_3():
    suspended = (*GRANT, ("act_received", 100), "action", "suspended")
    reinstated = visits(*suspended, ("act_received", 120), "action", "reinstated", "action_done")
    assert play(CERTIFICATION, reinstated) == []
    # Code that opened the suspension's outcome after the reinstatement: the engine cancelled its timer.
    late = reinstated + visits(("suspension_end", 270), ("suspension_outcome", 270, None))
    assert check_trace(CERTIFICATION, [v.element_id for v in late]) == []
    found = play(CERTIFICATION, late)
    assert found and "the code opened suspension_outcome" in found[0], found
    # Not reinstated, the timer fires and the engine opens the task with the code.
    assert play(CERTIFICATION, visits(*suspended, ("suspension_end", 270), ("suspension_outcome", 270, None))) == []


def test_a_run_that_continued_as_new_starts_at_the_next_cycle():
    renewed = visits("certificate_life", ("recertification_invitation", 900), "recertification_application",
                     ("recertification_applies", 901), "recertification_programme", ("recertification_audit", 902, 5),
                     ("recertification_decision", 908), "recertification_outcome", "renew_certificate", "renewed")
    assert play(CERTIFICATION, renewed) == []
    assert play(CERTIFICATION, renewed[:-1]) != []  # the code did not end the cycle; the engine did


async def test_a_journeys_own_trace_against_a_model_without_its_branch_R_9_1_9(journey):
    """A real run (the grant, R-9.1.9): its traces are what the engine does on the models, and not on a model
    from which the branch it took is gone."""
    p = journey.people
    await journey.start()
    today = await journey.to_programme()
    await journey.complete("programme", p.programme_manager, journey.programme(today))
    await journey.stage("audit")
    await journey.through_audit()
    await journey.complete("certification_decision", p.decision_maker, {"outcome": "grant", "star_level": "five_star"})
    await journey.stage("granted")
    certification = await journey.handle.query("elements", result_type=list[ElementVisit])
    audit = await journey.audit().query("elements", result_type=list[ElementVisit])
    assert [v.element_id for v in certification][-3:] == ["grant_certificate", "granted", "certificate_life"]
    assert play(CERTIFICATION, certification) == [] and play(AUDIT, audit) == []
    found = play(without(CERTIFICATION, "flow_decision_outcome__grant_certificate"), certification)
    assert any("the code passed grant_certificate 1×, the engine 0×" in f for f in found), found
    found = play(without(AUDIT, "flow_visits_and_plan__onsite_plan"), audit)  # no plan before the on-site audit
    assert found and "the code opened onsite_plan" in found[0], found
