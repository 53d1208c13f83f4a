"""An example of every successful JSON answer, for the OpenAPI document and Swagger UI (issue 13).

Built from the answer's own model rather than written out per operation, so an example cannot drift
from what the API answers: each field takes a value from one table of realistic values by field name
(a certificate number, an organization, a rule id ...), or else one from its type (the first member of
an enum, a day of 2026, one item in a list). A test validates every example against its model
(tests/api/test_openapi.py), so a value the model would refuse is caught there.
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, PydanticSchemaGenerationError, TypeAdapter, ValidationError

_DAY = date(2026, 3, 2)
_AT = datetime.combine(_DAY, time(9, 30), tzinfo=timezone(timedelta(hours=8)))  # the body's time zone
_WORKFLOW = "certification-6c1f2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b"

# Realistic values by field name, where the type alone would say little.
BY_NAME: dict[str, Any] = {
    "number": "CCS202600017", "certificate_number": "CCS202600017",
    "organization": "示例呼叫中心有限公司", "organization_name": "示例呼叫中心有限公司",
    "name": "李审核", "credit_code": "91110000MA01ABCD2X", "scope": "呼叫中心客户服务",
    "registered_address": "北京市朝阳区示例路1号", "address": "北京市朝阳区示例路1号",
    "workflow_id": _WORKFLOW, "audit_id": f"audit-{_WORKFLOW}-initial-1",
    "task_id": f"{_WORKFLOW}/application_review/1", "kind": "application_review",
    "title": "申请评审", "role": "reviewer", "rule_id": "R-9.1.2", "star_level": "four_star",
    "status": "valid", "status_words": "有效", "process_state": "running", "stage": "application_review",
    "summary": "application under review (R-9.1.2)", "message": "accepted; the process moves on",
    "reason": "2023 年前曾在该公司任客服主管", "note": "", "subject": "示例呼叫中心有限公司",
    "actor": "李审核", "recorded_by": "王管理", "retried_by": "王运维", "element_id": "application_review",
    "activity": "record_review", "step": "record the application review (R-9.1.2)",
    "error": "the register did not answer", "error_type": "ConnectionRefusedError",
    "key": f"{_WORKFLOW}/record_review/1",
    "run_id": "0195b2c4-7d8e-7f00-9a1b-2c3d4e5f6a7b", "source": "temporal", "what": "surveillance",
    "action": "suspend", "token": "c2VjcmV0LXNob3duLW9uY2UtYW5kLW5ldmVyLWFnYWlu", "q": "示例",
    "basis": "YD/T 2823-2015", "fees": "按认证机构公布的收费标准", "contact": "cert@body.example",
    "model": "/bpmn/certification.bpmn", "page": f"/processes/{_WORKFLOW}",
    "temporal_ui": f"http://127.0.0.1:8233/namespaces/default/workflows/{_WORKFLOW}",
    "document_url": "/api/v1/certificates/CCS202600017/document", "version": "illustrative-1",
    "sub_certificate_number": "CCS202600017-1", "requested_sub_certificate": None,
    "team_role": "leader", "reference": "TC-2024-031", "email": "contact@example.cn",
    "valid_from": "2026-03-02", "valid_to": "2029-03-01", "issued_on": "2026-03-02", "due_on": "2026-03-05",
    "on": "2027-03-01", "reissued_on": None, "suspended_until": None, "suspension_cause": None,
    "computed_level": "four_star", "audit_workflow_id": f"audit-{_WORKFLOW}-initial-1", "audits_running": [],
    "last_surveillance_on": None, "ended_on": None, "revoked_at": None, "resolved_at": None,
    "home_city": "上海", "max_audit_days_per_month": 10, "effective_max_audit_days_per_month": 10,
    "starts_on": "2027-02-08", "ends_on": "2027-02-12", "cancelled_at": None, "cancelled_by": None,
    "phone": "010-12345678", "postcode": "100000", "legal_status_proof": "营业执照副本",
}


# Where one field name means different things in different answers.
BY_MODEL: dict[tuple[str, str], Any] = {
    ("TaskSummary", "id"): f"{_WORKFLOW}/application_review/1",
    ("TaskDetail", "id"): f"{_WORKFLOW}/application_review/1",
    ("TaskSummary", "status"): "open", ("TaskDetail", "status"): "open",
    ("ApplicationSummary", "status"): "under_review", ("ApplicationView", "status"): "under_review",
    ("DueDate", "rule_id"): "R-9.2.1", ("ActionReceipt", "status"): "suspended",
    ("ActionReceipt", "message"): "the certificate is suspended until 2026-09-02 (R-9.4.2)",
    ("CertifiedOrganization", "name"): "示例呼叫中心有限公司", ("AuditTakenPart", "kind"): "initial",
    ("SiteView", "name"): "北京站点", ("CertifiedSite", "name"): "北京站点", ("PublicSite", "name"): "北京站点",
    ("SiteView", "sub_number"): "CCS202600017-1", ("CertifiedSite", "sub_number"): "CCS202600017-1",
    ("SiteView", "removed_on"): None, ("CertifiedSite", "removed_on"): None,
    ("CertificateRow", "next_due_on"): "2027-03-01", ("CertificateRow", "next_due_what"): "surveillance",
    ("IncidentRecord", "reason"): "the register refused the step; it waits for an operator (retry)",
    ("Incident", "reason"): "the register refused the step; it waits for an operator (retry)",
    ("MonthForecast", "month"): "2027-03", ("MonthForecast", "by_kind"): {"surveillance": "4", "initial": "8"},
    ("Forecast", "today"): "2026-03-02",
    ("PublicInformation", "validity_years"): 3, ("PublicInformation", "surveillance_at_most_months_apart"): 12,
    ("PublicInformation", "services"): ["呼叫中心服务认证（YD/T 2823-2015），合格、三星、四星、五星"],
    ("PublicInformation", "procedure"): ["申请与评审", "现场审核与神秘顾客访问", "认证决定", "获证后监督", "再认证"],
}


_NONE = object()


def example_of(annotation: Any, name: str = "", model: str = "") -> Any:
    """A value of ``annotation`` for the field ``name`` of ``model``, as JSON would carry it: the table's
    value for that name when the type takes it, else one built from the type."""
    named = BY_MODEL.get((model, name), BY_NAME.get(name, _NONE))
    if named is not _NONE and _fits(annotation, named):
        return named
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return example_of(args[0], name, model)
    if origin in (typing.Union, types.UnionType):
        chosen = next((a for a in args if a is not type(None)), None)
        return None if chosen is None else example_of(chosen, name, model)
    if origin is typing.Literal:
        return args[0]
    if origin in (list, tuple, set, frozenset):
        return [example_of(args[0], name, model)] if args else []
    if origin is dict:
        return {}
    return _of_type(annotation, name)


def _fits(annotation: Any, value: Any) -> bool:
    try:
        TypeAdapter(annotation).validate_python(value)
    except (ValidationError, TypeError, PydanticSchemaGenerationError):
        return False
    return True


def _of_type(kind: Any, name: str) -> Any:
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return {field: example_of(info.annotation, field, kind.__name__) for field, info in kind.model_fields.items()}
    if isinstance(kind, type) and issubclass(kind, Enum):
        return next(iter(kind)).value
    simple: dict[Any, Any] = {
        bool: not name.startswith(("overdue", "due_provisional", "illustrative")), int: 1, float: 12.5,
        Decimal: "6", str: name.replace("_", " ") or "text", UUID: "3f2c6a0e-6d1b-4f7e-9a51-2b8c4d9e1f01",
        date: _DAY.isoformat(), datetime: _AT.isoformat(),
    }
    return simple.get(kind, {})  # Any, object: an empty object


def answer_example(response_model: Any) -> Any:
    """The example of a route's answer: its model's, a list holding one for ``list[Model]``."""
    return example_of(response_model)
