"""Notices come from templates the body can edit (Jinja2): shipped ones in Chinese, the body's own
directory wins, and a template the process cannot fill is refused instead of sending a blank."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.records import EventInput, Notice, RecordActivities
from activities.templates import SHIPPED, MailTemplates, TemplateMissing

N = "CFB-CCS-2026-00001"
PARAMS = {
    "application_rejected": {"reasons": "范围不符", "application_id": "A-1"},
    "certification_refused": {"reasons": "不达标", "application_id": "A-1"},
    "certificate_granted": {"number": "CFB-CCS-2026-00001", "star_level": "four_star", "valid_from": "2026-11-25",
                            "valid_to": "2029-11-24", "application_id": "A-1"},
    "stage1_not_ready": {"concerns": "文件未受控"},
    "task_reminder": {"name": "李", "title": "申请评审", "task_id": "t/1", "role": "reviewer", "rule_id": "R-9.1.2",
                      "due_on": "2026-11-30", "due_provisional": False},
    "task_escalation": {"name": "赵", "title": "申请评审", "task_id": "t/1", "role": "reviewer", "rule_id": "R-9.1.2",
                        "due_on": "2026-11-30", "due_provisional": True},
    "surveillance_reminder": {"number": N, "due_on": "2027-11-24", "days_before": 30},
    "surveillance_due_staff": {"name": "王", "number": N, "due_on": "2027-11-24", "days_before": 60},
    "certificate_maintained": {"number": N, "star_level": "three_star"},
    "certificate_suspended": {"number": N, "reason": "逾期未监督", "cause": "未按期接受监督审查",
                              "suspended_until": "2028-05-24"},
    "certificate_reinstated": {"number": N, "reason": "特殊审查验证通过"},
    "certificate_withdrawn": {"number": N, "reason": "暂停期满未整改", "withdrawn_on": "2028-05-25"},
    "certificate_scope_reduced": {"number": N, "reason": "分中心不符合", "scope": "呼叫中心服务（总部）",
                                  "removed_sites": ["二号场所"]},
    "certificate_reissued": {"number": N, "revision": 1, "reissued_on": "2027-03-01", "changes": "名称: 新名称"},
    "recertification_invitation": {"number": N, "valid_to": "2029-11-24", "decision_deadline": "2029-11-24"},
    "certificate_renewed": {"number": N, "star_level": "five_star", "valid_from": "2029-11-25",
                            "valid_to": "2032-11-24"},
    "certificate_expired": {"number": N, "valid_to": "2029-11-24"},
    "special_audit_notice": {"number": N, "purpose": "complaint", "reason": "重大投诉", "short_notice": True,
                             "onsite_hint": ""},
    "notification_received": {"number": N, "kind": "serious_incident", "received_on": "2027-02-01"},
    "task_assigned": {"name": "李", "title": "一阶段审查", "task_id": "t/2", "role": "auditor", "rule_id": "R-9.1.5",
                      "due_on": "2026-12-01", "due_provisional": False},
    "staff_digest": {"name": "李", "day": "2026-12-03", "overdue": 1, "shared": [], "assigned": [
        {"title": "一阶段审查", "task_id": "t/2", "role": "auditor", "due_on": "2026-12-01", "due_provisional": False,
         "overdue": True, "available_from": None}]},
    "application_received": {"application_id": "A-1", "submitted_on": "2026-11-25", "review_due_on": "2026-11-30",
                             "review_due_provisional": False},
    "application_accepted": {"application_id": "A-1", "person_days": "8", "adjustments": ["多场所"]},
    "programme_notice": {"kind_words": "初次认证", "version": 1, "team": [{"name": "李组长", "role": "审查组长"}],
                         "stage1_on": "2026-12-01", "onsite_start": "2026-12-10", "onsite_end": "2026-12-12",
                         "person_days": "8"},
    "onsite_plan": {"plan": "现场审查计划：首次会议 9:00", "onsite_start": "2026-12-10", "onsite_end": "2026-12-12",
                    "leader": "李组长", "short_notice": False},
    "audit_report": {"kind_words": "初次认证", "summary": "总体符合", "recommendation_words": "推荐认证",
                     "findings": [{"id": "F-1", "kind_words": "一般不符合", "description": "录音未保存",
                                   "open": False}]},
}


def test_every_shipped_template_renders_in_chinese():
    shipped = {p.name.removesuffix(".txt.j2") for p in SHIPPED.glob("*.txt.j2") if not p.name.startswith("_")}
    assert shipped == set(PARAMS)
    templates = MailTemplates(body_name="示例认证中心")
    for name, params in PARAMS.items():
        subject, body = templates.render(name, {"organization": "示例呼叫中心", **params})
        assert subject and "\n" not in subject and any("\u4e00" <= ch <= "\u9fff" for ch in subject), name
        assert all(str(v) in body for k, v in params.items() if k in ("reasons", "concerns", "number", "task_id"))
    subject, body = templates.render("certificate_granted", PARAMS["certificate_granted"])
    assert subject == "认证决定：批准认证（证书编号 CFB-CCS-2026-00001）"
    assert "四星级" in body and "示例认证中心" in body
    assert "暂定" in templates.render("task_escalation", PARAMS["task_escalation"])[1]


def test_life_notices_say_what_the_scheme_requires_R_9_6_4_R_9_6_7_R_10_4():
    templates = MailTemplates()
    subject, body = templates.render("certificate_suspended", PARAMS["certificate_suspended"])
    assert "暂停" in subject and "2028-05-24" in body and "无效" in body  # end date, invalid while suspended
    subject, body = templates.render("certificate_withdrawn", PARAMS["certificate_withdrawn"])
    assert "撤销" in subject and "标志" in subject and "停止" in body and "10.4" in body
    subject, body = templates.render("certificate_scope_reduced", PARAMS["certificate_scope_reduced"])
    assert "二号场所" in body
    assert "监督" in templates.render("surveillance_reminder", PARAMS["surveillance_reminder"])[0]
    assert "五星级" in templates.render("certificate_renewed", PARAMS["certificate_renewed"])[1]
    assert "投诉调查" in templates.render("special_audit_notice", PARAMS["special_audit_notice"])[0]


def test_the_bodys_own_template_wins(tmp_path):
    (tmp_path / "application_rejected.txt.j2").write_text(
        "{% set subject %}关于申请 {{ application_id }} 的通知{% endset %}不予受理：{{ reasons }}", encoding="utf-8")
    subject, body = MailTemplates(tmp_path).render("application_rejected", PARAMS["application_rejected"])
    assert subject == "关于申请 A-1 的通知" and body == "不予受理：范围不符\n"
    # Templates it did not override are still the shipped ones.
    assert MailTemplates(tmp_path).render("stage1_not_ready", PARAMS["stage1_not_ready"])[0].startswith("一阶段")


def test_an_unknown_template_is_named():
    with pytest.raises(TemplateMissing, match="no_such"):
        MailTemplates().render("no_such", {})


async def test_a_template_the_process_cannot_fill_is_refused_not_retried(pool, tmp_path):
    (tmp_path / "application_rejected.txt.j2").write_text(
        "{% set subject %}通知{% endset %}{{ something_the_process_never_gives }}", encoding="utf-8")
    records = RecordActivities(pool, MailTemplates(tmp_path))
    now = datetime(2026, 11, 25, tzinfo=UTC)
    notice = Notice(key="k/1", to="c@example.cn", template="application_rejected",
                    params=PARAMS["application_rejected"],
                    event=EventInput(key="k/1", at=now, kind="notice.application_rejected"))
    with pytest.raises(ApplicationError) as error:
        await ActivityEnvironment().run(records.send_notice, notice)
    assert error.value.non_retryable and error.value.type == "MailTemplateError"
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0  # nothing blank was queued
