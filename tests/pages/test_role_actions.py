"""Issue 15: every role sees exactly the actions the permission matrix gives it, across the pages: the
link to a new application, each certificate action's form, the monthly report, the staff directory and
a person's token buttons, conflict forms, capacity and absences (issue 18), the incidents. (Completing a
task, changing an audit's programme and retrying an incident need a running process; tests/pages/test_task_pages.py,
test_reference_pages.py and test_incident_pages.py show those forms to exactly their people.)"""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from api.pages.session import SESSION_COOKIE
from api.permissions import CAPACITY_CHANGES, CAPACITY_READS, CERTIFICATE_ACTIONS, Action, permission_matrix
from schemas.conflicts import ConflictDeclaration
from schemas.scheduling import Absence
from schemas.staff import Role
from store.staff_capacity import record_absence
from store.staff_conflicts import declare_conflict
from tests.conftest import certificate_in_register

NUMBER = "CCS-ROLES-001"


def shown_on(pages: dict[str, str]) -> set[Action]:
    """The actions the pages offer, by what each draws for it."""
    offered = {
        Action.SUBMIT_APPLICATION: 'href="/app/applications/new"' in pages["applications"],
        Action.READ_CNCA_REPORT: 'action="/app/reports/cnca"' in pages["reports"],
        Action.LIST_INCIDENTS: 'href="/app/incidents"' in pages["inbox"],
        Action.LIST_STAFF: 'href="/app/staff"' in pages["inbox"],
        Action.READ_SCHEDULING: 'href="/app/planning"' in pages["inbox"],
        Action.REVOKE_STAFF_TOKEN: 'data-action="revoke"' in pages["person"],
        Action.ROTATE_STAFF_TOKEN: 'data-action="rotate"' in pages["person"],
        Action.DEACTIVATE_STAFF: 'data-action="deactivate"' in pages["person"],
        Action.DECLARE_CONFLICT: "登记一项利益冲突" in pages["person"],
        Action.END_CONFLICT: "结束此冲突" in pages["person"],
        Action.READ_CAPACITY: 'data-section="capacity"' in pages["person"],
        Action.CHANGE_CAPACITY: 'data-form="capacity"' in pages["person"],
        Action.LIST_ABSENCES: 'data-section="absences"' in pages["person"],
        Action.RECORD_ABSENCE: 'data-form="absence"' in pages["person"],
        Action.CANCEL_ABSENCE: 'data-action="cancel-absence"' in pages["person"],
        **{action: f'data-action="{name}"' in pages["certificate"] for name, action in CERTIFICATE_ACTIONS.items()},
    }
    return {action for action, drawn in offered.items() if drawn}


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
async def test_each_role_is_offered_exactly_what_the_matrix_gives_it(http, staff, pool, app, role):
    await certificate_in_register(pool, NUMBER, date(2026, 3, 2), date(2029, 3, 1), credit_code="91310000MA1RL0001X")
    colleague, _ = await staff(Role.AUDITOR)
    admin, _ = await staff(Role.MANAGER)
    declared = ConflictDeclaration(credit_code="91310000MA1RL0001X", organization_name="示例", reason="前雇主",
                                   declared_on=date(2026, 1, 5))
    await declare_conflict(pool, colleague.staff_id, declared, by=admin.name, today=date(2026, 1, 5))
    leave = Absence(id=uuid.uuid4(), staff_id=colleague.staff_id, starts_on=date(2030, 4, 1), ends_on=date(2030, 4, 5))
    await record_absence(pool, leave, by=admin.name)  # still to come: its Cancel is drawn for those who may
    _, token = await staff(role)
    http.cookies.set(SESSION_COOKIE, token)
    pages = {"inbox": "/app", "applications": "/app/applications", "reports": "/app/reports",
             "certificate": f"/app/certificates/{NUMBER}", "person": f"/app/staff/{colleague.staff_id}"}
    seen = {name: (await http.get(path)).text for name, path in pages.items()}
    settings = app.state.settings
    matrix = permission_matrix(settings.intake_roles, settings.staff_admin_roles, settings.staff_readers)
    checked = {Action.SUBMIT_APPLICATION, Action.READ_CNCA_REPORT, Action.LIST_INCIDENTS, Action.LIST_STAFF,
               Action.READ_SCHEDULING,
               Action.REVOKE_STAFF_TOKEN, Action.ROTATE_STAFF_TOKEN, Action.DEACTIVATE_STAFF,
               Action.DECLARE_CONFLICT, Action.END_CONFLICT, *CERTIFICATE_ACTIONS.values(),
               *CAPACITY_CHANGES, *CAPACITY_READS}
    given = {action for action in checked if role in matrix[action]}
    assert shown_on(seen) == given
