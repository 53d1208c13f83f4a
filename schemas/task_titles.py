"""Task titles in the body's language: Chinese by default (the inbox, the staff's mail), English on
``Accept-Language: en``.

The workflows name their tasks in English and those titles stay as they are (changing them would
change the history a running process replays). The Chinese title is read here from the task's kind,
with the detail some kinds carry (the site visited, the purpose of a special audit, the kind of
notification, the month reported) taken from the task's context.
"""

from __future__ import annotations

from typing import Any, Literal

Language = Literal["zh", "en"]
_LANGUAGES: dict[str, Language] = {"zh": "zh", "en": "en"}  # by the primary subtag of a language tag

TITLES_ZH: dict[str, str] = {
    "application_review": "申请评审",
    "audit_time_confirmation": "确认超出附录A表的审查时间",
    "contract": "签订认证合同",
    "programme": "制定认证方案",
    "stage1": "第一阶段审查发现",
    "mystery_shopper_report": "神秘顾客走访",
    "onsite_plan": "向申请方通报现场审查计划",
    "onsite_audit": "现场审查结果",
    "nonconformity_follow_up": "不符合项跟踪验证",
    "audit_report": "审查报告与推荐意见",
    "materials_review": "审查材料审核",
    "certification_decision": "认证决定",
    "more_information": "为决定补充信息",
    "surveillance_changes": "监督审查前获证组织的变更",
    "surveillance_programme": "监督审查方案与抽样",
    "surveillance_review": "审查组评审变更",
    "surveillance_decision": "监督审查决定",
    "recertification_application": "再认证申请",
    "recertification_programme": "再认证方案",
    "recertification_decision": "再认证决定",
    "special_programme": "特殊审查方案",
    "special_decision": "特殊审查后的决定",
    "suspension_outcome": "暂停期满未恢复：撤销或缩小范围",
    "notification_triage": "获证组织通报的分析处理",
    "overdue_suspension": "确认暂停：监督审查逾期",
    "regulator_report": "报送认监委月度报告",
}

_DETAIL_WORDS: dict[str, str] = {
    # special audit purposes
    "scope_change": "范围变更", "complaint": "投诉", "change_reported": "通报的变更",
    "suspension_follow_up": "暂停后跟踪",
    # notifications
    "business_change": "经营变更", "site_change": "场所变更", "organization_change": "组织变更",
    "document_change": "文件变更", "serious_incident": "重大事件", "other": "其他",
}

# Which context key, if any, completes the title of a kind.
_DETAIL_KEY: dict[str, str] = {
    "mystery_shopper_report": "site", "special_programme": "purpose", "notification_triage": "kind",
    "regulator_report": "month",
}


def preferred_language(accept_language: str | None) -> Language:
    """English when the header prefers English to Chinese (by q-value, then order), else Chinese."""
    best: tuple[float, int, Language] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        language = _LANGUAGES.get(tag.strip().lower().split("-")[0])
        if language is None:
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        candidate = (quality, -position, language)
        if quality > 0 and (best is None or candidate > best):
            best = candidate
    return best[2] if best else "zh"


def task_title(kind: str, english: str, context: dict[str, Any], language: Language) -> str:
    """The title to show; a kind this table does not know keeps the workflow's own title."""
    if language == "en" or kind not in TITLES_ZH:
        return english
    title = TITLES_ZH[kind]
    detail = context.get(_DETAIL_KEY.get(kind, ""))
    if isinstance(detail, str) and detail:
        title += f"：{_DETAIL_WORDS.get(detail, detail)}"
    return title
