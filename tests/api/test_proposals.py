"""Issue 18 through the API: the proposals in force for open programme tasks, every version of one, a
programme manager's "plan again", and the proposal on the task it belongs to (R-9.1.3, R-9.1.4)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from activities.scheduling import ReplanDone
from api.tasks import today as body_today
from certflow.settings import Settings
from schemas.audits import AuditKind
from schemas.scheduling import AuditDemand, SiteDemand, Unplaced
from schemas.staff import Role
from store import audit_proposals
from workers.main import ensure_audit_planning
from workflows.audit_planning import AUDIT_PLANNING_WORKFLOW_ID


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _open_programme_task(pool, today: date) -> AuditDemand:
    """An open programme task in the inbox, and the planner's first word on it: not placed yet."""
    task_id = f"certification-{uuid.uuid4()}/programme/1"
    await pool.execute(
        "INSERT INTO tasks (id, workflow_id, kind, role, title, opened_at, context) "
        "VALUES ($1, $2, 'programme', 'programme_manager', 'certification programme', $3, $4)",
        task_id, task_id.split("/")[0], datetime.now(UTC), {"schedule_key": task_id, "minimum_person_days": "3"})
    demand = AuditDemand(key=task_id, workflow_id=task_id.split("/")[0], kind=AuditKind.INITIAL,
                         credit_code="91110000MA01ABCD2X", city="上海", sites=[SiteDemand(name="总部", city="上海")],
                         earliest=today, latest=today + timedelta(days=60), person_days=Decimal("3"), stage1=True)
    await audit_proposals.add_version(pool, demand, task_id=task_id, made_by="test", planned_on=today,
                                      unplaced=Unplaced(key=task_id, rule_id="R-7.team", resource="auditors",
                                                        reason="nobody was free"))
    return demand


async def test_who_may_see_proposals_and_ask_for_a_re_plan(http, staff) -> None:
    _, auditor = await staff(Role.AUDITOR)
    _, manager = await staff(Role.PROGRAMME_MANAGER)
    refused = await http.get("/api/v1/scheduling/proposals", headers=bearer(auditor))
    assert refused.status_code == 403 and "scheduling.proposals" in refused.json()["detail"]
    assert (await http.post("/api/v1/scheduling/replan", headers=bearer(auditor),
                            json={"reason": "x"})).status_code == 403
    listed = await http.get("/api/v1/scheduling/proposals", headers=bearer(manager))
    assert listed.status_code == 200 and listed.json() == []
    assert (await http.get("/api/v1/scheduling/proposals/no/such", headers=bearer(manager))).status_code == 404
    assert (await http.post("/api/v1/scheduling/replan", headers=bearer(manager),
                            json={"reason": ""})).status_code == 422
    # No planner's process on this server (the worker starts it): 503 with Retry-After, nothing lost.
    busy = await http.post("/api/v1/scheduling/replan", headers=bearer(manager), json={"reason": "new staff"})
    assert busy.status_code == 503 and busy.headers["Retry-After"]


async def test_a_re_plan_adds_a_version_and_the_task_shows_it(stack, staff) -> None:
    http, pool, env = stack["http"], stack["pool"], stack["env"]
    today = (await env.get_current_time()).date()
    _, manager = await staff(Role.PROGRAMME_MANAGER)
    for _ in range(2):  # now there are auditors for a team (3 person-days with stage 1: two for two days)
        await staff(Role.AUDITOR, qualified=True)
    await staff(Role.MYSTERY_SHOPPER)
    demand = await _open_programme_task(pool, today)

    shown = (await http.get(f"/api/v1/tasks/{demand.key}", headers=bearer(manager))).json()["schedule"]
    assert shown["unplaced"]["rule_id"] == "R-7.team" and shown["programme"] is None

    settings = Settings(_env_file=None, task_queue=stack["queue"], database_url="postgresql://unused")
    await ensure_audit_planning(env.client, stack["queue"], settings)
    planner = env.client.get_workflow_handle(AUDIT_PLANNING_WORKFLOW_ID)
    try:
        asked = await http.post("/api/v1/scheduling/replan", headers=bearer(manager),
                                json={"reason": "an auditor joined", "keys": [demand.key]})
        assert asked.status_code == 202, asked.text
        done = await planner.execute_update("wait_for_replans", 1, result_type=ReplanDone)
        assert done is not None and done.replanned == [demand.key] and done.unplaced == []
    finally:
        await planner.terminate("test finished")

    versions = (await http.get(f"/api/v1/scheduling/proposals/{demand.key}", headers=bearer(manager))).json()
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["unplaced"]["rule_id"] == "R-7.team"  # the first version is kept as it was
    assert "an auditor joined" in versions[1]["reason"]
    shown = (await http.get(f"/api/v1/tasks/{demand.key}", headers=bearer(manager))).json()["schedule"]
    assert shown["version"] == 2 and shown["unplaced"] is None
    programme = shown["programme"]
    assert sorted(m["role"] for m in programme["team"]) == ["auditor", "leader"]  # R-7.team
    assert programme["stage1_on"] < programme["onsite_start"]
    assert [v["site"] for v in programme["visits"]] == ["总部"]
    listed = (await http.get("/api/v1/scheduling/proposals", headers=bearer(manager))).json()
    assert [p["key"] for p in listed] == [demand.key]


async def test_the_plan_of_the_coming_months_is_listed_apart(app, http, staff, pool) -> None:
    _, manager = await staff(Role.PROGRAMME_MANAGER)
    today = date(2026, 3, 2)
    due = AuditDemand(key="certification-x/surveillance/2026-06-01", workflow_id="certification-x",
                      kind=AuditKind.SURVEILLANCE, earliest=today, latest=date(2026, 5, 11), window_rule="R-9.2.1",
                      person_days=Decimal("2.5"))
    await audit_proposals.add_version(pool, due, task_id=None, made_by="plan/1", planned_on=today,
                                      unplaced=Unplaced(key=due.key, rule_id="R-7.auditor", resource="auditors",
                                                        reason="no auditor holds both proofs"))
    gone = due.model_copy(update={"key": "certification-y/surveillance/2026-01-01", "latest": date(2026, 1, 1)})
    await audit_proposals.add_version(pool, gone, task_id=None, made_by="plan/1", planned_on=today,
                                      unplaced=Unplaced(key=gone.key, rule_id="R-9.1.6", resource="window",
                                                        reason="closed"))
    app.dependency_overrides[body_today] = lambda: today
    upcoming = (await http.get("/api/v1/scheduling/proposals?upcoming=true", headers=bearer(manager))).json()
    assert [p["key"] for p in upcoming] == [due.key]  # a window already closed is no longer upcoming
    assert (await http.get("/api/v1/scheduling/proposals", headers=bearer(manager))).json() == []  # no open task
