"""The Chinese for the hints a form shows under its fields: the models' English field descriptions.

Keyed by the English text itself, so that one field name with different meanings in different models
(``reasons``, ``person_days``, ``scope``) gets each meaning's own words, and a description that changes
shows in English until it is translated again (tests/pages/test_page_labels.py names it).
"""

from __future__ import annotations

HINTS_ZH: dict[str, str] = {
    # capacity and absences (issue 18)
    "the city the person travels from, e.g. 上海": "出差出发的城市，如 上海",
    "audit days a month at most; absent or null: the body's default": "每月最多审查天数；留空即机构默认值",
    "the first day away": "不在岗的第一天",
    "the last day away: not before starts_on, at most 366 days on": "不在岗的最后一天：不早于开始日期，最长366天",
    "e.g. 年假; seen by those who plan the audits": "如 年假；安排审查的人可见",
    # the application
    "统一社会信用代码, 18 characters": "统一社会信用代码，18位",
    "reference of the legal status proof": "法律地位证明文件的编号",
    "effective headcount at the site (Appendix A)": "该场所的有效人数（附录A）",
    "the service to be certified (certified service category)": "申请认证的服务（认证服务类别）",
    "administrative licences where required": "法规要求时的行政许可文件",
    "keys of the materials supplied: business_licence, service_licence, service_description, applicable_laws, "
    "organization_profile, organization_chart, facilities_and_funding, existing_certificates, "
    "service_document_list":
        "已提交材料的代号：business_licence 营业执照、service_licence 服务许可证、service_description 服务说明、"
        "applicable_laws 法律法规清单、organization_profile 组织简介、organization_chart 组织机构图、"
        "facilities_and_funding 设施和经费、existing_certificates 已获证书、service_document_list 服务文件清单",
    # application review and audit time (R-9.1.2, Appendix A)
    "required when rejecting: they go to the applicant in writing (R-9.1.2.8)":
        "不受理时必填：以书面形式通知申请人（R-9.1.2.8）",
    "the audit time set instead (with change)": "更改后的审查时间（选择“更改”时）",
    "why the time changes: required with change, recorded with the time":
        "更改审查时间的原因：更改时必填，与审查时间一并记录",
    # the programme
    "audit time, not below the reviewed audit time (R-9.1.2.7)": "审查时间，不低于申请评审确定的人日（R-9.1.2.7）",
    "on-site part, at least 80 % of person_days (R-A.n1a)": "其中现场审查部分，不低于审查人日的80%（R-A.n1a）",
    "required where the audit has a separate stage 1 (R-9.1.5, R-9.3)": "单独进行一阶段审查时必填（R-9.1.5、R-9.3）",
    "the site's name as in the application": "与申请书中一致的场所名称",
    # stage 1 and the on-site audit
    "required when not ready: they are told to the applicant": "不具备条件时必填：将告知申请方",
    "the day stage 1 took place; omitted: the programme's day. Not after today (dates are facts)":
        "一阶段审查实际进行的日期；不填则取认证方案中的日期。不得晚于今天（日期须为事实）",
    "R-9.1.8: the auditee's acknowledgement": "R-9.1.8：受审查方认同的日期",
    "first on-site day; omitted: the programme's onsite_start": "现场审查第一天；不填则取认证方案中的开始日期",
    "last on-site day; omitted: the programme's onsite_end. Not after today: results are recorded once the audit "
    "is over": "现场审查最后一天；不填则取认证方案中的结束日期。不得晚于今天：审查结束后才登记结果",
    # decisions
    "when granting: not above the level the audit computed (R-6.result)":
        "同意认证注册时填写：不高于审查计算的星级（R-6.result）",
    "when renewing: not above the level the audit computed (R-6.result)":
        "同意再认证时填写：不高于审查计算的星级（R-6.result）",
    "required when refusing: sent in writing (R-9.1.9 c)": "不同意认证注册时必填：书面通知申请组织（R-9.1.9 c）",
    "required when asking for more information (R-9.1.9 b)": "要求补充信息时必填（R-9.1.9 b）",
    "required when asking for more information": "要求补充信息时必填",
    "required when not maintaining: sent in writing": "不保持认证时必填：书面通知获证组织",
    "what the decision maker needs to know first (more_information)": "作出决定前需要了解的信息（选择“补充信息”时）",
    "the scope agreed (scope change) or kept (reduction)": "同意的认证范围（变更时）或保留的认证范围（缩小时）",
    # surveillance and recertification
    "name, address, legal status, scale ... ('' = none)": "名称、地址、法律地位、规模等（无变化则留空）",
    "the organization's current departments": "获证组织现有的部门",
    "sampled in every surveillance (R-9.2.5 (2))": "每次监督审查都须抽到（R-9.2.5 (2)）",
    "R-9.2.5 (4)": "R-9.2.5 (4)：审查组认为重要、应考虑抽样的条款",
    "false: the organization declines; the certificate will expire": "选“否”：获证组织不申请再认证，证书将到期失效",
    "of the organization or its environment (e.g. the law)": "获证组织或其运作环境（如法律）的重大变更",
    "the body's choice: stage 1 apart from the on-site audit": "由认证机构决定：一阶段审查与现场审查分开进行",
    # suspension, actions and notifications, the regulator's report
    "who let the window close: the organization refused or delayed, or the body did":
        "监督审查逾期的责任方：获证组织拒绝或拖延，还是认证机构自身",
    "recorded and sent to the organization in writing": "予以记录，并书面通知获证组织",
    "how long the organization has to resolve it; at most the policy's suspension limit (R-9.6.3, default 6)":
        "获证组织解决问题的期限；不超过规定的暂停期上限（R-9.6.3，默认6个月）",
    "how the cause of the suspension was resolved": "造成暂停的问题是如何解决的",
    "the scope that remains certified": "缩小后仍予认证的范围",
    "site names taken out (R-9.6.6)": "移出认证范围的场所名称（R-9.6.6）",
    "R-9.4.1: the scope asked for (scope changes only)": "R-9.4.1：申请变更或扩大后的认证范围（仅限范围变更）",
    "a major complaint or serious incident: triaged immediately": "重大投诉或严重事故：立即分析处理",
    "e.g. the submission number the authority's system gave": "例如认监委系统给出的报送编号",
}


def hint_of(description: str, lang: str) -> str:
    """A field's hint in the reader's language: the Chinese where there is one, else the English as written."""
    if lang == "en":
        return description
    return HINTS_ZH.get(description, description)
