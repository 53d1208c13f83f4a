"""Register rows for the scheduling tests (issue 18), written with the store's own functions as the
workflows' activities write them: an organization with a site, its application, the accepted audit time
(the ``application.accepted`` event, R-9.1.2.8), a certificate with its site and its next due date."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import asyncpg

from schemas.applications import ApplicationRecord, ApplicationStatus
from schemas.certificates import Certificate, CertStatus, StarLevel
from schemas.organizations import Organization, Site
from store.applications import record_application, set_status
from store.certificate_search import record_next_due
from store.certificates import add_certificate_site, allocate_certificate_number, record_certificate
from store.certificates import set_status as set_certificate_status
from store.events import append_event
from store.organizations import upsert_organization, upsert_site

SHANGHAI = ZoneInfo("Asia/Shanghai")
_codes = itertools.count(1)


def credit_code() -> str:
    return f"9144030{next(_codes):011d}"


async def applied(pool: asyncpg.Pool, *, name: str = "深圳示例呼叫中心有限公司",
                  sites: tuple[tuple[str, str, int], ...] = (("南山店", "广东省深圳市南山区科技园1号", 120),),
                  person_days: str | None = "7", status: ApplicationStatus = ApplicationStatus.ACCEPTED,
                  ) -> tuple[ApplicationRecord, list[Site]]:
    """An application of a new organization with ``sites`` (name, address, headcount), accepted with
    ``person_days`` of audit time (None: no such event recorded)."""
    org = await upsert_organization(pool, Organization(id=uuid.uuid4(), name=name, credit_code=credit_code(),
                                                       registered_address=sites[0][1] if sites else ""))
    stored = [await upsert_site(pool, Site(id=uuid.uuid4(), organization_id=org.id, name=n, address=a, headcount=h))
              for n, a, h in sites]
    app_id = uuid.uuid4()
    application = await record_application(pool, ApplicationRecord(
        id=app_id, organization_id=org.id, workflow_id=f"certification-{app_id}", scope="呼叫中心服务",
        data={"organization": {"name": name}, "sites": [{"name": n, "address": a, "headcount": h}
                                                         for n, a, h in sites]},
        submitted_at=datetime(2025, 1, 6, 9, tzinfo=SHANGHAI)))
    if person_days is not None:
        await append_event(pool, f"{application.workflow_id}/application.accepted/2",
                           datetime(2025, 1, 8, 10, tzinfo=SHANGHAI), "system", "application.accepted",
                           rule_id="R-9.1.2.8", workflow_id=application.workflow_id, subject=str(app_id),
                           data={"table_person_days": "8", "person_days": person_days, "reasons": []})
    application = await set_status(pool, app_id, status)
    return application, stored


async def certified(pool: asyncpg.Pool, *, valid_to: date = date(2028, 2, 29), next_due: date | None = None,
                    status: CertStatus = CertStatus.VALID, person_days: str | None = "7",
                    name: str = "深圳示例呼叫中心有限公司",
                    sites: tuple[tuple[str, str, int], ...] = (("南山店", "广东省深圳市南山区科技园1号", 120),),
                    ) -> Certificate:
    """A certificate issued 2025-03-01 on an application accepted at ``person_days``; its next thing due a
    surveillance on ``next_due`` (or nothing), its status ``status``."""
    application, stored = await applied(pool, name=name, sites=sites, person_days=person_days,
                                        status=ApplicationStatus.GRANTED)
    number = await allocate_certificate_number(pool, f"{application.workflow_id}/issue", lambda s: f"CF-2025-{s:05d}")
    certificate = await record_certificate(pool, Certificate(
        number=number, organization_id=application.organization_id, application_id=application.id,
        workflow_id=application.workflow_id, star_level=StarLevel.THREE_STAR, scope="呼叫中心服务",
        issued_on=date(2025, 3, 1), valid_from=date(2025, 3, 1), valid_to=valid_to))
    for index, site in enumerate(stored, start=1):
        await add_certificate_site(pool, number, site.id, index)
    if next_due is not None:
        await record_next_due(pool, number, next_due, "surveillance")
    if status is CertStatus.SUSPENDED:
        await set_certificate_status(pool, number, status, suspended_until=date(2026, 6, 1), on=date(2026, 1, 5))
    elif status is not CertStatus.VALID:
        await set_certificate_status(pool, number, status, on=date(2026, 1, 5))
    return certificate
