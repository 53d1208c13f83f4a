"""What the signed-in person may do, read from the API's own permission matrix (api/permissions.py).

The pages show a form only to someone the API would let act with it. This is for showing, never for
deciding: the API still judges every request it is sent. Pages and their tests read the same
function, so a form shown and an action allowed cannot drift apart.
"""

from __future__ import annotations

from api.pages.session import Session
from api.permissions import CERTIFICATE_ACTIONS, Action, permission_matrix
from certflow.settings import Settings


def allowed_actions(session: Session, settings: Settings) -> set[Action]:
    """Every action of the matrix that one of the person's roles is given, with the body's Decisions
    (intake, staff administration and staff directory roles) as the settings say."""
    matrix = permission_matrix(settings.intake_roles, settings.staff_admin_roles, settings.staff_readers)
    held = set(session.actor.roles)
    return {action for action, roles in matrix.items() if roles & held}


def allowed_certificate_actions(session: Session, settings: Settings) -> list[str]:
    """The certificate actions (``suspend``, ``reissue``, ...) the person may take, in the API's order."""
    allowed = allowed_actions(session, settings)
    return [name for name, action in CERTIFICATE_ACTIONS.items() if action in allowed]
