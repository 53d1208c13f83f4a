"""The permission matrix (api/permissions.py, issue 12 "who may write what"): every staff endpoint asks
it through one dependency, and each cell holds: a role the matrix allows gets past the check (to a
404, 422 or 200 of the endpoint itself), any other role gets 403 problem+json naming the roles needed.
Who may submit an application is the body's Decision (CERTFLOW_INTAKE_ROLES, reviewers by default)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi.routing import APIRoute

from api.app import create_app
from api.permissions import CERTIFICATE_ACTIONS, STAFF_ADMIN_ACTIONS, Action, permission_matrix
from certflow.settings import Settings
from schemas.staff import Role

PROBLEM = "application/problem+json"

# One request per action, as a caller would make it; none of them finds anything to act on, so an
# allowed caller gets the endpoint's own answer (200, 404 or 422) and nothing is started.
_ACTION_BODIES = {
    "suspend": {"cause": "other", "reason": "测试"}, "reinstate": {"reason": "测试"}, "withdraw": {"reason": "测试"},
    "reduce_scope": {"reason": "测试", "scope": "呼叫中心服务"}, "reissue": {"reason": "测试"},
    "special_audit": {"purpose": "complaint", "reason": "测试"},
    "notification": {"kind": "complaint", "received_on": "2026-11-02", "description": "投诉"},
}
PROBES: dict[Action, tuple[str, str, dict | None]] = {
    Action.SUBMIT_APPLICATION: ("POST", "/api/v1/applications", {"organization": {"name": "示例"}}),
    Action.READ_APPLICATION: ("GET", f"/api/v1/applications/{uuid.UUID(int=1)}", None),
    Action.LIST_APPLICATIONS: ("GET", "/api/v1/applications", None),
    Action.LIST_TASKS: ("GET", "/api/v1/tasks", None),
    Action.READ_TASK: ("GET", "/api/v1/tasks/certification-none/review/1", None),
    Action.COMPLETE_TASK: ("POST", "/api/v1/tasks/certification-none/review/1/complete", {"payload": {}}),
    Action.LIST_CERTIFICATES: ("GET", "/api/v1/certificates", None),
    Action.READ_CERTIFICATE: ("GET", "/api/v1/certificates/CCS-NONE", None),
    **{action: ("POST", f"/api/v1/certificates/CCS-NONE/{name}", _ACTION_BODIES[name])
       for name, action in CERTIFICATE_ACTIONS.items()},
    Action.READ_AUDIT: ("GET", "/api/v1/audits/audit-none", None),
    Action.REVISE_PROGRAMME: ("POST", "/api/v1/audits/audit-none/programme", {}),
    Action.READ_CNCA_REPORT: ("GET", "/api/v1/reports/cnca?month=2026-11", None),
    Action.READ_PROCESS: ("GET", "/api/v1/processes/certification-none", None),
    Action.READ_PROCESS_STATS: ("GET", "/api/v1/processes/stats", None),
    Action.LIST_INCIDENTS: ("GET", "/api/v1/incidents", None),
    Action.READ_INCIDENT: ("GET", "/api/v1/incidents/1", None),
    Action.RETRY_INCIDENT: ("POST", "/api/v1/incidents/1/retry", None),
    # Issue 13: a staff id no one holds, so an allowed caller gets 404 and no token changes.
    Action.READ_STAFF_TOKEN: ("GET", f"/api/v1/staff/{uuid.UUID(int=1)}/token", None),
    Action.REVOKE_STAFF_TOKEN: ("POST", f"/api/v1/staff/{uuid.UUID(int=1)}/revoke", None),
    Action.ROTATE_STAFF_TOKEN: ("POST", f"/api/v1/staff/{uuid.UUID(int=1)}/rotate", None),
    Action.DEACTIVATE_STAFF: ("POST", f"/api/v1/staff/{uuid.UUID(int=1)}/deactivate", None),
    Action.LIST_STAFF: ("GET", "/api/v1/staff", None),
    Action.DECLARE_CONFLICT: ("POST", f"/api/v1/staff/{uuid.UUID(int=1)}/conflicts",
                              {"credit_code": "91110000MA01ABCD2X", "reason": "测试", "declared_on": "2026-01-01"}),
    Action.END_CONFLICT: ("POST", f"/api/v1/staff/{uuid.UUID(int=1)}/conflicts/{uuid.UUID(int=2)}/end",
                          {"ended_on": "2026-01-01"}),
    Action.READ_CATALOGUE: ("GET", "/api/v1/catalogue", None),
    # Issue 18: another person's (nobody's) capacity and absences; one's own are tests/api/test_staff_capacity.py's.
    Action.READ_CAPACITY: ("GET", f"/api/v1/staff/{uuid.UUID(int=1)}/capacity", None),
    Action.CHANGE_CAPACITY: ("PUT", f"/api/v1/staff/{uuid.UUID(int=1)}/capacity", {"home_city": "上海"}),
    Action.LIST_ABSENCES: ("GET", f"/api/v1/staff/{uuid.UUID(int=1)}/absences", None),
    Action.RECORD_ABSENCE: ("POST", f"/api/v1/staff/{uuid.UUID(int=1)}/absences",
                            {"starts_on": "2027-01-04", "ends_on": "2027-01-05"}),
    Action.CANCEL_ABSENCE: ("POST", f"/api/v1/staff/{uuid.UUID(int=1)}/absences/{uuid.UUID(int=2)}/cancel", None),
    Action.READ_SCHEDULING: ("GET", "/api/v1/scheduling/forecast?months=1", None),
    Action.LIST_PROPOSALS: ("GET", "/api/v1/scheduling/proposals", None),
    Action.READ_PROPOSAL: ("GET", "/api/v1/scheduling/proposals/certification-x/programme/1", None),
    Action.REPLAN: ("POST", "/api/v1/scheduling/replan", {"reason": "a new auditor"}),
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def ask(http: httpx.AsyncClient, action: Action, token: str) -> httpx.Response:
    method, path, body = PROBES[action]
    return await http.request(method, path, json=body, headers=bearer(token))


def test_every_action_of_the_matrix_is_probed_here():
    assert set(PROBES) == set(Action) == set(permission_matrix((Role.REVIEWER,)))


def test_every_staff_endpoint_asks_the_matrix(app):
    """One dependency for every /api/v1 route (the certificate document is public, R-9.6.8)."""

    def checks(dependant) -> set[str]:
        names = {getattr(d.call, "__name__", "") for d in dependant.dependencies}
        return names.union(*(checks(d) for d in dependant.dependencies))

    def routes(container) -> list[APIRoute]:
        found = []
        for r in container.routes:
            inner = getattr(r, "original_router", None)  # a router included in the app
            found += routes(inner) if inner is not None else [r] if isinstance(r, APIRoute) else []
        return found

    staff_routes = [r for r in routes(app) if r.path.startswith("/api/v1") and not r.path.endswith("/document")]
    assert len(staff_routes) == len(PROBES)
    for route in staff_routes:
        assert any(name.startswith("permitted_") for name in checks(route.dependant)), route.path


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
async def test_each_role_is_allowed_or_refused_as_the_matrix_says(http, staff, action):
    allowed = permission_matrix((Role.REVIEWER,))[action]
    for role in Role:
        _, token = await staff(role)
        response = await ask(http, action, token)
        if role in allowed:
            assert response.status_code not in (401, 403), (role, action, response.text)
        else:
            assert response.status_code == 403, (role, action, response.text)
            assert response.headers["content-type"] == PROBLEM
            problem = response.json()
            assert problem["roles_needed"] == sorted(r.value for r in allowed)
            assert problem["action"] == action.value and sorted(allowed)[0].value in problem["detail"]


async def test_only_reviewers_submit_applications_by_default_R_9_1_2(http, staff):
    """Finding 2 of issue 12: a mystery shopper's token submitted an application."""
    for role in (Role.MYSTERY_SHOPPER, Role.AUDITOR, Role.DECISION_MAKER, Role.OPERATOR):
        _, token = await staff(role)
        refused = await ask(http, Action.SUBMIT_APPLICATION, token)
        assert refused.status_code == 403 and "reviewer" in refused.json()["detail"]
    _, token = await staff(Role.REVIEWER)
    assert (await ask(http, Action.SUBMIT_APPLICATION, token)).status_code == 422  # past the check: incomplete


async def test_the_intake_roles_are_the_bodys_decision(temporal_env, pool, staff):
    settings = Settings(_env_file=None, task_queue=f"api-{uuid.uuid4().hex[:8]}", database_url="postgresql://unused",
                        intake_roles=(Role.MANAGER, Role.OPERATOR))
    app = create_app(settings, pool=pool, temporal=temporal_env.client)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        _, reviewer = await staff(Role.REVIEWER)
        refused = await ask(http, Action.SUBMIT_APPLICATION, reviewer)
        assert refused.status_code == 403 and refused.json()["roles_needed"] == ["manager", "operator"]
        for role in (Role.MANAGER, Role.OPERATOR):
            _, token = await staff(role)
            assert (await ask(http, Action.SUBMIT_APPLICATION, token)).status_code == 422


async def test_who_administers_staff_tokens_is_the_bodys_decision(temporal_env, pool, staff):
    """Managers and operators by default (CERTFLOW_STAFF_ADMIN_ROLES); a body may keep it to managers."""
    assert permission_matrix((Role.REVIEWER,))[Action.ROTATE_STAFF_TOKEN] == {Role.MANAGER, Role.OPERATOR}
    settings = Settings(_env_file=None, task_queue=f"api-{uuid.uuid4().hex[:8]}", database_url="postgresql://unused",
                        staff_admin_roles=(Role.MANAGER,))
    app = create_app(settings, pool=pool, temporal=temporal_env.client)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        for action in STAFF_ADMIN_ACTIONS:
            _, operator = await staff(Role.OPERATOR)
            refused = await ask(http, action, operator)
            assert refused.status_code == 403 and refused.json()["roles_needed"] == ["manager"]
            _, manager = await staff(Role.MANAGER)
            assert (await ask(http, action, manager)).status_code == 404


def test_the_intake_roles_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("CERTFLOW_INTAKE_ROLES", '["reviewer", "manager"]')
    assert Settings(_env_file=None).intake_roles == (Role.REVIEWER, Role.MANAGER)
    monkeypatch.setenv("CERTFLOW_INTAKE_ROLES", "[]")
    with pytest.raises(ValueError, match="intake_roles"):  # nobody at all could apply
        Settings(_env_file=None)


async def test_the_staff_readers_are_the_bodys_decision(temporal_env, pool, staff):
    settings = Settings(_env_file=None, task_queue=f"api-{uuid.uuid4().hex[:8]}", database_url="postgresql://unused",
                        staff_readers=(Role.MANAGER,))
    app = create_app(settings, pool=pool, temporal=temporal_env.client)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        _, planner = await staff(Role.PROGRAMME_MANAGER)
        refused = await ask(http, Action.LIST_STAFF, planner)
        assert refused.status_code == 403 and refused.json()["roles_needed"] == ["manager"]
        _, manager = await staff(Role.MANAGER)
        assert (await ask(http, Action.LIST_STAFF, manager)).status_code == 200


def test_the_staff_readers_come_from_the_environment(monkeypatch):
    assert Settings(_env_file=None).staff_readers == (Role.PROGRAMME_MANAGER, Role.MANAGER, Role.OPERATOR)
    monkeypatch.setenv("CERTFLOW_STAFF_READERS", '["operator"]')
    assert Settings(_env_file=None).staff_readers == (Role.OPERATOR,)
