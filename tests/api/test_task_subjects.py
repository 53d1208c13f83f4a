"""Issue 13: inbox rows name the organization and the certificate (three surveillance tasks of three
certificates no longer look alike), and titles are in Chinese unless the caller asks for English."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from schemas.audits import Audit, AuditKind
from schemas.payloads import TASK_PAYLOADS
from schemas.staff import Role
from schemas.task_titles import TITLES_ZH, preferred_language, task_title
from store.audits import record_audit
from store.tasks import upsert_open_task

from ..conftest import certificate_in_register

OPENED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def bearer(token: str, language: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    return headers | ({"Accept-Language": language} if language else {})


async def surveillance_task(pool, certificate) -> str:
    task_id = f"{certificate.workflow_id}/surveillance_changes/1"
    await upsert_open_task(pool, task_id, certificate.workflow_id, "surveillance_changes", "programme_manager",
                           OPENED, subject=str(certificate.application_id),
                           title="organization's changes before surveillance", due_on=date(2026, 2, 1))
    return task_id


async def test_each_inbox_row_names_its_organization_and_certificate(http, pool, staff):
    _, token = await staff(Role.PROGRAMME_MANAGER)
    numbers = [f"CCS-SUBJ-{i}" for i in range(3)]
    certificates = [await certificate_in_register(pool, n, date(2024, 1, 1), date(2027, 1, 1),
                                                  credit_code=f"91110000MA01ABC{i}0X", name=f"第{i}呼叫中心")
                    for i, n in enumerate(numbers)]
    for certificate in certificates:
        await surveillance_task(pool, certificate)
    rows = (await http.get("/api/v1/tasks", headers=bearer(token), params={"kind": "surveillance_changes"})).json()
    named = sorted((r["organization"], r["certificate_number"], r["title"]) for r in rows
                   if r["certificate_number"] in numbers)
    assert named == [(f"第{i}呼叫中心", numbers[i], "监督审查前获证组织的变更") for i in range(3)]

    english = (await http.get("/api/v1/tasks", headers=bearer(token, "en-GB,en;q=0.9,zh;q=0.5"),
                              params={"kind": "surveillance_changes"})).json()
    assert {r["title"] for r in english} == {"organization's changes before surveillance"}


async def test_an_audit_task_names_the_certificate_of_its_certification(http, pool, staff):
    auditor, token = await staff(Role.AUDITOR)
    certificate = await certificate_in_register(pool, "CCS-SUBJ-A", date(2024, 1, 1), date(2027, 1, 1),
                                                credit_code="91110000MA01ABCA0X", name="审核呼叫中心")
    audit_id = f"audit-{certificate.workflow_id}-surveillance-1"
    await record_audit(pool, Audit(id=audit_id, workflow_id=certificate.workflow_id,
                                   organization_id=certificate.organization_id, kind=AuditKind.SURVEILLANCE))
    await upsert_open_task(pool, f"{audit_id}/mystery_shopper_report/1", audit_id, "mystery_shopper_report", "auditor",
                           OPENED, assignee_id=auditor.staff_id, title="mystery-shopper visit to 北京总部",
                           context={"site": "北京总部"})
    detail = (await http.get(f"/api/v1/tasks/{audit_id}/mystery_shopper_report/1", headers=bearer(token))).json()
    assert (detail["organization"], detail["certificate_number"]) == ("审核呼叫中心", "CCS-SUBJ-A")
    assert detail["title"] == "神秘顾客走访：北京总部"
    assert detail["context"] == {"organization": "审核呼叫中心", "certificate_number": "CCS-SUBJ-A", "site": "北京总部"}


async def test_before_the_grant_the_row_names_the_organization_only(http, pool, staff):
    _, token = await staff(Role.REVIEWER)
    wf = f"certification-{uuid.uuid4()}"
    await upsert_open_task(pool, f"{wf}/application_review/1", wf, "application_review", "reviewer", OPENED,
                           title="application review", context={"organization": "新申请呼叫中心"})
    row = (await http.get(f"/api/v1/tasks/{wf}/application_review/1", headers=bearer(token, "en"))).json()
    # Not yet in the register (the process records it first thing): the process's own words stand.
    assert (row["organization"], row["certificate_number"], row["title"]) == (
        "新申请呼叫中心", None, "application review")


def test_every_task_kind_has_a_chinese_title():
    assert set(TASK_PAYLOADS) <= set(TITLES_ZH)


@pytest.mark.parametrize(("header", "language"), [
    (None, "zh"), ("en", "en"), ("en-US", "en"), ("zh-CN,en;q=0.8", "zh"), ("fr, en;q=0.5", "en"),
    ("en;q=0.2, zh;q=0.9", "zh"), ("en;q=0", "zh"), ("de", "zh"), ("en;q=x", "zh"),
])
def test_the_language_follows_accept_language(header, language):
    assert preferred_language(header) == language


def test_a_special_programme_names_its_purpose_in_chinese():
    assert task_title("special_programme", "special audit programme (complaint)", {"purpose": "complaint"},
                      "zh") == "特殊审查方案：投诉"
    assert task_title("unknown_kind", "something new", {}, "zh") == "something new"
