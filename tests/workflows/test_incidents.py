"""Incidents, not silent retry loops (issue 12, DESIGN.md "Failures"): a step whose activity fails for good
waits for an operator, visible at GET /api/v1/incidents, on the process view and in the Temporal UI's
details; once the cause is fixed, POST /api/v1/incidents/{id}/retry runs it again and the process
carries on. The failures are real: an SMTP server that refuses, a register that refuses a write."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from temporalio.api.sdk.v1 import WorkflowMetadata

from api.app import create_app
from certflow.settings import Settings
from rules.policy import ProcessPolicy, SchemePolicy
from schemas.incidents import Incident, IncidentWait
from schemas.staff import Role
from store.staff import add_staff
from workflows.contracts import ProcessStatus

PROBLEM = "application/problem+json"


@asynccontextmanager
async def api(journey) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(_env_file=None, task_queue=journey.queue, database_url="postgresql://unused"),
                     pool=journey.pool, temporal=journey.env.client)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield http


async def operator(pool) -> tuple[str, dict]:
    person, token = await add_staff(pool, "钱运维", [Role.OPERATOR], email="ops@body.example")
    return person.name, {"Authorization": f"Bearer {token}"}


async def incident(journey, activity: str, state: str = "open") -> Incident:
    """Wait (an Update: no sleeping) until the process has an incident of ``activity`` in ``state`` that
    the register has too."""
    return await journey.handle.execute_update("wait_for_incident", IncidentWait(activity=activity, state=state),
                                               result_type=Incident)


async def details(handle) -> str:
    return (await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)).current_details


async def refuse_events(pool, kind: str) -> None:
    """The register refuses one kind of event, for real (a trigger), counting each refusal in a sequence
    (a sequence is not rolled back with the refused write)."""
    await pool.execute(f"""
        CREATE SEQUENCE refusals;
        CREATE FUNCTION refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM nextval('refusals');
            RAISE EXCEPTION 'the register refuses % for now', NEW.kind;
        END $$;
        CREATE TRIGGER refuse_event BEFORE INSERT ON events FOR EACH ROW WHEN (NEW.kind = '{kind}')
            EXECUTE FUNCTION refuse_event();""")


async def refusals(pool) -> int:
    return await pool.fetchval("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM refusals")


async def test_a_mail_refused_for_good_is_an_incident_an_operator_retries_and_the_process_goes_on(journey, pool, smtp):
    """550 is permanent: no retry loop, an incident at once, beside the process (its review goes on)."""
    smtp.reply = "550 5.1.1 mailbox unavailable"
    journey.process_pages = "http://certflow.example:8000"
    await journey.start()
    raised = await incident(journey, "deliver_mail")
    await journey.task("application_review")  # the delivery is beside the process: it is not held up
    name, ops = await operator(pool)
    async with api(journey) as http:
        [listed] = (await http.get("/api/v1/incidents", headers=ops)).json()
        assert listed["key"] == raised.key and listed["workflow_id"] == journey.workflow_id
        assert (listed["activity"], listed["step"], listed["state"]) == ("deliver_mail", "邮件：application_received",
                                                                         "open")
        assert listed["error_type"] == "MailRefused" and "550" in listed["error"]
        assert listed["reason"].startswith("refused") and listed["element_id"] == "record_application"
        row = await pool.fetchrow("SELECT status, attempts, last_error FROM outbox")
        assert (row["status"], row["attempts"]) == ("failed", 1) and "550" in row["last_error"]  # one try, no loop
        shown = await details(journey.handle)
        assert shown.startswith("INCIDENT: 邮件：application_received at record_application — MailRefused: ")
        assert f"POST /api/v1/incidents/{listed['id']}/retry" in shown and "等待「申请评审」" in shown
        view = (await http.get(f"/api/v1/processes/{journey.workflow_id}", headers=ops)).json()
        assert [(i["id"], i["state"], i["error_type"]) for i in view["incidents"]] == [
            (listed["id"], "open", "MailRefused")]

        smtp.reply = "250 OK"  # the cause is fixed
        retried = await http.post(f"/api/v1/incidents/{listed['id']}/retry", headers=ops)
        assert retried.status_code == 200 and retried.json()["state"] == "retrying"
        resolved = await incident(journey, "deliver_mail", "resolved")
        assert resolved.retries == 1 and resolved.retried_by == name and resolved.resolved_at is not None
        [mail] = smtp.messages
        assert mail["Subject"].startswith("认证申请已收到")
        row = await pool.fetchrow("SELECT status, attempts, last_error FROM outbox")
        assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 2, None)
        assert (await http.get("/api/v1/incidents", headers=ops)).json() == []  # nothing left to look at
        [kept] = (await http.get("/api/v1/incidents", params={"all": True}, headers=ops)).json()
        assert kept["state"] == "resolved" and kept["retried_by"] == name
        again = await http.post(f"/api/v1/incidents/{listed['id']}/retry", headers=ops)
        assert again.status_code == 409 and again.headers["content-type"] == PROBLEM
        assert not (await details(journey.handle)).startswith("INCIDENT")

    await journey.complete("application_review", journey.people.reviewer,
                           journey.review("reject", "不属于认证范围"))
    assert await journey.handle.result() == "rejected"


async def test_a_refused_register_write_holds_the_step_until_an_operator_retries(journey, pool):
    """A write the register keeps refusing (a transient fault for all Temporal knows) is retried up to the
    bound (CERTFLOW_SCHEME__PROCESS__INCIDENT_AFTER_ATTEMPTS), then waits; a retry that fails again
    reopens the incident; once the register takes it, the process carries on from that step."""
    await refuse_events(pool, "application.under_review")
    policy = SchemePolicy(process=ProcessPolicy(incident_after_attempts=3))
    await journey.start(policy=policy)
    await journey.env.sleep(timedelta(minutes=1))  # the retries' backoff passes
    raised = await incident(journey, "set_application_status")
    assert await refusals(pool) == 3
    assert "the register refuses application.under_review" in raised.error and raised.reason == "failed 3 attempts"
    status = await journey.handle.query("status", result_type=ProcessStatus)
    assert status.open_tasks == [] and status.summary.startswith("INCIDENT: 申请状态：under_review")
    _name, ops = await operator(pool)
    async with api(journey) as http:
        [listed] = (await http.get("/api/v1/incidents", params={"workflow_id": journey.workflow_id},
                                   headers=ops)).json()
        assert (await http.post(f"/api/v1/incidents/{listed['id']}/retry", headers=ops)).status_code == 200
        await journey.env.sleep(timedelta(minutes=1))
        reopened = await incident(journey, "set_application_status")  # still refused: open again
        assert reopened.retries == 1 and await refusals(pool) == 6

        await pool.execute("DROP TRIGGER refuse_event ON events")  # the cause is fixed
        assert (await http.post(f"/api/v1/incidents/{listed['id']}/retry", headers=ops)).status_code == 200
        await journey.task("application_review")  # the process carried on from the failed step
        resolved = await incident(journey, "set_application_status", "resolved")
        assert resolved.retries == 2 and resolved.key == raised.key
        assert await pool.fetchval("SELECT count(*) FROM events WHERE kind = 'application.under_review'") == 1


async def test_a_transient_fault_that_clears_before_the_bound_raises_no_incident(journey, pool):
    await refuse_events(pool, "application.under_review")
    await journey.start()  # the default bound: 10 attempts or 60 minutes
    await journey.env.sleep(timedelta(seconds=20))  # attempts 1 s, 2 s, 4 s, 8 s apart
    failed = await refusals(pool)
    assert 2 <= failed < 10
    await pool.execute("DROP TRIGGER refuse_event ON events")
    await journey.env.sleep(timedelta(minutes=2))  # the next attempt goes through
    await journey.task("application_review")
    assert await journey.handle.query("incidents", result_type=list[Incident]) == []
    assert await pool.fetchval("SELECT count(*) FROM incidents") == 0


async def test_only_operators_and_managers_see_and_retry_incidents(journey, pool, smtp):
    smtp.reply = "550 5.7.1 relaying denied"
    await journey.start()
    raised = await incident(journey, "deliver_mail")
    reviewer = {"Authorization": f"Bearer {journey.people.tokens['reviewer']}"}
    manager = {"Authorization": f"Bearer {journey.people.tokens['manager']}"}
    async with api(journey) as http:
        [listed] = (await http.get("/api/v1/incidents", headers=manager)).json()
        assert listed["key"] == raised.key
        for answer in (await http.get("/api/v1/incidents", headers=reviewer),
                       await http.post(f"/api/v1/incidents/{listed['id']}/retry", headers=reviewer)):
            assert answer.status_code == 403 and answer.headers["content-type"] == PROBLEM
        assert (await http.get("/api/v1/incidents")).status_code == 401
        missing = await http.post("/api/v1/incidents/999999/retry", headers=manager)
        assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
        assert (await http.get("/api/v1/incidents", params={"state": "bogus"}, headers=manager)).status_code == 422
        # The process's own guard: the Update's validator refuses a caller without the role.
        from temporalio.client import WorkflowUpdateFailedError

        from schemas.incidents import IncidentRetry

        try:
            await journey.handle.execute_update("retry_incident", IncidentRetry(key=raised.key,
                                                                                actor=journey.people.reviewer))
            raise AssertionError("a reviewer retried an incident")
        except WorkflowUpdateFailedError as refused:
            assert refused.cause.type == "NotAssigned"
        smtp.reply = "250 OK"
        assert (await http.post(f"/api/v1/incidents/{listed['id']}/retry", headers=manager)).status_code == 200
    await incident(journey, "deliver_mail", "resolved")


async def test_a_non_retryable_failure_is_an_incident_at_once_and_the_step_runs_again_once_fixed(
        own_temporal_env, pool, people, journey_type, smtp, tmp_path):
    """The body's own notice template asks for a value the process does not give: ``send_notice`` refuses
    (non-retryable MailTemplateError). Before incidents this failed the whole certification."""
    import uuid

    from activities.templates import MailTemplates
    from workers.main import build_worker

    broken = tmp_path / "application_received.txt.j2"
    broken.write_text("{% set subject %}收到{% endset %}{{ no_such_value }}\n", encoding="utf-8")
    queue = f"incidents-{uuid.uuid4().hex[:8]}"
    async with build_worker(own_temporal_env.client, pool, queue, smtp.mail, templates=MailTemplates(tmp_path)):
        journey = journey_type(own_temporal_env, pool, queue, people)
        try:
            await journey.start()
            raised = await incident(journey, "send_notice")
            assert (raised.error_type, raised.step) == ("MailTemplateError", "通知：application_received")
            assert "no_such_value" in raised.error and raised.reason.startswith("refused")
            assert (await journey.handle.query("status", result_type=ProcessStatus)).open_tasks == []  # it holds
            _, ops = await operator(pool)
            async with api(journey) as http:
                [listed] = (await http.get("/api/v1/incidents", headers=ops)).json()
                broken.unlink()  # the body puts its template right (here: back to the shipped one)
                assert (await http.post(f"/api/v1/incidents/{listed['id']}/retry", headers=ops)).status_code == 200
            await journey.task("application_review")  # carried on from the notice
            await incident(journey, "send_notice", "resolved")
            [mail] = await smtp.wait_for(1)
            assert mail["Subject"].startswith("认证申请已收到")
        finally:
            await journey.stop()


async def test_an_incident_the_register_cannot_take_yet_is_shown_by_the_process_and_recorded_later(journey, pool,
                                                                                                   smtp):
    """The register's copy is written beside the process and retried: with the database refusing it (an
    outage, here a trigger), the process still shows the incident; once the database is back it is listed."""
    await pool.execute("""
        CREATE FUNCTION refuse_incident() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the register is away'; END $$;
        CREATE TRIGGER refuse_incident BEFORE INSERT ON incidents FOR EACH ROW EXECUTE FUNCTION refuse_incident();""")
    smtp.reply = "550 5.1.1 mailbox unavailable"
    await journey.start()
    raised = await journey.handle.execute_update(
        "wait_for_incident", IncidentWait(activity="deliver_mail", recorded=False), result_type=Incident)
    shown = await details(journey.handle)
    assert shown.startswith("INCIDENT: 邮件：application_received") and "GET /api/v1/incidents" in shown
    _, ops = await operator(pool)
    async with api(journey) as http:
        assert (await http.get("/api/v1/incidents", headers=ops)).json() == []  # not in the register yet
        view = (await http.get(f"/api/v1/processes/{journey.workflow_id}", headers=ops)).json()
        assert [(i["key"], i["id"]) for i in view["incidents"]] == [(raised.key, None)]  # the process says so

        await pool.execute("DROP TRIGGER refuse_incident ON incidents")  # the database is back
        await journey.env.sleep(timedelta(minutes=10))  # the recording's backoff passes
        await incident(journey, "deliver_mail")
        [listed] = (await http.get("/api/v1/incidents", headers=ops)).json()
        assert listed["key"] == raised.key
        assert f"POST /api/v1/incidents/{listed['id']}/retry" in await details(journey.handle)
        smtp.reply = "250 OK"
        assert (await http.post(f"/api/v1/incidents/{listed['id']}/retry", headers=ops)).status_code == 200
    await incident(journey, "deliver_mail", "resolved")


async def test_a_mail_server_that_keeps_saying_try_later_becomes_an_incident_at_the_bound(journey, pool, smtp):
    """451 is transient: retried with the mail's backoff, and an incident once the attempts are used up."""
    smtp.reply = "451 4.3.0 mailbox busy, try later"
    await journey.start(policy=SchemePolicy(process=ProcessPolicy(incident_after_attempts=3)))
    await journey.env.sleep(timedelta(minutes=2))  # 10 s, then 20 s apart
    raised = await incident(journey, "deliver_mail")
    assert (raised.error_type, raised.reason) == ("MailNotSent", "failed 3 attempts") and "451" in raised.error
    row = await pool.fetchrow("SELECT status, attempts FROM outbox")
    assert (row["status"], row["attempts"]) == ("failed", 3) and smtp.refusals == 3


async def test_a_step_failing_past_the_time_bound_becomes_an_incident(journey, pool):
    """The bound in time (CERTFLOW_SCHEME__PROCESS__INCIDENT_AFTER_MINUTES), here alone."""
    await refuse_events(pool, "application.under_review")
    await journey.start(policy=SchemePolicy(process=ProcessPolicy(incident_after_attempts=0, incident_after_minutes=2)))
    await journey.env.sleep(timedelta(minutes=5))
    raised = await incident(journey, "set_application_status")
    assert raised.reason == "still failing after 2 min of retries"
    assert "the register refuses application.under_review" in raised.error  # the last failure, not just "timeout"
    assert await refusals(pool) >= 5  # 1 s, 2 s, 4 s, ... apart within the 2 minutes
