"""Whether the signed-in reader may do an action, by the API's own permission matrix and the body's
Decisions in the settings: the pages draw a link, a button or a form only for a reader the API would
let do it, so the pages offer exactly what the API allows each role."""

from __future__ import annotations

from fastapi import Request

from api.pages.session import Session
from api.permissions import Action, permission_matrix


def allowed(request: Request, session: Session) -> set[Action]:
    settings = request.app.state.settings
    matrix = permission_matrix(settings.intake_roles, settings.staff_admin_roles, settings.staff_readers)
    held = set(session.actor.roles)
    return {action for action, roles in matrix.items() if roles & held}


def may(request: Request, session: Session, action: Action) -> bool:
    return action in allowed(request, session)
