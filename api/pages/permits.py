"""What the signed-in person's roles let them do, read from the API's permission matrix, so a page
offers a link or a form only to those the API would answer (api/permissions.py).

The pages still go through the API for everything they do; this only keeps them from offering what
would be refused. ``may("incident.list")`` is an action of the matrix (``Action``'s values); ``"team"``
is the team's queue, which is for those who oversee (``OVERSEERS``: the inbox shows them every task).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from api.pages.session import Session
from api.permissions import OVERSEERS, Action, permission_matrix
from schemas.staff import Role

TEAM = "team"


def roles_for(request: Request, what: str) -> frozenset[Role]:
    """The roles that may do ``what``: an action of the matrix (with the body's Decisions from the
    settings) or ``"team"``. An unknown name is given to nobody."""
    if what == TEAM:
        return OVERSEERS
    try:
        action = Action(what)
    except ValueError:
        return frozenset()
    settings = request.app.state.settings
    return permission_matrix(settings.intake_roles, settings.staff_admin_roles, settings.staff_readers)[action]


def may(request: Request, session: Session | None, what: str) -> bool:
    """Whether the signed-in person holds a role that may do ``what`` (nobody signed in: no)."""
    return session is not None and bool(roles_for(request, what) & set(session.actor.roles))


def may_for(request: Request, session: Session | None) -> Callable[[str], bool]:
    """``may`` bound to one reader, for the templates: ``{% if may("incident.list") %}``."""
    return lambda what: may(request, session, what)
