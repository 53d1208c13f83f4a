import hashlib
import re
import uuid
from datetime import date

import pytest
from pydantic import ValidationError

from schemas.errors import Conflict, InvalidInput, NotFound
from schemas.staff import Qualification, QualificationKind, Role
from store.staff import (
    add_qualification,
    add_staff,
    auditor_qualified_on,
    get_staff,
    grant_role,
    qualifications_of,
    revoke_role,
    rotate_token,
    set_active,
    staff_by_email,
    staff_by_token,
    staff_with_role,
)

TRAINING, EVALUATION = QualificationKind.TRAINING_CERTIFICATE, QualificationKind.COMPETENCE_EVALUATION
AUDIT_DAYS = [date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 11)]


async def test_role_has_exactly_the_values_of_the_staff_roles_check(pool):
    definition = await pool.fetchval(
        """SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
           WHERE c.conrelid = 'staff_roles'::regclass AND c.contype = 'c'"""
    )
    assert set(re.findall(r"'([a-z_]+)'::text", definition)) == {r.value for r in Role}


async def test_add_staff_returns_a_token_and_keeps_only_its_hash(pool):
    staff, token = await add_staff(pool, "李审查", [Role.AUDITOR, "reviewer"], email="li@example.cn")
    assert staff.roles == (Role.AUDITOR, Role.REVIEWER)
    assert len(token) >= 40
    stored = await pool.fetchrow("SELECT * FROM staff WHERE id = $1", staff.id)
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(v) for v in stored.values()}
    assert "token" not in staff.model_dump_json()


async def test_staff_by_token_finds_the_holder_and_only_while_active(pool):
    staff, token = await add_staff(pool, "王经理", [Role.MANAGER])
    assert await staff_by_token(pool, token) == staff
    assert await staff_by_token(pool, token + "x") is None
    await set_active(pool, staff.id, False)
    assert await staff_by_token(pool, token) is None
    await set_active(pool, staff.id, True)
    assert await staff_by_token(pool, token) == staff


async def test_rotate_token_retires_the_old_one(pool):
    staff, old = await add_staff(pool, "赵", [Role.OPERATOR])
    new = await rotate_token(pool, staff.id)
    assert new != old
    assert await staff_by_token(pool, old) is None
    assert (await staff_by_token(pool, new)).id == staff.id
    with pytest.raises(NotFound):
        await rotate_token(pool, uuid.uuid4())


async def test_an_email_belongs_to_one_staff_member(pool, count):
    await add_staff(pool, "甲", [Role.REVIEWER], email="a@example.cn")
    with pytest.raises(Conflict, match=r"a@example\.cn"):
        await add_staff(pool, "乙", [Role.REVIEWER], email="a@example.cn")
    assert await count("staff") == 1 and await count("staff_roles") == 1


async def test_add_staff_refuses_an_unknown_role_and_an_unknown_manager(pool, count):
    with pytest.raises(InvalidInput, match="role"):
        await add_staff(pool, "甲", ["chief"])
    with pytest.raises(NotFound):
        await add_staff(pool, "甲", [Role.AUDITOR], manager_id=uuid.uuid4())
    assert await count("staff") == 0


async def test_manager_and_lookup_by_email(pool):
    boss, _ = await add_staff(pool, "主管", [Role.MANAGER])
    await add_staff(pool, "员工", [Role.REVIEWER], email="y@example.cn", manager_id=boss.id)
    assert (await staff_by_email(pool, "y@example.cn")).manager_id == boss.id


async def test_staff_with_role_lists_active_holders_by_name(pool):
    a, _ = await add_staff(pool, "B-auditor", [Role.AUDITOR])
    b, _ = await add_staff(pool, "A-auditor", [Role.AUDITOR, Role.REVIEWER])
    gone, _ = await add_staff(pool, "C-auditor", [Role.AUDITOR])
    await add_staff(pool, "D-reviewer", [Role.REVIEWER])
    await set_active(pool, gone.id, False)
    assert [s.id for s in await staff_with_role(pool, Role.AUDITOR)] == [b.id, a.id]
    assert len(await staff_with_role(pool, "auditor", include_inactive=True)) == 3
    # each listed member carries all of their roles, not just the one asked for
    assert (await staff_with_role(pool, Role.AUDITOR))[0].roles == (Role.AUDITOR, Role.REVIEWER)


async def test_grant_and_revoke_role_are_idempotent(pool, count):
    staff, _ = await add_staff(pool, "甲", [Role.REVIEWER])
    await grant_role(pool, staff.id, Role.DECISION_MAKER)
    granted = await grant_role(pool, staff.id, Role.DECISION_MAKER)
    assert granted.roles == (Role.DECISION_MAKER, Role.REVIEWER)
    assert await count("staff_roles") == 2
    await revoke_role(pool, staff.id, Role.REVIEWER)
    assert (await revoke_role(pool, staff.id, Role.REVIEWER)).roles == (Role.DECISION_MAKER,)
    assert (await get_staff(pool, staff.id)).roles == (Role.DECISION_MAKER,)


async def test_add_qualification_twice_writes_one_row(pool, count):
    staff, _ = await add_staff(pool, "甲", [Role.AUDITOR])
    first = await add_qualification(pool, staff.id, TRAINING, date(2025, 1, 1), date(2027, 12, 31), "CCAA-123")
    again = await add_qualification(pool, staff.id, TRAINING, date(2025, 1, 1), date(2027, 12, 31), "CCAA-123")
    assert again == first
    assert await count("auditor_qualifications") == 1
    corrected = await add_qualification(pool, staff.id, TRAINING, date(2025, 1, 1), date(2028, 6, 30), "CCAA-123")
    assert corrected.id == first.id and corrected.valid_to == date(2028, 6, 30)
    assert await qualifications_of(pool, staff.id) == [corrected]


def test_a_qualification_ends_no_earlier_than_it_starts():
    with pytest.raises(ValidationError, match="valid_to"):
        Qualification(id=uuid.uuid4(), staff_id=uuid.uuid4(), kind=TRAINING,
                      valid_from=date(2026, 1, 2), valid_to=date(2026, 1, 1))


async def _auditor(pool, *quals):
    staff, _ = await add_staff(pool, "审查员", [Role.AUDITOR])
    for kind, start, end in quals:
        await add_qualification(pool, staff.id, kind, start, end)
    return staff


async def test_r_7_auditor_qualified_with_both_proofs_valid_on_every_audit_date(pool):
    staff = await _auditor(pool, (TRAINING, date(2024, 1, 1), date(2026, 12, 31)),
                           (EVALUATION, date(2025, 6, 1), date(2026, 3, 11)))
    assert await auditor_qualified_on(pool, staff.id, AUDIT_DAYS) is True


@pytest.mark.parametrize("kind", [TRAINING, EVALUATION])
async def test_r_7_auditor_one_proof_alone_does_not_qualify(pool, kind):
    staff = await _auditor(pool, (kind, date(2024, 1, 1), date(2030, 12, 31)))
    assert await auditor_qualified_on(pool, staff.id, AUDIT_DAYS) is False


async def test_r_7_auditor_a_proof_expired_on_one_of_the_dates_does_not_qualify(pool):
    staff = await _auditor(pool, (TRAINING, date(2024, 1, 1), date(2026, 12, 31)),
                           (EVALUATION, date(2025, 6, 1), date(2026, 3, 10)))  # ends before the last day
    assert await auditor_qualified_on(pool, staff.id, AUDIT_DAYS) is False
    assert await auditor_qualified_on(pool, staff.id, AUDIT_DAYS[:2]) is True


async def test_r_7_auditor_a_proof_not_yet_valid_on_the_first_date_does_not_qualify(pool):
    staff = await _auditor(pool, (TRAINING, date(2026, 3, 10), date(2028, 12, 31)),
                           (EVALUATION, date(2025, 6, 1), date(2027, 1, 1)))
    assert await auditor_qualified_on(pool, staff.id, AUDIT_DAYS) is False


async def test_r_7_auditor_a_proof_renewed_between_the_dates_still_qualifies(pool):
    staff = await _auditor(pool, (TRAINING, date(2023, 3, 10), date(2026, 3, 9)),
                           (TRAINING, date(2026, 3, 10), date(2029, 3, 9)),
                           (EVALUATION, date(2025, 6, 1), date(2027, 1, 1)))
    assert await auditor_qualified_on(pool, staff.id, AUDIT_DAYS) is True


async def test_r_7_auditor_an_inactive_or_unknown_person_is_not_qualified(pool):
    staff = await _auditor(pool, (TRAINING, date(2024, 1, 1), date(2030, 1, 1)),
                           (EVALUATION, date(2024, 1, 1), date(2030, 1, 1)))
    await set_active(pool, staff.id, False)
    assert await auditor_qualified_on(pool, staff.id, AUDIT_DAYS) is False
    assert await auditor_qualified_on(pool, uuid.uuid4(), AUDIT_DAYS) is False


async def test_r_7_auditor_needs_the_audit_dates(pool):
    staff = await _auditor(pool)
    with pytest.raises(InvalidInput, match=r"R-7\.auditor"):
        await auditor_qualified_on(pool, staff.id, [])


async def test_list_staff_shows_everyone_once_with_all_roles(pool):
    from store.staff import add_staff, list_staff, set_active

    await add_staff(pool, "甲", ["auditor", "reviewer"])
    gone, _ = await add_staff(pool, "乙", ["operator"])
    await set_active(pool, gone.id, False)
    listed = {p.name: p for p in await list_staff(pool)}
    assert len(listed) == 2  # once each, however many roles
    assert set(listed["甲"].roles) == {"auditor", "reviewer"} and listed["乙"].active is False
