"""The words the pages show for a payload's fields, its choices and a task's context, in Chinese and
English, in the scheme's own vocabulary (scheme/000_…txt: 不符合项, 观察项, 监督审查, 缩小认证范围, …).

A field without an entry shows its schema title (English) and a context key without one shows the key,
so nothing new is ever unlabelled; tests/pages/test_page_labels.py walks every payload, action and
application schema and every context a workflow puts on a task, and fails naming what is missing here.
"""

from __future__ import annotations

from api.pages.record_words import RECORD_WORDS
from schemas.actions import CAUSE_WORDS, SuspensionCause

Words = tuple[str, str]  # (Chinese, English)

# field name → words. One name may stand in several models; the words fit each of them.
FIELD_LABELS: dict[str, Words] = {
    # people and roles
    "staff_id": ("人员", "Person"),
    "role": ("组内角色", "Role in the team"),
    "shopper_id": ("神秘顾客", "Mystery shopper"),
    "team": ("审查组", "Audit team"),
    # the application
    "organization": ("申请组织", "Organization"),
    "name": ("名称", "Name"),
    "credit_code": ("统一社会信用代码", "Unified social credit code"),
    "registered_address": ("注册地址", "Registered address"),
    "address": ("地址", "Address"),
    "postcode": ("邮政编码", "Postcode"),
    "legal_status_proof": ("法律地位证明", "Legal status proof"),
    "contact": ("联系人", "Contact"),
    "phone": ("电话", "Phone"),
    "email": ("电子邮箱", "E-mail"),
    "sites": ("经营场所", "Sites"),
    "site": ("经营场所", "Site"),
    "headcount": ("有效人数", "Effective headcount"),
    "scope": ("认证范围", "Scope"),
    "service_documents_in_operation_since": ("服务认证文件运行起始日期", "Service documents in operation since"),
    "licences": ("行政许可文件", "Administrative licences"),
    "number": ("编号", "Number"),
    "valid_to": ("有效期至", "Valid to"),
    "information_form": ("信息收集表", "Information form"),
    "resources": ("资源", "Resources"),
    "processes": ("过程管理", "Process management"),
    "risk_management": ("风险管理", "Risk management"),
    "materials": ("已提交材料", "Materials supplied"),
    # application review and audit time (R-9.1.2.7, Appendix A)
    "information_complete": ("所需基本信息齐全", "Required information provided"),
    "industry_and_process_understood": ("行业类别及过程特性已明确", "Industry and processes understood"),
    "state_requirements_known": ("国家对该行业的管理要求已明确", "State requirements for the industry known"),
    "differences_resolved": ("理解差异已消除", "Differences of understanding resolved"),
    "body_able_to_certify": ("本机构有能力实施认证", "Body able to certify"),
    "scope_and_sites_confirmed": ("认证范围、场所及审查时间已确认", "Scope, sites and audit duration confirmed"),
    "audit_time_determined": ("审查人日已确定", "Audit time determined"),
    "satisfied": ("满足", "Satisfied"),
    "note": ("备注", "Note"),
    "notes": ("备注", "Notes"),
    "conclusion": ("评审结论", "Review conclusion"),
    "reasons": ("理由", "Reasons"),
    "reason": ("原因", "Reason"),
    "audit_time_adjustments": ("审查时间调整", "Audit time adjustments"),
    "kind": ("类型", "Kind"),
    "days": ("人日数", "Person-days"),
    "person_days": ("审查人日", "Audit time (person-days)"),
    "outcome": ("处理决定", "Outcome"),
    "signed_on": ("合同签订日期", "Contract signed on"),
    "contract_reference": ("合同编号", "Contract reference"),
    # the programme
    "programme": ("认证方案", "Certification programme"),
    "objectives": ("认证方案目标", "Programme objectives"),
    "criteria": ("审查准则", "Audit criteria"),
    "methods": ("审查方法", "Audit methods"),
    "onsite_days": ("现场审查人日", "On-site person-days"),
    "stage1_on": ("一阶段审查计划日期", "Stage 1 planned on"),
    "onsite_start": ("现场审查开始日期", "On-site audit starts"),
    "onsite_end": ("现场审查结束日期", "On-site audit ends"),
    "visits": ("暗访安排", "Mystery-shopper visits"),
    "planned_on": ("计划日期", "Planned on"),
    "confidentiality_and_logistics": ("保密、信息安全及交通食宿安排", "Confidentiality and logistics"),
    # stage 1, mystery shopping, the on-site audit
    "planning": ("服务的策划和实施", "Service planned and carried out"),
    "documents": ("服务认证文件的落实", "Service documents in effect"),
    "monitoring": ("监视、测量、分析和评价", "Monitoring, measurement, analysis and evaluation"),
    "improvement": ("持续改进", "Continual improvement"),
    "legal_compliance": ("法律法规的识别与遵守", "Laws and regulations identified and met"),
    "sites_processes_equipment": ("场所、过程和设备", "Sites, processes and equipment"),
    "ready_for_onsite": ("具备现场审查条件", "Ready for the on-site audit"),
    "concerns": ("需告知申请方的问题", "Concerns told to the applicant"),
    "held_on": ("一阶段审查实施日期", "Stage 1 held on"),
    "visited_on": ("暗访日期", "Visited on"),
    "service_quality": ("服务质量", "Service quality"),
    "service_environment": ("服务环境", "Service environment"),
    "sent_on": ("发送日期", "Sent on"),
    "plan": ("现场审查计划", "On-site audit plan"),
    "items": ("条目评价", "Item assessments"),
    "item_id": ("条目", "Item"),
    "method_compliant": ("方法合规", "Method compliant"),
    "executed": ("执行到位", "Executed"),
    "method_score": ("方法得分", "Method score"),
    "execution_score": ("执行得分", "Execution score"),
    "findings": ("审查发现", "Findings"),
    "clause": ("条款", "Clause"),
    "department": ("部门", "Department"),
    "description": ("描述", "Description"),
    "acknowledged_on": ("受审查方认同日期", "Acknowledged by the auditee on"),
    "started_on": ("现场审查实际开始日期", "On-site audit started on"),
    "ended_on": ("现场审查实际结束日期", "On-site audit ended on"),
    # capacity and absences (issue 18)
    "home_city": ("常驻城市", "Home city"),
    "max_audit_days_per_month": ("每月审查天数上限", "Audit days a month at most"),
    "starts_on": ("开始日期", "First day"),
    "ends_on": ("结束日期", "Last day"),
    "corrections": ("不符合项纠正", "Corrections"),
    "finding_id": ("不符合项编号", "Finding"),
    "corrected_on": ("纠正日期", "Corrected on"),
    "verified_on": ("验证日期", "Verified on"),
    "summary": ("审查报告摘要", "Report summary"),
    "discussed_with_auditee_on": ("与受审查方沟通报告日期", "Report gone through with the auditee on"),
    "recommendation": ("审查组推荐意见", "Team's recommendation"),
    # the decision
    "accepted": ("审查材料符合要求", "Audit materials complete"),
    "star_level": ("认证星级", "Star level"),
    "questions": ("需补充的信息", "Information asked for"),
    "answer": ("补充的信息", "Information supplied"),
    # surveillance, recertification, special audits, suspension, R-11
    "confirmed_on": ("确认日期", "Confirmed on"),
    "basic_changes": ("基本信息变化", "Changes of basic information"),
    "organization_changes": ("组织信息变化", "Changes of the organization"),
    "key_document_changes": ("关键文件化信息变化", "Changes of key documents"),
    "departments": ("部门", "Departments"),
    "decisive_departments": ("有决定作用的部门", "Decisive departments"),
    "major_change": ("重大变更", "Major change"),
    "sampling": ("抽样", "Sampling"),
    "clauses": ("条款", "Clauses"),
    "important_clauses": ("审查组认为重要的条款", "Clauses the team finds important"),
    "changes_reviewed": ("变更评审情况", "Changes reviewed"),
    "programme_must_change": ("需修订认证方案", "Programme must change"),
    "applied_on": ("申请日期", "Applied on"),
    "applies": ("申请再认证", "Applies for recertification"),
    "separate_stage1": ("单独进行一阶段审查", "Separate stage 1"),
    "remove_sites": ("移出认证范围的场所", "Sites taken out"),
    "analysis": ("分析", "Analysis"),
    "suspend": ("确认暂停", "Confirm the suspension"),
    "cause_side": ("责任方", "Whose side let it lapse"),
    "reference": ("报送编号", "Submission reference"),
    # certificate actions
    "action": ("操作", "Action"),
    "cause": ("暂停原因", "Cause of suspension"),
    "months": ("暂停期限（月）", "Months to resolve"),
    "organization_name": ("组织名称", "Organization name"),
    "purpose": ("特殊审查目的", "Purpose of the special audit"),
    "new_scope": ("申请的认证范围", "Scope asked for"),
    "received_on": ("收到日期", "Received on"),
    "major": ("重大投诉或严重事故", "Major complaint or serious incident"),
}

_CAUSE_EN: dict[SuspensionCause, str] = {
    SuspensionCause.SERIOUS_FAILURE: "serious failure to meet the requirements",
    SuspensionCause.PERSISTENT_FAILURE: "persistent failure to meet the requirements",
    SuspensionCause.SURVEILLANCE_NOT_ALLOWED: "surveillance or recertification not allowed as required",
    SuspensionCause.REGULATOR_NONCOOPERATION: "no cooperation with the regulator's supervision",
    SuspensionCause.ORGANIZATION_REQUEST: "at the organization's request",
    SuspensionCause.OVERDUE_SURVEILLANCE: "surveillance window closed without a decision",
    SuspensionCause.SURVEILLANCE_DECISION: "not maintained after surveillance",
    SuspensionCause.OTHER: "other",
}

# choice value → words. The same value means the same thing wherever it stands.
OPTION_LABELS: dict[str, Words] = {
    # suspension causes, in the words the letters to the organization use (schemas.actions)
    **{cause.value: (CAUSE_WORDS[cause], english) for cause, english in _CAUSE_EN.items()},
    "other": ("其他", "other"),
    # the body's roles (schemas.staff.Role)
    "reviewer": ("申请评审人员", "reviewer"),
    "programme_manager": ("认证方案管理人员", "programme manager"),
    "auditor": ("审查员", "auditor"),
    "technical_expert": ("技术专家", "technical expert"),
    "mystery_shopper": ("神秘顾客（暗访员）", "mystery shopper"),
    "decision_maker": ("认证决定人员", "decision maker"),
    "manager": ("主管", "manager"),
    "operator": ("运维人员", "operator"),
    # a team member's part (R-7.team, R-7.expert)
    "leader": ("审查组长", "team leader"),
    "expert": ("技术专家", "technical expert"),
    # review, audit time, findings, recommendation
    "accept": ("受理", "accept"),
    "reject": ("不受理", "reject"),
    "reduction": ("减少", "reduction"),
    "increase": ("增加", "increase"),
    "confirm": ("确认该审查时间", "confirm the audit time"),
    "change": ("更改审查时间", "change the audit time"),
    "major_nonconformity": ("严重不符合项", "major nonconformity"),
    "minor_nonconformity": ("一般不符合项", "minor nonconformity"),
    "observation": ("观察项", "observation"),
    "recommend": ("推荐认证注册", "recommend certification"),
    "do_not_recommend": ("不推荐认证注册", "do not recommend certification"),
    # decisions
    "grant": ("同意认证注册，颁发证书", "grant the certificate"),
    "refuse": ("不同意认证注册", "refuse"),
    "renew": ("同意再认证", "renew the certificate"),
    "maintain": ("保持认证注册", "maintain the certificate"),
    "more_information": ("补充信息后再行决定", "ask for more information first"),
    "agree_scope_change": ("同意变更或扩大认证范围", "agree to the scope change"),
    "refuse_scope_change": ("不同意变更或扩大认证范围", "refuse the scope change"),
    "reinstate": ("恢复认证", "reinstate"),
    "suspend": ("暂停认证", "suspend"),
    "withdraw": ("撤销认证", "withdraw"),
    "reduce_scope": ("缩小认证范围", "reduce the scope"),
    "reissue": ("换发证书", "reissue the certificate"),
    "special_audit": ("特殊审查", "special audit"),
    "notification": ("登记获证组织通报", "record a notification"),
    "no_action": ("无需采取措施", "no action"),
    "extra_surveillance": ("增加监督审查", "extra surveillance"),
    "organization": ("获证组织", "the organization"),
    "body": ("认证机构", "the body"),
    # star levels
    "compliant": ("达标级", "compliant"),
    "three_star": ("三星级", "three-star"),
    "four_star": ("四星级", "four-star"),
    "five_star": ("五星级", "five-star"),
    # special audit purposes and notifications
    "scope_change": ("变更或扩大认证范围", "scope change or extension"),
    "complaint": ("投诉", "complaint"),
    "change_reported": ("对通报变更的回应", "response to a reported change"),
    "suspension_follow_up": ("被暂停认证后的追踪", "follow-up of a suspension"),
    "business_change": ("业务变化", "business change"),
    "site_change": ("场所变化", "site change"),
    "organization_change": ("组织机构变化", "organization change"),
    "document_change": ("体系文件重大变化", "major document change"),
    "serious_incident": ("严重事故", "serious incident"),
    # audit kinds and certificate statuses, which contexts and pages show
    "initial": ("初次认证审查", "initial audit"),
    "surveillance": ("监督审查", "surveillance audit"),
    "recertification": ("再认证审查", "recertification audit"),
    "special": ("特殊审查", "special audit"),
    "valid": ("有效", "valid"),
    "suspended": ("暂停", "suspended"),
    "withdrawn": ("撤销", "withdrawn"),
    "scope_reduced": ("缩小认证范围", "scope reduced"),
    "expired": ("过期", "expired"),
    # an application's course (schemas.applications.ApplicationStatus)
    "submitted": ("已提交", "submitted"),
    "under_review": ("申请评审中", "under review"),
    "accepted": ("已受理", "accepted"),
    "rejected": ("不予受理", "rejected"),
    "in_audit": ("审查中", "in audit"),
    "awaiting_decision": ("待认证决定", "awaiting the decision"),
    "granted": ("已获证", "granted"),
    "refused": ("不予认证注册", "refused"),
    # tasks, incidents, tokens and qualifications (R-7.auditor) as the staff pages list them
    "open": ("待办", "open"),
    "completed": ("已完成", "completed"),
    "cancelled": ("已取消", "cancelled"),
    "retrying": ("重试中", "retrying"),
    "resolved": ("已解决", "resolved"),
    "none": ("未签发", "none issued"),
    "inactive": ("已停用", "inactive"),
    "revoked": ("已作废", "revoked"),
    "training_certificate": ("服务认证审查员培训合格证", "auditor training certificate"),
    "competence_evaluation": ("专业能力评价", "competence evaluation"),
}

# task context key → words: what a workflow shows beside a task (workflows/*.py ``context=`` and
# the ``about()`` of workflows/tasks.py). Keys a payload also has fall back to FIELD_LABELS.
CONTEXT_LABELS: dict[str, Words] = {
    "application_id": ("申请编号", "Application"),
    "organization": ("组织", "Organization"),
    "certificate_number": ("证书编号", "Certificate number"),
    "number": ("证书编号", "Certificate number"),
    "audit": ("审查", "Audit"),
    "audit_kind": ("审查类型", "Audit kind"),
    "headcount": ("有效人数", "Effective headcount"),
    "band": ("附录A人数区间", "Appendix A headcount band"),
    "table_person_days": ("附录A审查时间（人日）", "Appendix A audit time (person-days)"),
    "needs_manager_confirmation": ("需主管确认审查时间", "Needs a manager's confirmation"),
    "source": ("审查时间来源", "Source of the audit time"),
    "person_days": ("审查人日", "Audit time (person-days)"),
    "adjustments": ("审查时间调整", "Audit time adjustments"),
    "minimum_person_days": ("最低审查人日", "Minimum audit time (person-days)"),
    "surveillance_year_person_days": ("本年度监督审查人日", "This year's surveillance time (person-days)"),
    "sites": ("经营场所", "Sites"),
    "site": ("暗访的经营场所", "Site to visit"),
    "stage1_on": ("一阶段审查日期", "Stage 1 on"),
    "onsite_start": ("现场审查开始日期", "On-site audit starts"),
    "onsite_end": ("现场审查结束日期", "On-site audit ends"),
    "catalogue": ("评价条目目录", "Item catalogue"),
    "full_assessment": ("评价全部条目", "All items assessed"),
    "sampling": ("抽样", "Sampling"),
    "proposal": ("抽样建议", "Sampling proposal"),
    "reasons": ("抽样理由", "Why sampled"),
    "topics": ("每次监督审查必查内容", "Topics of every surveillance"),
    "remaining_clauses": ("本周期尚未覆盖的条款", "Clauses not yet covered this cycle"),
    "remaining_departments": ("本周期尚未覆盖的部门", "Departments not yet covered this cycle"),
    "important_clauses": ("审查组认为重要的条款", "Clauses the team finds important"),
    "changes": ("获证组织确认的变更", "Changes the organization confirmed"),
    "nonconformities": ("待纠正的不符合项", "Nonconformities to correct"),
    "open_nonconformities": ("未关闭的不符合项", "Open nonconformities"),
    "open_major_nonconformities": ("未关闭的严重不符合项", "Open major nonconformities"),
    "computed_level": ("审查计算的星级", "Level the audit computed"),
    "rating": ("评分结果", "Rating"),
    "recommendation": ("审查组推荐意见", "Team's recommendation"),
    "questions": ("需补充的信息", "Information asked for"),
    "due_on": ("期限", "Due on"),
    "surveillance_due_on": ("监督审查期限", "Surveillance due on"),
    "valid_to": ("证书有效期至", "Certificate valid to"),
    "separate_stage1": ("单独进行一阶段审查", "Separate stage 1"),
    "major_change": ("重大变更", "Major change"),
    "purpose": ("特殊审查目的", "Purpose of the special audit"),
    "reason": ("原因", "Reason"),
    "short_notice": ("提前较短时间通知", "Short notice"),
    "new_scope": ("申请的认证范围", "Scope asked for"),
    "cause": ("暂停原因", "Cause of suspension"),
    "suspended_on": ("暂停日期", "Suspended on"),
    "suspended_until": ("暂停期限至", "Suspended until"),
    "month": ("报告月份", "Month reported"),
    "csv": ("报告（CSV）", "Report (CSV)"),
    "xlsx": ("报告（Excel）", "Report (Excel)"),
    "reminder_provisional": ("提醒日期为暂定", "Reminder date provisional"),
}


def _pick(words: Words, lang: str) -> str:
    return words[1] if lang == "en" else words[0]


def label_of(key: str, title: str, lang: str) -> str:
    """A form field's words; the schema's ``title`` when the field has none here."""
    words = FIELD_LABELS.get(key)
    return title if words is None else _pick(words, lang)


def option_label(value: str, lang: str) -> str:
    """A choice's (or a record's) words; the value itself when it has none here."""
    words = OPTION_LABELS.get(value) or RECORD_WORDS.get(value)  # a record's key has its words there
    return value if words is None else _pick(words, lang)


def context_label(key: str, lang: str) -> str:
    """A task context key's words: its own, else the payload field's of the same name, else the key."""
    words = CONTEXT_LABELS.get(key) or FIELD_LABELS.get(key)
    return key if words is None else _pick(words, lang)


# Context keys whose values are choices of OPTION_LABELS (the others are dates, numbers, names, text).
CONTEXT_CHOICES: frozenset[str] = frozenset({
    "audit_kind", "computed_level", "recommendation", "purpose", "cause", "kind", "action",
})


def context_value_label(key: str, value: object, lang: str) -> object:
    """A context value in words where it is a choice (``three_star`` → 三星级), else the value as it is."""
    if key in CONTEXT_CHOICES and isinstance(value, str):
        return option_label(value, lang)
    return value
