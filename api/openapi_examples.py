"""One example of every request body the API takes, shown in the OpenAPI document and Swagger UI.

Kept here, beside the document that shows them, rather than on the shared models in ``schemas/``
(which the workflows also use): a reader of the API looks for them here, and a test validates each
one against its model so an example can never teach a body the API would refuse as malformed.
"""

from __future__ import annotations

from typing import Any

from api.proposals import ReplanOrder
from api.staff_capacity import AbsenceRequest, CapacityChange
from api.tasks import CompleteRequest
from schemas.actions import Notification, OrderSpecialAudit, ReduceScope, Reinstate, Reissue, Suspend, Withdraw
from schemas.conflicts import ConflictDeclaration, ConflictEnd
from schemas.intake import REQUIRED_MATERIALS, ApplicationSubmission
from schemas.payloads import ProgrammeRevision

_STAFF = {"leader": "3f2c6a0e-6d1b-4f7e-9a51-2b8c4d9e1f01", "auditor": "7a9d2c4b-1e3f-4a6b-8c0d-5e7f9a1b3c02",
          "shopper": "c1e8b7a6-5d4c-4b3a-9f2e-1d0c9b8a7f03"}

SUBMISSION: dict[str, Any] = {
    "organization": {"name": "示例呼叫中心有限公司", "credit_code": "91110000MA01ABCD2X",
                     "registered_address": "北京市朝阳区示例路1号", "postcode": "100000",
                     "legal_status_proof": "营业执照副本",
                     "contact": {"name": "王经理", "phone": "010-12345678", "email": "contact@example.cn"}},
    "sites": [{"name": "北京站点", "address": "北京市朝阳区示例路1号", "postcode": "100000", "headcount": 80}],
    "scope": "呼叫中心客户服务",
    "service_documents_in_operation_since": "2025-01-01",
    "licences": [],
    "information_form": {"resources": "座席 120 个", "processes": "受理、回访", "risk_management": "应急预案"},
    "materials": list(REQUIRED_MATERIALS),
}

PROGRAMME_REVISION: dict[str, Any] = {
    "programme": {
        "objectives": "初次认证", "person_days": "9", "onsite_days": "8", "stage1_on": "2026-03-02",
        "onsite_start": "2026-03-16", "onsite_end": "2026-03-17",
        "team": [{"staff_id": _STAFF["leader"], "role": "leader"},
                 {"staff_id": _STAFF["auditor"], "role": "auditor"}],
        "visits": [{"site": "北京站点", "shopper_id": _STAFF["shopper"], "planned_on": "2026-03-06",
                    "person_days": "0.5"}],
    },
    "reason": "the organization asked to move the on-site audit by a week",
}

# A task's payload has the schema of its kind (GET /api/v1/tasks/{id} shows it): here, stage 1's (R-9.1.5).
TASK_COMPLETION: dict[str, Any] = {"payload": {
    "planning": "年度质量目标已分解到各站点", "documents": "服务文件齐全", "monitoring": "每月客户满意度调查",
    "improvement": "投诉分析会每月一次", "legal_compliance": "持有增值电信业务经营许可证", "resources": "座席 120 个",
    "sites_processes_equipment": "两个站点，录音系统完好", "ready_for_onsite": True, "held_on": "2026-03-02"}}

EXAMPLES: dict[type, dict[str, Any]] = {
    CompleteRequest: TASK_COMPLETION,
    ApplicationSubmission: SUBMISSION,
    ProgrammeRevision: PROGRAMME_REVISION,
    Suspend: {"action": "suspend", "cause": "serious_failure", "reason": "投诉处理流程连续两个月未执行",
              "months": 3},
    Reinstate: {"action": "reinstate", "reason": "the special audit found the complaint process restored"},
    Withdraw: {"action": "withdraw", "reason": "the suspension's cause was not resolved within six months"},
    ReduceScope: {"action": "reduce_scope", "reason": "the Shanghai site closed", "scope": "呼叫中心客户服务",
                  "remove_sites": ["上海站点"]},
    Reissue: {"action": "reissue", "reason": "the organization changed its name",
              "organization_name": "示例客户服务有限公司"},
    OrderSpecialAudit: {"action": "special_audit", "purpose": "complaint",
                        "reason": "a major complaint about unanswered calls"},
    ConflictDeclaration: {"credit_code": "91110000MA01ABCD2X", "organization_name": "示例呼叫中心有限公司",
                          "reason": "2023 年前曾在该公司任客服主管", "declared_on": "2026-11-02"},
    ConflictEnd: {"ended_on": "2026-12-01"},
    CapacityChange: {"home_city": "上海", "max_audit_days_per_month": 10},
    AbsenceRequest: {"starts_on": "2027-02-08", "ends_on": "2027-02-12", "reason": "年假"},
    ReplanOrder: {"reason": "新审核员入职", "keys": [], "horizon": True},
    Notification: {"action": "notification", "kind": "site_change", "received_on": "2026-02-10",
                   "description": "a new site opened in Tianjin", "major": False},
}


def example_for(model: Any) -> dict[str, Any] | None:
    """The example body of ``model``, ``None`` if it has none (a test sees that every body has one)."""
    return EXAMPLES.get(model)
