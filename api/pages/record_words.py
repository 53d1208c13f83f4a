"""Words for what the register records (due dates, versions, timeline events) and for the API's
refusals' titles, in Chinese and English; a key without words here is shown as it is."""

from __future__ import annotations

Words = tuple[str, str]  # (Chinese, English)

# What the register's records say, by their keys: what is due next (workflows/contracts.py DueDate), what
# made a certificate's version (schemas/certificate_versions.py VersionChange), the events of a timeline.
RECORD_WORDS: dict[str, Words] = {
    "surveillance": ("监督审查", "surveillance"),
    "suspension_end": ("暂停期满", "end of the suspension"),
    "recertification_invitation": ("邀请再认证", "recertification invitation"),
    "expiry": ("证书到期", "expiry"),
    "issued": ("颁发", "issued"),
    "reissued": ("换发", "reissued"),
    "sites_changed": ("场所变更", "sites changed"),
    "reinstated": ("恢复", "reinstated"),
    "renewed": ("再认证换证", "renewed"),
    "status_changed": ("状态变更", "status changed"),
    "carried_over": ("迁入（此前未分版本）", "carried over (before versions were kept)"),
    "application.received": ("收到认证申请", "application received"),
    "audit_time.confirmed": ("审查时间已确认", "audit time confirmed"),
    "certificate.document": ("证书文件已生成", "certificate document issued"),
    "certificate.expired": ("证书到期注销", "certificate expired"),
    "certificate.granted": ("批准认证，颁发证书", "certificate granted"),
    "certificate.recertified": ("再认证通过", "recertified"),
    "certificate.reinstated": ("恢复证书", "certificate reinstated"),
    "certificate.reissued": ("换发证书", "certificate reissued"),
    "certificate.scope_reduced": ("缩小认证范围", "scope reduced"),
    "certificate.suspended": ("暂停证书", "certificate suspended"),
    "certificate.withdrawn": ("撤销证书", "certificate withdrawn"),
    "notice.surveillance_due_staff": ("已提醒人员：监督审查将到期", "staff told: surveillance due"),
    "notification.received": ("收到组织报告的事项", "notification received"),
    "notification.triaged": ("组织报告的事项已分类处理", "notification triaged"),
    "programme.revised": ("审查方案已修改", "programme revised"),
    "programme.version": ("审查方案新版本", "programme version"),
    "recertification.declined": ("组织不申请再认证", "recertification declined"),
    "recertification.refused": ("不予再认证", "recertification refused"),
    "special_audit.decided": ("特殊审查后作出决定", "decided after a special audit"),
    "special_audit.ordered": ("安排特殊审查", "special audit ordered"),
    "stage1.not_ready": ("一阶段审查：尚不具备现场审查条件", "stage 1: not ready for the on-site audit"),
    "surveillance.decided": ("监督审查决定", "surveillance decided"),
    "surveillance.overdue": ("监督审查逾期", "surveillance overdue"),
    "suspension.unresolved": ("暂停期满仍未解决", "suspension unresolved"),
    "task.completed": ("任务完成", "task completed"),
    "task.opened": ("任务开始", "task opened"),
}


# the titles of the API's refusals (api/problems.py, api/processes.py, api/pages/) → (Chinese, English)
PROBLEM_TITLES: dict[str, Words] = {
    "Task not open": ("任务已不再待办", "Task not open"),
    "Not yours to do": ("不在您的职责范围内", "Not yours to do"),
    "Conflict of impartiality": ("存在公正性冲突", "Conflict of impartiality"),
    "The answer is not complete or not valid": ("填写不完整或不正确", "The answer is not complete or not valid"),
    "Refused by a rule of the scheme": ("不符合认证规则", "Refused by a rule of the scheme"),
    "Not possible in the certificate's present state": ("证书当前状态下不能这样做",
                                                        "Not possible in the certificate's present state"),
    "Process did not answer": ("流程暂未响应", "Process did not answer"),
    "Form not accepted": ("表单未被接受", "Form not accepted"),
    "Unprocessable Entity": ("内容不正确", "Not valid"),
    "Not valid": ("内容不正确", "Not valid"),
    "Forbidden": ("无权操作", "Forbidden"),
    "Not Found": ("未找到", "Not found"),
    "Conflict": ("与当前状态冲突", "Conflict"),
    "Unauthorized": ("需要登录", "Sign-in needed"),
    "Service Unavailable": ("暂时无法使用", "Service unavailable"),
    "Too Many Requests": ("请求过于频繁", "Too many requests"),
}


def problem_title(title: object, lang: str) -> str:
    """A refusal's title in the reader's language; one not in the table as the API wrote it."""
    words = PROBLEM_TITLES.get(str(title or ""))
    return (words[1] if lang == "en" else words[0]) if words else str(title or "")
