"""Who may do what through the staff API: one matrix of role × action, used by every endpoint.

Each staff endpoint names its action and depends on :func:`permitted`, so who may call it is read
here and nowhere else. The certificate actions' roles are the ones the certificate's process itself
checks (``schemas.actions.ACTION_ROLES``), so the API and the process cannot disagree. Completing a
task is open to every role here because the task itself names its role or assignee, and the task's
process refuses anyone else with the qualification rules of R-7.

**Decision** (issue 12): who may submit an application is the body's choice, ``intake_roles`` in the
settings (``CERTFLOW_INTAKE_ROLES``), reviewers by default: the people who review applications
(R-9.1.2) are the ones who take them in. Nobody else's token may start a certification, and an
application never changes what a certificate says (the certificate's versions, migration 0005).

**Decision** (issue 13): who may see staff tokens' state, revoke and rotate them and deactivate staff
is ``staff_admin_roles`` (``CERTFLOW_STAFF_ADMIN_ROLES``), managers and operators by default: managers
answer for the body's people (who joins, who leaves), operators for the running system, and a leaked
token must be stopped by whoever is on duty. ``certflow staff`` on the server does the same for anyone
with access to the register.

**Decision** (issue 13): who may read the staff directory (``GET /api/v1/staff``, names, roles,
qualifications, audits taken part in) is ``staff_readers`` (``CERTFLOW_STAFF_READERS``): programme
managers, who form teams (R-9.1.4), managers and operators by default. The item catalogue is read by
every role: the auditors rate against it and the decision makers read ratings in its terms.

The public register and the certificate document need no token and are not in the matrix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from uuid import UUID

from fastapi import Depends, Request

from api.auth import current_actor
from api.problems import Problem
from certflow.settings import Settings
from schemas.actions import ACTION_ROLES
from schemas.staff import Role
from schemas.tasking import Actor


class Action(StrEnum):
    """What an endpoint does, in the matrix's words."""

    SUBMIT_APPLICATION = "application.submit"
    READ_APPLICATION = "application.read"
    LIST_APPLICATIONS = "application.list"
    LIST_TASKS = "task.list"
    READ_TASK = "task.read"
    COMPLETE_TASK = "task.complete"
    LIST_CERTIFICATES = "certificate.list"
    READ_CERTIFICATE = "certificate.read"
    SUSPEND = "certificate.suspend"
    REINSTATE = "certificate.reinstate"
    WITHDRAW = "certificate.withdraw"
    REDUCE_SCOPE = "certificate.reduce_scope"
    REISSUE = "certificate.reissue"
    ORDER_SPECIAL_AUDIT = "certificate.special_audit"
    RECORD_NOTIFICATION = "certificate.notification"
    READ_AUDIT = "audit.read"
    REVISE_PROGRAMME = "audit.revise_programme"
    READ_CNCA_REPORT = "report.cnca"
    READ_PROCESS = "process.read"
    READ_PROCESS_STATS = "process.stats"
    LIST_INCIDENTS = "incident.list"
    READ_INCIDENT = "incident.read"
    RETRY_INCIDENT = "incident.retry"
    READ_STAFF_TOKEN = "staff.token.read"
    REVOKE_STAFF_TOKEN = "staff.token.revoke"
    ROTATE_STAFF_TOKEN = "staff.token.rotate"
    DEACTIVATE_STAFF = "staff.deactivate"
    DECLARE_CONFLICT = "staff.conflict.declare"
    END_CONFLICT = "staff.conflict.end"
    LIST_STAFF = "staff.list"
    READ_CAPACITY = "staff.capacity.read"
    CHANGE_CAPACITY = "staff.capacity.change"
    LIST_ABSENCES = "staff.absence.list"
    RECORD_ABSENCE = "staff.absence.record"
    CANCEL_ABSENCE = "staff.absence.cancel"
    READ_CATALOGUE = "catalogue.read"
    LIST_PROPOSALS = "scheduling.proposals"
    READ_PROPOSAL = "scheduling.proposal.read"
    REPLAN = "scheduling.replan"
    READ_SCHEDULING = "scheduling.read"


EVERY_ROLE = frozenset(Role)

# The actions over staff tokens, accounts and conflicts of interest, all given to the body's Decision
# ``staff_admin_roles``.
STAFF_ADMIN_ACTIONS = (Action.READ_STAFF_TOKEN, Action.REVOKE_STAFF_TOKEN, Action.ROTATE_STAFF_TOKEN,
                       Action.DEACTIVATE_STAFF, Action.DECLARE_CONFLICT, Action.END_CONFLICT)
_DEFAULT_STAFF_ADMIN_ROLES: tuple[Role, ...] = Settings.model_fields["staff_admin_roles"].default

# Issue 18: a person's capacity and absences are changed by the staff administrators and by the
# programme managers, who plan the audits' schedule and resources (R-9.1.3); read as well by the staff
# readers. Everyone may also read their own capacity and record and cancel their own absences
# (:func:`permitted_or_own`), whatever the matrix gives their roles.
CAPACITY_CHANGES = (Action.CHANGE_CAPACITY, Action.RECORD_ABSENCE, Action.CANCEL_ABSENCE)
CAPACITY_READS = (Action.READ_CAPACITY, Action.LIST_ABSENCES)

# The certificate action of each ``/api/v1/certificates/{number}/{name}`` route (schemas.actions).
CERTIFICATE_ACTIONS: dict[str, Action] = {
    "suspend": Action.SUSPEND, "reinstate": Action.REINSTATE, "withdraw": Action.WITHDRAW,
    "reduce_scope": Action.REDUCE_SCOPE, "reissue": Action.REISSUE,
    "special_audit": Action.ORDER_SPECIAL_AUDIT, "notification": Action.RECORD_NOTIFICATION,
}

_FIXED: dict[Action, frozenset[Role]] = {
    # Reads: everyone on the staff works from the register's lists and the processes' state.
    Action.READ_APPLICATION: EVERY_ROLE,
    Action.LIST_APPLICATIONS: EVERY_ROLE,
    Action.LIST_TASKS: EVERY_ROLE,
    Action.READ_TASK: EVERY_ROLE,
    Action.LIST_CERTIFICATES: EVERY_ROLE,
    Action.READ_CERTIFICATE: EVERY_ROLE,
    Action.READ_PROCESS: EVERY_ROLE,
    Action.READ_AUDIT: EVERY_ROLE,
    Action.READ_PROCESS_STATS: EVERY_ROLE,
    Action.READ_CATALOGUE: EVERY_ROLE,
    # The task names its role or assignee; its process checks them.
    Action.COMPLETE_TASK: EVERY_ROLE,
    # the audit programme is the programme manager's.
    Action.REVISE_PROGRAMME: frozenset({Role.PROGRAMME_MANAGER}),
    # The regulator's report is drawn by the body's operators and management.
    Action.READ_CNCA_REPORT: frozenset({Role.OPERATOR, Role.MANAGER}),
    # Incidents (issue 12): the steps that failed for good are for those who watch the processes.
    Action.LIST_INCIDENTS: frozenset({Role.OPERATOR, Role.MANAGER}),
    Action.READ_INCIDENT: frozenset({Role.OPERATOR, Role.MANAGER}),
    Action.RETRY_INCIDENT: frozenset({Role.OPERATOR, Role.MANAGER}),
    **{action: ACTION_ROLES[name] for name, action in CERTIFICATE_ACTIONS.items()},
    # Issue 18: the planner's proposals are the programme managers' to use (R-9.1.3, R-9.1.4), and seen by
    # those who oversee the body's work; a re-plan is asked for by the programme managers and managers.
    Action.LIST_PROPOSALS: frozenset({Role.PROGRAMME_MANAGER, Role.MANAGER, Role.OPERATOR}),
    Action.READ_PROPOSAL: frozenset({Role.PROGRAMME_MANAGER, Role.MANAGER, Role.OPERATOR}),
    Action.REPLAN: frozenset({Role.PROGRAMME_MANAGER, Role.MANAGER}),
}


# Who oversees the body's work: with ``mine=false`` the inbox shows them every task, not only their
# roles' (the team's queue); overdue tasks are escalated to them (workflows/tasks.py).
OVERSEERS = frozenset({Role.MANAGER, Role.OPERATOR})

DEFAULT_STAFF_READERS = frozenset({Role.PROGRAMME_MANAGER, Role.MANAGER, Role.OPERATOR})

# Issue 18: the year's forecast and the planner's proposals are read by those who programme the audits
# those who answer for the body's people and its running, and the staff administrators.
SCHEDULING_READERS = frozenset({Role.PROGRAMME_MANAGER, Role.MANAGER, Role.OPERATOR})


def permission_matrix(
    intake_roles: tuple[Role, ...] | frozenset[Role],
    staff_admin_roles: tuple[Role, ...] | frozenset[Role] = _DEFAULT_STAFF_ADMIN_ROLES,
    staff_readers: tuple[Role, ...] | frozenset[Role] = DEFAULT_STAFF_READERS,
) -> Mapping[Action, frozenset[Role]]:
    """The whole matrix, with the body's Decisions on who may submit an application, who administers
    staff tokens and who may read the staff directory."""
    planners = frozenset(staff_admin_roles) | {Role.PROGRAMME_MANAGER}
    return {**_FIXED, Action.SUBMIT_APPLICATION: frozenset(intake_roles), Action.LIST_STAFF: frozenset(staff_readers),
            **{action: frozenset(staff_admin_roles) for action in STAFF_ADMIN_ACTIONS},
            **{action: planners for action in CAPACITY_CHANGES},
            **{action: planners | frozenset(staff_readers) for action in CAPACITY_READS},
            Action.READ_SCHEDULING: SCHEDULING_READERS | frozenset(staff_admin_roles)}


def refusal(action: Action, roles: frozenset[Role]) -> Problem:
    needed = sorted(r.value for r in roles)
    return Problem(403, f"'{action.value}' needs the role {' or '.join(needed)}.", title="Not yours to do",
                   action=action.value, roles_needed=needed)


def _allowed(request: Request, action: Action, actor: Actor) -> Actor:
    settings = request.app.state.settings
    roles = permission_matrix(settings.intake_roles, settings.staff_admin_roles, settings.staff_readers)[action]
    if not roles & set(actor.roles):
        raise refusal(action, roles)
    return actor


def permitted(action: Action) -> Callable:
    """A dependency: the caller is signed in and holds a role the matrix allows for ``action``;
    otherwise 401 (who are you) or 403 naming the roles needed."""

    async def check(request: Request, actor: Actor = Depends(current_actor)) -> Actor:
        return _allowed(request, action, actor)

    check.__name__ = f"permitted_{action.name.lower()}"
    return check


def permitted_or_own(action: Action) -> Callable:
    """As :func:`permitted`, but the person the path's ``staff_id`` names is let through too: their own
    leave and capacity are theirs to record and read (issue 18)."""

    async def check(request: Request, staff_id: UUID, actor: Actor = Depends(current_actor)) -> Actor:
        return actor if actor.staff_id == staff_id else _allowed(request, action, actor)

    check.__name__ = f"permitted_{action.name.lower()}"
    return check
