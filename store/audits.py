"""Audits (R-4), their teams (R-7.team), item scores (R-6) and findings (R-9.1.7, R-9.1.8).

The AuditWorkflow is the truth about an audit's progress; these rows are what the register keeps
of it: who audited, what was scored, what was found. All writes are keyed by the ids the workflow
derives, so a retried activity writes nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from uuid import UUID

import asyncpg

from schemas.audits import Audit, Finding, ItemScore, TeamMember, TeamRole
from schemas.certificates import StarLevel
from schemas.errors import Conflict, NotFound
from store._sql import Db, references_must_exist, to_model, to_models, transaction

_AUDIT_COLUMNS = """id, workflow_id, organization_id, kind, status, person_days, onsite_days, onsite_start,
    onsite_end, computed_level, recommendation, created_at, updated_at"""
_SCORE_COLUMNS = "audit_id, item_id, method_compliant, executed, method_score, execution_score"
_FINDING_COLUMNS = """id, audit_id, kind, clause, department, description, acknowledged_on, corrected_on,
    verified_on, created_at"""


# Audits ---------------------------------------------------------------------------------------------

async def record_audit(db: Db, audit: Audit) -> Audit:
    """Record an audit when its workflow starts, keyed by its id; a retry returns the row already there.
    The same id for another certification, organization or kind is a ``Conflict``."""
    a = audit
    with references_must_exist():
        row = await db.fetchrow(
            f"""INSERT INTO audits (id, workflow_id, organization_id, kind, status, person_days, onsite_days,
                    onsite_start, onsite_end, computed_level, recommendation)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                ON CONFLICT (id) DO NOTHING
                RETURNING {_AUDIT_COLUMNS}""",
            a.id, a.workflow_id, a.organization_id, a.kind.value, a.status, a.person_days, a.onsite_days,
            a.onsite_start, a.onsite_end, a.computed_level and a.computed_level.value, a.recommendation,
        )
    if row is not None:
        return Audit.model_validate(dict(row))
    existing = await _require(db, a.id)
    if (existing.workflow_id, existing.organization_id, existing.kind) != (a.workflow_id, a.organization_id, a.kind):
        raise Conflict(
            f"audit {a.id} is already recorded for another certification or kind", details={"audit_id": a.id}
        )
    return existing


async def update_audit(
    db: Db,
    audit_id: str,
    *,
    status: str | None = None,
    person_days: Decimal | None = None,
    onsite_days: Decimal | None = None,
    onsite_start: date | None = None,
    onsite_end: date | None = None,
    computed_level: StarLevel | str | None = None,
    recommendation: str | None = None,
) -> Audit:
    """Set what the audit has learnt so far; a field left ``None`` keeps its value. Writing the values
    already there writes nothing. The result is validated as an ``Audit`` before it is stored."""
    current = await _require(db, audit_id)
    changes = {
        k: v
        for k, v in dict(
            status=status, person_days=person_days, onsite_days=onsite_days, onsite_start=onsite_start,
            onsite_end=onsite_end, computed_level=computed_level, recommendation=recommendation,
        ).items()
        if v is not None
    }
    wanted = Audit.model_validate({**current.model_dump(), **changes})
    if wanted == current:
        return current
    row = await db.fetchrow(
        f"""UPDATE audits AS t SET status = $2, person_days = $3, onsite_days = $4, onsite_start = $5,
                onsite_end = $6, computed_level = $7, recommendation = $8, updated_at = now()
            WHERE id = $1
              AND (t.status, t.person_days, t.onsite_days, t.onsite_start, t.onsite_end, t.computed_level,
                   t.recommendation)
                  IS DISTINCT FROM ($2, $3::numeric, $4::numeric, $5::date, $6::date, $7, $8)
            RETURNING {_AUDIT_COLUMNS}""",
        audit_id, wanted.status, wanted.person_days, wanted.onsite_days, wanted.onsite_start, wanted.onsite_end,
        wanted.computed_level and wanted.computed_level.value, wanted.recommendation,
    )
    return current if row is None else Audit.model_validate(dict(row))


async def get_audit(db: Db, audit_id: str) -> Audit | None:
    return to_model(Audit, await db.fetchrow(f"SELECT {_AUDIT_COLUMNS} FROM audits WHERE id = $1", audit_id))


async def audits_for(db: Db, *, workflow_id: str | None = None, organization_id: UUID | None = None) -> list[Audit]:
    """The audits a certification ordered, or an organization had, oldest first."""
    rows = await db.fetch(
        f"""SELECT {_AUDIT_COLUMNS} FROM audits
            WHERE ($1::text IS NULL OR workflow_id = $1) AND ($2::uuid IS NULL OR organization_id = $2)
            ORDER BY created_at, id""",
        workflow_id, organization_id,
    )
    return to_models(Audit, rows)


async def _require(db: Db, audit_id: str) -> Audit:
    found = await get_audit(db, audit_id)
    if found is None:
        raise NotFound(f"no audit {audit_id}", details={"audit_id": audit_id})
    return found


# Team (R-7.team, R-7.expert) ---------------------------------------------------------------------

async def add_team_member(db: Db, audit_id: str, staff_id: UUID, role: TeamRole | str) -> TeamMember:
    """Put someone on the team in ``role``; idempotent. A second, different leader is a ``Conflict``
    (R-7.team: one team leader). Who may take which role (R-7) is checked before this, by the rules."""
    member = TeamMember(audit_id=audit_id, staff_id=staff_id, role=TeamRole(role))
    try:
        with references_must_exist():
            await db.execute(
                """INSERT INTO audit_team (audit_id, staff_id, role) VALUES ($1, $2, $3)
                   ON CONFLICT (audit_id, staff_id, role) DO NOTHING""",
                member.audit_id, member.staff_id, member.role.value,
            )
    except asyncpg.UniqueViolationError as exc:
        raise Conflict(f"R-7.team: audit {audit_id} already has a team leader", details={"audit_id": audit_id}) from exc
    return member


async def remove_team_member(db: Db, audit_id: str, staff_id: UUID, role: TeamRole | str) -> None:
    """Take someone off the team (e.g. after an objection to the team, or a conflict of interest); idempotent."""
    await db.execute(
        "DELETE FROM audit_team WHERE audit_id = $1 AND staff_id = $2 AND role = $3",
        audit_id, staff_id, TeamRole(role).value,
    )


async def team_of(db: Db, audit_id: str) -> list[TeamMember]:
    rows = await db.fetch(
        """SELECT audit_id, staff_id, role FROM audit_team WHERE audit_id = $1
           ORDER BY array_position(ARRAY['leader', 'auditor', 'expert', 'mystery_shopper'], role), staff_id""",
        audit_id,
    )
    return to_models(TeamMember, rows)


# Item scores (R-6) -----------------------------------------------------------------------------------

_UPSERT_SCORE = f"""
    INSERT INTO item_scores AS t (audit_id, item_id, method_compliant, executed, method_score, execution_score)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (audit_id, item_id) DO UPDATE SET
        method_compliant = EXCLUDED.method_compliant, executed = EXCLUDED.executed,
        method_score = EXCLUDED.method_score, execution_score = EXCLUDED.execution_score
    WHERE (t.method_compliant, t.executed, t.method_score, t.execution_score)
          IS DISTINCT FROM
          (EXCLUDED.method_compliant, EXCLUDED.executed, EXCLUDED.method_score, EXCLUDED.execution_score)
    RETURNING {_SCORE_COLUMNS}"""


def _score_args(s: ItemScore) -> tuple[object, ...]:
    return (s.audit_id, s.item_id, s.method_compliant, s.executed, s.method_score, s.execution_score)


async def record_item_score(db: Db, score: ItemScore) -> ItemScore:
    """One item's assessment, per (audit, item): scoring it again replaces the score; the same score
    again writes nothing."""
    with references_must_exist():
        row = await db.fetchrow(_UPSERT_SCORE, *_score_args(score))
    if row is not None:
        return ItemScore.model_validate(dict(row))
    row = await db.fetchrow(
        f"SELECT {_SCORE_COLUMNS} FROM item_scores WHERE audit_id = $1 AND item_id = $2", score.audit_id, score.item_id
    )
    assert row is not None  # the same score, there already
    return ItemScore.model_validate(dict(row))


async def record_item_scores(db: Db, scores: Iterable[ItemScore]) -> int:
    """A whole sheet of scores in one transaction (all or none); returns how many items were scored."""
    args = [_score_args(s) for s in scores]
    async with transaction(db) as conn:
        with references_must_exist():
            await conn.executemany(_UPSERT_SCORE, args)
    return len(args)


async def item_scores(db: Db, audit_id: str) -> list[ItemScore]:
    rows = await db.fetch(f"SELECT {_SCORE_COLUMNS} FROM item_scores WHERE audit_id = $1 ORDER BY item_id", audit_id)
    return to_models(ItemScore, rows)


# Findings (R-9.1.7, R-9.1.8) -----------------------------------------------------------------------

async def record_finding(db: Db, finding: Finding) -> Finding:
    """Record a finding keyed by its id; a retry returns the row already there, as first written.
    The same id under another audit is a ``Conflict``."""
    f = finding
    with references_must_exist():
        row = await db.fetchrow(
            f"""INSERT INTO findings (id, audit_id, kind, clause, department, description, acknowledged_on,
                    corrected_on, verified_on)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                ON CONFLICT (id) DO NOTHING
                RETURNING {_FINDING_COLUMNS}""",
            f.id, f.audit_id, f.kind.value, f.clause, f.department, f.description, f.acknowledged_on,
            f.corrected_on, f.verified_on,
        )
    if row is not None:
        return Finding.model_validate(dict(row))
    existing = await get_finding(db, f.id)
    assert existing is not None
    if existing.audit_id != f.audit_id:
        raise Conflict(
            f"finding {f.id} is already recorded under audit {existing.audit_id}", details={"finding_id": f.id}
        )
    return existing


async def set_finding_progress(
    db: Db,
    finding_id: str,
    *,
    acknowledged_on: date | None = None,
    corrected_on: date | None = None,
    verified_on: date | None = None,
) -> Finding:
    """Note the organization's acknowledgement, its correction and the team's verification; a date
    left ``None`` keeps its value, the same dates again write nothing."""
    await db.execute(
        """UPDATE findings AS t
           SET acknowledged_on = coalesce($2, t.acknowledged_on), corrected_on = coalesce($3, t.corrected_on),
               verified_on = coalesce($4, t.verified_on)
           WHERE id = $1
             AND (t.acknowledged_on, t.corrected_on, t.verified_on) IS DISTINCT FROM
                 (coalesce($2, t.acknowledged_on), coalesce($3, t.corrected_on), coalesce($4, t.verified_on))""",
        finding_id, acknowledged_on, corrected_on, verified_on,
    )
    found = await get_finding(db, finding_id)
    if found is None:
        raise NotFound(f"no finding {finding_id}", details={"finding_id": finding_id})
    return found


async def get_finding(db: Db, finding_id: str) -> Finding | None:
    return to_model(Finding, await db.fetchrow(f"SELECT {_FINDING_COLUMNS} FROM findings WHERE id = $1", finding_id))


async def findings_of(db: Db, audit_id: str) -> list[Finding]:
    rows = await db.fetch(
        f"SELECT {_FINDING_COLUMNS} FROM findings WHERE audit_id = $1 ORDER BY created_at, id", audit_id
    )
    return to_models(Finding, rows)
