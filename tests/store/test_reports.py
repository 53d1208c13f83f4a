"""The regulator's monthly report (CNCA): which certificates a month lists, with their status at the end
of the month (R-9.6.8) and what happened to them in it, as the register and its event log say."""

from datetime import UTC, date, datetime, timedelta

import pytest

from schemas.certificates import Certificate, CertStatus, StarLevel
from schemas.errors import InvalidInput
from schemas.reports import CncaRow, MonthEvent, MonthHappening, month_end
from store.certificates import (
    record_reissue,
    set_status,
)
from store.events import append_event
from store.reports import cnca_rows

from ..conftest import certificate_in_register
from .conftest import at, credit_code

NOVEMBER, OCTOBER = date(2026, 11, 1), date(2026, 10, 1)


async def certify(pool, number: str, issued_on: date, valid_to: date, *, name: str | None = None,
                  level: StarLevel = StarLevel.THREE_STAR, granted: bool = False) -> Certificate:
    """A certificate in the register; ``granted`` also logs the certificate.granted event as the grant
    activity does (subject: the number)."""
    cert = await certificate_in_register(pool, number, issued_on, valid_to, credit_code=credit_code(), name=name,
                                         level=level)
    if granted:
        await log(pool, number, "certificate.granted", at(issued_on.year, issued_on.month, issued_on.day, 10))
    return cert


async def log(pool, subject: str, kind: str, when: datetime) -> None:
    await append_event(pool, f"{subject}/{kind}/{when.isoformat()}", when, "system", kind, subject=subject)


def by_number(rows: list[CncaRow]) -> dict[str, CncaRow]:
    return {r.number: r for r in rows}


@pytest.fixture
async def register(pool) -> dict[str, Certificate]:
    """A register as it stands at the start of December 2026."""
    c = {}
    # Issued in November.
    c["issued"] = await certify(pool, "CCS2026-0101", date(2026, 11, 3), date(2029, 11, 2), granted=True,
                                level=StarLevel.FOUR_STAR, name="上海新发呼叫中心有限公司")
    # Reissued in November: same number and validity, reissue date noted, scope changed.
    c["reissued"] = await certify(pool, "CCS2025-0102", date(2025, 6, 2), date(2028, 6, 1))
    await record_reissue(pool, "CCS2025-0102", revision=1, reissued_on=date(2026, 11, 10),
                         scope="呼叫中心客户服务及外呼")
    await log(pool, "CCS2025-0102", "certificate.reissued", at(2026, 11, 10, 15))
    # Expired in November: valid to 14 November, the workflow expires it at the start of the 15th and logs
    # certificate.expired under the application id (workflows/certification.py today).
    c["expired"] = await certify(pool, "CCS2023-0103", date(2023, 11, 15), date(2026, 11, 14), granted=True)
    await set_status(pool, "CCS2023-0103", CertStatus.EXPIRED, on=date(2026, 11, 15))
    await log(pool, str(c["expired"].application_id), "certificate.expired", at(2026, 11, 15, 0, 0))
    # Valid all month, nothing changed.
    c["valid"] = await certify(pool, "CCS2025-0104", date(2025, 3, 2), date(2028, 3, 1), level=StarLevel.COMPLIANT)
    # Suspended in November, until May.
    c["suspended"] = await certify(pool, "CCS2025-0105", date(2025, 1, 10), date(2028, 1, 9))
    await log(pool, "CCS2025-0105", "certificate.suspended", at(2026, 11, 20, 9, 30))
    await set_status(pool, "CCS2025-0105", CertStatus.SUSPENDED, suspended_until=date(2027, 5, 20),
                     on=date(2026, 11, 20))
    # Suspended in May, withdrawn in November.
    c["withdrawn"] = await certify(pool, "CCS2024-0106", date(2024, 5, 6), date(2027, 5, 5))
    await log(pool, "CCS2024-0106", "certificate.suspended", at(2026, 5, 6, 11))
    await log(pool, "CCS2024-0106", "certificate.withdrawn", at(2026, 11, 6, 14))
    await set_status(pool, "CCS2024-0106", CertStatus.WITHDRAWN, on=date(2026, 11, 6))
    # Suspended in October and still suspended: not valid in November, but its suspension is public.
    c["still_suspended"] = await certify(pool, "CCS2025-0107", date(2025, 8, 1), date(2028, 7, 31))
    await log(pool, "CCS2025-0107", "certificate.suspended", at(2026, 10, 12, 10))
    await set_status(pool, "CCS2025-0107", CertStatus.SUSPENDED, suspended_until=date(2027, 4, 12),
                     on=date(2026, 10, 12))
    # Expired in October: valid to 20 October.
    c["expired_october"] = await certify(pool, "CCS2023-0108", date(2023, 10, 21), date(2026, 10, 20))
    await set_status(pool, "CCS2023-0108", CertStatus.EXPIRED, on=date(2026, 10, 21))
    # Withdrawn last year.
    c["withdrawn_2025"] = await certify(pool, "CCS2024-0109", date(2024, 1, 8), date(2027, 1, 7))
    await log(pool, "CCS2024-0109", "certificate.withdrawn", at(2025, 3, 1, 10))
    await set_status(pool, "CCS2024-0109", CertStatus.WITHDRAWN, on=date(2025, 3, 1))
    # Issued in December.
    c["december"] = await certify(pool, "CCS2026-0110", date(2026, 12, 2), date(2029, 12, 1), granted=True)
    return c


async def test_november_lists_each_certificate_with_its_status_and_event_of_the_month(pool, register):
    rows = await cnca_rows(pool, NOVEMBER)
    assert [r.number for r in rows] == sorted(r.number for r in rows)  # by number
    found = {r.number: (r.event, r.event_on, r.status) for r in rows}
    assert found == {
        "CCS2026-0101": (MonthEvent.ISSUED, date(2026, 11, 3), CertStatus.VALID),
        "CCS2025-0102": (MonthEvent.REISSUED, date(2026, 11, 10), CertStatus.VALID),
        "CCS2023-0103": (MonthEvent.EXPIRED, date(2026, 11, 15), CertStatus.EXPIRED),  # the day after valid_to
        "CCS2025-0104": (MonthEvent.VALID, None, CertStatus.VALID),
        "CCS2025-0105": (MonthEvent.SUSPENDED, date(2026, 11, 20), CertStatus.SUSPENDED),
        "CCS2024-0106": (MonthEvent.WITHDRAWN, date(2026, 11, 6), CertStatus.WITHDRAWN),
        "CCS2025-0107": (MonthEvent.SUSPENDED, None, CertStatus.SUSPENDED),  # suspended before, still suspended
    }  # not listed: expired in October, withdrawn in 2025, issued in December


async def test_a_row_carries_the_registers_content_in_the_regulators_words(pool, register):
    rows = by_number(await cnca_rows(pool, NOVEMBER))
    issued = rows["CCS2026-0101"]
    org = await pool.fetchrow("SELECT name, credit_code FROM organizations WHERE id = $1",
                              register["issued"].organization_id)
    assert (issued.organization_name, issued.credit_code) == (org["name"], org["credit_code"])
    assert issued.organization_name == "上海新发呼叫中心有限公司"
    assert (issued.scope, issued.issued_on, issued.reissued_on, issued.valid_from, issued.valid_to) == (
        "呼叫中心客户服务", date(2026, 11, 3), None, date(2026, 11, 3), date(2029, 11, 2))
    assert (issued.star_level_zh, issued.star_level_en) == ("四星级", "four-star")
    assert (issued.status_zh, issued.status_en) == ("有效", "valid")
    assert (issued.event_zh, issued.event_en) == ("新发证", "issued")
    assert issued.happenings == (MonthHappening(event=MonthEvent.ISSUED, on=date(2026, 11, 3)),)

    reissued = rows["CCS2025-0102"]
    assert (reissued.reissued_on, reissued.scope) == (date(2026, 11, 10), "呼叫中心客户服务及外呼")
    assert (reissued.valid_from, reissued.valid_to) == (date(2025, 6, 2), date(2028, 6, 1))  # same validity
    assert rows["CCS2025-0104"].star_level_zh == "达标级"
    assert [(r.status_zh, r.event_zh) for r in (rows["CCS2023-0103"], rows["CCS2024-0106"], rows["CCS2025-0105"])] == [
        ("注销", "注销"), ("撤销", "撤销"), ("暂停", "暂停")]


async def test_an_earlier_month_shows_the_status_at_its_end_not_todays(pool, register):
    rows = by_number(await cnca_rows(pool, OCTOBER))
    found = {n: (r.event, r.event_on, r.status) for n, r in rows.items()}
    assert found == {
        "CCS2025-0102": (MonthEvent.VALID, None, CertStatus.VALID),
        "CCS2023-0103": (MonthEvent.VALID, None, CertStatus.VALID),  # expires in November
        "CCS2025-0104": (MonthEvent.VALID, None, CertStatus.VALID),
        "CCS2025-0105": (MonthEvent.VALID, None, CertStatus.VALID),  # suspended only in November
        "CCS2024-0106": (MonthEvent.SUSPENDED, None, CertStatus.SUSPENDED),  # suspended since May
        "CCS2025-0107": (MonthEvent.SUSPENDED, date(2026, 10, 12), CertStatus.SUSPENDED),
        "CCS2023-0108": (MonthEvent.EXPIRED, date(2026, 10, 21), CertStatus.EXPIRED),
    }  # not listed: withdrawn in 2025, issued in November and December
    # October's row shows the certificate as it was in October, before its reissue in November.
    assert (rows["CCS2025-0102"].reissued_on, rows["CCS2025-0102"].scope) == (None, "呼叫中心客户服务")


async def test_a_month_still_running_is_reported_up_to_today_and_one_not_begun_is_refused(pool, register):
    rows = by_number(await cnca_rows(pool, NOVEMBER, as_of=date(2026, 11, 12)))
    assert (rows["CCS2024-0106"].event, rows["CCS2024-0106"].status) == (MonthEvent.WITHDRAWN, CertStatus.WITHDRAWN)
    assert (rows["CCS2025-0105"].event, rows["CCS2025-0105"].status) == (MonthEvent.VALID, CertStatus.VALID)
    assert (rows["CCS2023-0103"].event, rows["CCS2023-0103"].status) == (MonthEvent.VALID, CertStatus.VALID)
    assert rows["CCS2025-0102"].event is MonthEvent.REISSUED  # on the 10th
    with pytest.raises(InvalidInput, match="2026-12 has not begun"):
        await cnca_rows(pool, date(2026, 12, 1), as_of=date(2026, 11, 30))


async def test_the_month_is_shanghais(pool):
    """An event belongs to the Asia/Shanghai day it occurred on: 16:30 UTC on 31 October is 1 November."""
    await certify(pool, "CCS2025-0201", date(2025, 2, 3), date(2028, 2, 2))
    await log(pool, "CCS2025-0201", "certificate.suspended", datetime(2026, 10, 31, 16, 30, tzinfo=UTC))
    await certify(pool, "CCS2025-0202", date(2025, 2, 3), date(2028, 2, 2))
    await log(pool, "CCS2025-0202", "certificate.suspended", datetime(2026, 11, 30, 16, 30, tzinfo=UTC))
    for number, on in (("CCS2025-0201", date(2026, 11, 1)), ("CCS2025-0202", date(2026, 12, 1))):
        await set_status(pool, number, CertStatus.SUSPENDED, suspended_until=date(2027, 4, 30), on=on)
    rows = by_number(await cnca_rows(pool, NOVEMBER))
    assert (rows["CCS2025-0201"].event, rows["CCS2025-0201"].event_on) == (MonthEvent.SUSPENDED, date(2026, 11, 1))
    assert (rows["CCS2025-0202"].event, rows["CCS2025-0202"].status) == (MonthEvent.VALID, CertStatus.VALID)
    assert rows["CCS2025-0201"].status is CertStatus.SUSPENDED
    assert "CCS2025-0201" in by_number(await cnca_rows(pool, OCTOBER))  # valid in October until its last day


async def test_several_events_in_a_month_the_last_is_the_event_of_the_month_and_all_are_kept(pool):
    await certify(pool, "CCS2026-0301", date(2026, 11, 2), date(2029, 11, 1), granted=True)
    await log(pool, "CCS2026-0301", "certificate.suspended", at(2026, 11, 25, 9))
    await set_status(pool, "CCS2026-0301", CertStatus.SUSPENDED, suspended_until=date(2027, 5, 25),
                     on=date(2026, 11, 25))
    [row] = await cnca_rows(pool, NOVEMBER)
    assert (row.event, row.event_on, row.status) == (MonthEvent.SUSPENDED, date(2026, 11, 25), CertStatus.SUSPENDED)
    assert [(h.event, h.on) for h in row.happenings] == [
        (MonthEvent.ISSUED, date(2026, 11, 2)), (MonthEvent.SUSPENDED, date(2026, 11, 25))]


async def test_a_scope_reduction_is_a_change_and_its_status_is_public(pool):
    """R-9.6.6 / R-9.6.8: a scope reduction is reported as a change (变更) with the status 缩小认证范围."""
    await certify(pool, "CCS2025-0401", date(2025, 4, 1), date(2028, 3, 31))
    await log(pool, "CCS2025-0401", "certificate.scope_reduced", at(2026, 11, 9, 10))
    await set_status(pool, "CCS2025-0401", CertStatus.SCOPE_REDUCED, on=date(2026, 11, 9))
    [row] = await cnca_rows(pool, NOVEMBER)
    assert (row.event, row.event_on, row.status_zh) == (MonthEvent.REISSUED, date(2026, 11, 9), "缩小认证范围")
    [december] = await cnca_rows(pool, date(2026, 12, 1))
    assert (december.event, december.status) == (MonthEvent.VALID, CertStatus.SCOPE_REDUCED)


async def test_expiry_is_dated_by_the_validity_and_a_cancellation_by_its_event(pool):
    """R-10.1: a certificate expires the day after valid_to, even when the worker records it days later;
    a certificate.expired event before the end of the validity is a cancellation (注销) on its day."""
    late = await certify(pool, "CCS2023-0501", date(2023, 10, 31), date(2026, 10, 30))
    await log(pool, str(late.application_id), "certificate.expired", at(2026, 11, 3, 8))  # the worker was down
    await set_status(pool, "CCS2023-0501", CertStatus.EXPIRED, on=date(2026, 10, 31))
    await certify(pool, "CCS2025-0502", date(2025, 5, 5), date(2028, 5, 4))
    await log(pool, "CCS2025-0502", "certificate.expired", at(2026, 11, 18, 16))
    await set_status(pool, "CCS2025-0502", CertStatus.EXPIRED, on=date(2026, 11, 18))

    october = by_number(await cnca_rows(pool, OCTOBER))
    assert (october["CCS2023-0501"].event, october["CCS2023-0501"].event_on) == (MonthEvent.EXPIRED, date(2026, 10, 31))
    assert october["CCS2023-0501"].status is CertStatus.EXPIRED
    assert (october["CCS2025-0502"].event, october["CCS2025-0502"].status) == (MonthEvent.VALID, CertStatus.VALID)
    november = by_number(await cnca_rows(pool, NOVEMBER))
    assert "CCS2023-0501" not in november  # expired in October, once
    expired = november["CCS2025-0502"]
    assert (expired.event, expired.event_on) == (MonthEvent.EXPIRED, date(2026, 11, 18))
    assert "CCS2025-0502" not in by_number(await cnca_rows(pool, date(2026, 12, 1)))


async def test_a_certificate_recertified_after_the_month_stays_in_it(pool):
    """R-9.3: a recertification moves issued_on; the certificate.granted event keeps its first issue."""
    from store.certificates import record_recertification

    await certify(pool, "CCS2024-0601", date(2024, 1, 10), date(2027, 1, 9), granted=True)
    await record_recertification(pool, "CCS2024-0601", issued_on=date(2026, 12, 5), valid_from=date(2027, 1, 10),
                                 valid_to=date(2030, 1, 9), star_level=StarLevel.FIVE_STAR)
    [row] = await cnca_rows(pool, NOVEMBER)
    assert (row.number, row.event, row.status) == ("CCS2024-0601", MonthEvent.VALID, CertStatus.VALID)
    [row] = await cnca_rows(pool, date(2026, 12, 1))
    assert (row.event, row.event_on) == (MonthEvent.ISSUED, date(2026, 12, 5))


async def test_month_is_any_day_of_it_and_never_a_datetime(pool, register):
    assert await cnca_rows(pool, date(2026, 11, 17)) == await cnca_rows(pool, NOVEMBER)
    with pytest.raises(InvalidInput):
        await cnca_rows(pool, datetime(2026, 11, 1, tzinfo=UTC))


def test_a_report_number_is_upper_case_without_spaces():
    row = CncaRow(number=" ccs 2026-0101 ", organization_name="某公司", credit_code="91310000MA1FL0000X", scope="s",
                  star_level=StarLevel.FIVE_STAR, issued_on=date(2026, 1, 5), valid_from=date(2026, 1, 5),
                  valid_to=date(2029, 1, 4), status=CertStatus.VALID, event=MonthEvent.VALID)
    assert (row.number, row.star_level_zh, row.star_level_en) == ("CCS2026-0101", "五星级", "five-star")


async def test_a_past_month_is_the_same_report_after_a_later_renewal_reissue_and_withdrawal(pool):
    """Issue 12 finding 5: December 2026, drawn again after a renewal decided 2029-07-01, a reissue with a
    new name and a withdrawal, is byte-identical; the later months show each change in its month."""
    from api.report_formats import to_csv
    from store.certificates import record_recertification

    await certify(pool, "CCS2026-0701", date(2026, 12, 17), date(2029, 12, 16), granted=True,
                  name="上海原名呼叫中心有限公司")
    await certify(pool, "CCS2026-0702", date(2026, 12, 3), date(2029, 12, 2), granted=True)
    december = date(2026, 12, 1)
    before_rows = await cnca_rows(pool, december)
    before = to_csv(before_rows)

    await record_recertification(pool, "CCS2026-0701", issued_on=date(2029, 7, 1), valid_from=date(2029, 12, 17),
                                 valid_to=date(2032, 12, 16), star_level=StarLevel.FIVE_STAR)
    await log(pool, "CCS2026-0701", "certificate.recertified", at(2029, 7, 1, 10))
    await record_reissue(pool, "CCS2026-0701", revision=1, reissued_on=date(2030, 3, 2),
                         organization_name="上海新名呼叫中心有限公司", scope="呼叫中心服务及外呼")
    await log(pool, "CCS2026-0701", "certificate.reissued", at(2030, 3, 2, 10))
    await set_status(pool, "CCS2026-0701", CertStatus.WITHDRAWN, on=date(2031, 1, 10))
    await log(pool, "CCS2026-0701", "certificate.withdrawn", at(2031, 1, 10, 10))
    await set_status(pool, "CCS2026-0702", CertStatus.WITHDRAWN, on=date(2027, 2, 8))
    await log(pool, "CCS2026-0702", "certificate.withdrawn", at(2027, 2, 8, 10))

    after_rows = await cnca_rows(pool, december)
    assert after_rows == before_rows and to_csv(after_rows) == before
    row = by_number(after_rows)["CCS2026-0701"]
    assert (row.issued_on, row.valid_from, row.valid_to, row.organization_name, row.star_level) == (
        date(2026, 12, 17), date(2026, 12, 17), date(2029, 12, 16), "上海原名呼叫中心有限公司", StarLevel.THREE_STAR)
    assert (row.event, row.event_on) == (MonthEvent.ISSUED, date(2026, 12, 17))

    july = by_number(await cnca_rows(pool, date(2029, 7, 1)))["CCS2026-0701"]
    assert (july.event, july.event_on, july.valid_from, july.valid_to) == (
        MonthEvent.ISSUED, date(2029, 7, 1), date(2029, 12, 17), date(2032, 12, 16))
    march = by_number(await cnca_rows(pool, date(2030, 3, 1)))["CCS2026-0701"]
    assert (march.event, march.organization_name) == (MonthEvent.REISSUED, "上海新名呼叫中心有限公司")
    january = by_number(await cnca_rows(pool, date(2031, 1, 1)))["CCS2026-0701"]
    assert (january.event, january.event_on, january.status) == (
        MonthEvent.WITHDRAWN, date(2031, 1, 10), CertStatus.WITHDRAWN)


@pytest.mark.parametrize("seed", range(6))
async def test_every_past_month_stays_as_it_was_drawn_whatever_happens_later(pool, seed):
    """Issue 12: nothing a later change does alters what an earlier month says. A certificate lives a
    random life (suspensions, reinstatements, reissues, scope reductions, a renewal, a withdrawal), each
    change recorded as the activities do (the register's change and its event, same day); each month is
    drawn once it is over, and again at the end: the same bytes."""
    import random

    from api.report_formats import to_csv
    from store.certificates import record_recertification, reduce_scope

    rng = random.Random(seed)
    number, day = f"CCS2026-08{seed:02d}", date(2026, 1, 5) + timedelta(days=rng.randrange(300))
    cert = await certify(pool, number, day, day.replace(year=day.year + 3) - timedelta(days=1), granted=True)
    valid_to, status, revision, drawn = cert.valid_to, "valid", 0, {}

    async def draw_months_over_by(today: date) -> None:
        month = cert.issued_on.replace(day=1)
        while month_end(month) < today:
            if month not in drawn:
                drawn[month] = to_csv(await cnca_rows(pool, month))
            month = (month_end(month) + timedelta(days=1))

    while status != "withdrawn" and day < valid_to - timedelta(days=40):
        day += timedelta(days=rng.randrange(20, 200))
        await draw_months_over_by(day)
        when = at(day.year, day.month, day.day, 10)
        choice = rng.choice(["suspend", "reissue", "renew", "withdraw", "reduce"] if status != "suspended"
                            else ["reinstate", "withdraw"])
        if choice == "suspend":
            await set_status(pool, number, CertStatus.SUSPENDED, suspended_until=day + timedelta(days=180), on=day)
            await log(pool, number, "certificate.suspended", when)
            status = "suspended"
        elif choice == "reinstate":
            await set_status(pool, number, CertStatus.VALID, on=day)
            await log(pool, number, "certificate.reinstated", when)
            status = "valid"
        elif choice in ("reissue", "reduce"):
            revision += 1
            if choice == "reissue":
                await record_reissue(pool, number, revision=revision, reissued_on=day,
                                     organization_name=f"第{revision}名呼叫中心有限公司")
            else:
                await reduce_scope(pool, number, scope=f"范围{revision}", remove_site_ids=[], removed_on=day,
                                   revision=revision)
            await log(pool, number, f"certificate.{'reissued' if choice == 'reissue' else 'scope_reduced'}", when)
        elif choice == "renew" and day < valid_to:
            new_to = valid_to.replace(year=valid_to.year + 3)
            await record_recertification(pool, number, issued_on=day, valid_from=valid_to + timedelta(days=1),
                                         valid_to=new_to, star_level=StarLevel.FIVE_STAR)
            await log(pool, number, "certificate.recertified", when)
            valid_to, status, revision = new_to, "valid", 0
        elif choice == "withdraw":
            await set_status(pool, number, CertStatus.WITHDRAWN, on=day)
            await log(pool, number, "certificate.withdrawn", when)
            status = "withdrawn"

    assert len(drawn) > 3
    for month, csv_then in drawn.items():
        assert to_csv(await cnca_rows(pool, month)) == csv_then, month
