"""The register's CHECK on certificate numbers agrees with rules/numbering.py (R-10.3.2, R-10.3.4)."""

import asyncpg
import pytest

from rules.numbering import NumberingPolicy, certificate_number, with_revision


async def insert(pool, number: str, seq: int) -> None:
    await pool.execute(
        "INSERT INTO certificate_numbers (number, seq, allocation_key) VALUES ($1, $2, $3)", number, seq, f"k{seq}"
    )


async def test_every_number_the_rules_can_make_is_accepted_R_10_3_2(pool):
    policy = NumberingPolicy(body_code="CQC", pattern="{body}.CC_{year}-{seq:04d}")
    await insert(pool, certificate_number(7, 2026, policy), 1)
    assert await pool.fetchval("SELECT number FROM certificate_numbers") == "CQC.CC_2026-0007"


async def test_a_reissue_marker_is_never_part_of_a_number_R_10_3_4(pool):
    with pytest.raises(asyncpg.CheckViolationError):
        await insert(pool, with_revision(certificate_number(7, 2026), 1), 1)
