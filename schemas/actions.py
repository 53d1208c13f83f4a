"""What the body's staff may do to a certificate during its life, outside any task the process opened:
suspend (R-9.6.2), reinstate, withdraw (R-9.6.7), reduce the scope (R-9.6.6), reissue (R-10.3.4), order
a special audit (R-9.4) and record a notification from the organization (R-11).

The API posts one of these to ``/api/v1/certificates/{number}/{action}``; it reaches the certificate's
``CertificationWorkflow`` as the ``act`` Update carrying an :class:`ActionRequest`, whose validator
refuses (403/409/422 with the rule id, as for tasks) what the certificate's state or the scheme forbids.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.base import Day
from schemas.staff import Role
from schemas.tasking import Actor
from schemas.text import Line, Text

ACT_UPDATE = "act"


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SuspensionCause(StrEnum):
    """R-9.6.2: why a certificate is suspended; the list is open ("other", with the reason recorded)."""

    SERIOUS_FAILURE = "serious_failure"
    PERSISTENT_FAILURE = "persistent_failure"
    SURVEILLANCE_NOT_ALLOWED = "surveillance_not_allowed"  # refused or delayed surveillance / recertification
    REGULATOR_NONCOOPERATION = "regulator_noncooperation"
    ORGANIZATION_REQUEST = "organization_request"
    OVERDUE_SURVEILLANCE = "overdue_surveillance"  # the window closed without a surveillance decision
    SURVEILLANCE_DECISION = "surveillance_decision"  # c: do not maintain
    OTHER = "other"


CAUSE_WORDS = {
    SuspensionCause.SERIOUS_FAILURE: "严重不符合认证要求",
    SuspensionCause.PERSISTENT_FAILURE: "持续不符合认证要求",
    SuspensionCause.SURVEILLANCE_NOT_ALLOWED: "未按规定频次接受监督审查或再认证审查",
    SuspensionCause.REGULATOR_NONCOOPERATION: "不配合监管部门的监督检查",
    SuspensionCause.ORGANIZATION_REQUEST: "获证组织主动申请暂停",
    SuspensionCause.OVERDUE_SURVEILLANCE: "监督审查期限届满而未作出保持认证的决定",
    SuspensionCause.SURVEILLANCE_DECISION: "监督审查后决定不保持认证",
    SuspensionCause.OTHER: "其他原因",
}


class Suspend(_Action):
    action: Literal["suspend"] = "suspend"
    cause: SuspensionCause
    reason: Text = Field(min_length=1, description="recorded and sent to the organization in writing")
    months: int | None = Field(None, ge=1, description="how long the organization has to resolve it; at most the "
                                                        "policy's suspension limit (R-9.6.3, default 6)")


class Reinstate(_Action):
    action: Literal["reinstate"] = "reinstate"
    reason: Text = Field(min_length=1, description="how the cause of the suspension was resolved")


class Withdraw(_Action):
    action: Literal["withdraw"] = "withdraw"
    reason: Text = Field(min_length=1)


class ReduceScope(_Action):
    action: Literal["reduce_scope"] = "reduce_scope"
    reason: Text = Field(min_length=1)
    scope: Text = Field(min_length=1, description="the scope that remains certified")
    remove_sites: list[Line] = Field(default_factory=list, description="site names taken out (R-9.6.6)")


class Reissue(_Action):
    """R-10.3.4: a change of name, address, scope or the like; number and validity stay."""

    action: Literal["reissue"] = "reissue"
    reason: Text = Field(min_length=1)
    organization_name: Line | None = None
    registered_address: Text | None = None
    scope: Text | None = None


class SpecialAuditPurpose(StrEnum):
    """R-9.4: a scope change or extension (R-9.4.1), or a short-notice audit (R-9.4.2)."""

    SCOPE_CHANGE = "scope_change"
    COMPLAINT = "complaint"
    CHANGE_REPORTED = "change_reported"
    SUSPENSION_FOLLOW_UP = "suspension_follow_up"


class OrderSpecialAudit(_Action):
    action: Literal["special_audit"] = "special_audit"
    purpose: SpecialAuditPurpose
    reason: Text = Field(min_length=1)
    new_scope: Text | None = Field(None, description="R-9.4.1: the scope asked for (scope changes only)")


class NotificationKind(StrEnum):
    """R-11: what a certified organization reports to the body."""

    BUSINESS_CHANGE = "business_change"
    SITE_CHANGE = "site_change"
    ORGANIZATION_CHANGE = "organization_change"
    COMPLAINT = "complaint"
    DOCUMENT_CHANGE = "document_change"
    SERIOUS_INCIDENT = "serious_incident"
    OTHER = "other"


class Notification(_Action):
    """R-11: recorded as received; a programme manager triages it; a major complaint at once."""

    action: Literal["notification"] = "notification"
    kind: NotificationKind
    received_on: Day
    description: Text = Field(min_length=1)
    major: bool = Field(False, description="a major complaint or serious incident: triaged immediately")


CertificateAction = Annotated[
    Suspend | Reinstate | Withdraw | ReduceScope | Reissue | OrderSpecialAudit | Notification,
    Field(discriminator="action"),
]

ACTION_MODELS: dict[str, type[_Action]] = {
    m.model_fields["action"].default: m
    for m in (Suspend, Reinstate, Withdraw, ReduceScope, Reissue, OrderSpecialAudit, Notification)
}

# Who may ask for what. Suspension, reinstatement, withdrawal and scope reduction are certification
# decisions; ordering audits and reissues is programme management; a notification
# may be recorded by whoever received it.
ACTION_ROLES: dict[str, frozenset[Role]] = {
    "suspend": frozenset({Role.DECISION_MAKER, Role.MANAGER}),
    "reinstate": frozenset({Role.DECISION_MAKER, Role.MANAGER}),
    "withdraw": frozenset({Role.DECISION_MAKER, Role.MANAGER}),
    "reduce_scope": frozenset({Role.DECISION_MAKER, Role.MANAGER}),
    "reissue": frozenset({Role.PROGRAMME_MANAGER, Role.MANAGER}),
    "special_audit": frozenset({Role.PROGRAMME_MANAGER, Role.MANAGER}),
    "notification": frozenset({Role.PROGRAMME_MANAGER, Role.REVIEWER, Role.MANAGER, Role.OPERATOR}),
}


class ActionRequest(BaseModel):
    actor: Actor
    action: CertificateAction


class ActionReceipt(BaseModel):
    action: Line
    number: Line
    accepted_at: datetime
    status: Line = Field(description="the certificate's public status after the action (R-9.6.8)")
    message: Text
