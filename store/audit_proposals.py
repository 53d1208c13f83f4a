"""The planner's proposals (issue 18, migration 0015): one row per version, the latest in force.

A re-plan adds a version and never rewrites one, so what a programme manager was shown on a day stays
what the register says they were shown. Each version names the step that made it (``made_by``): the
activity that retries finds the version it wrote instead of adding another.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from schemas.scheduling import AuditDemand, ProposedAudit, StoredProposal, Unplaced
from store._sql import Db, transaction

_COLUMNS = ("key, version, workflow_id, task_id, kind, demand, proposal, unplaced, reason, planned_on, "
            "planned_at")


def _stored(row) -> StoredProposal:
    return StoredProposal.model_validate(dict(row))


async def add_version(db: Db, demand: AuditDemand, *, task_id: str | None, made_by: str, planned_on: date,
                      proposal: ProposedAudit | None = None, unplaced: Unplaced | None = None,
                      reason: str = "") -> StoredProposal:
    """The next version of ``demand.key``'s proposal: exactly one of ``proposal`` and ``unplaced``."""
    if (proposal is None) == (unplaced is None):
        raise ValueError("a proposal version holds a proposal or the reason there is none, not both")
    async with transaction(db) as conn:
        # One writer at a time per key: the version numbers stay dense and the made_by check is exact.
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('audit_proposals:' || $1))", demand.key)
        done = await conn.fetchrow(f"SELECT {_COLUMNS} FROM audit_proposals WHERE key = $1 AND made_by = $2",
                                   demand.key, made_by)
        if done is not None:
            return _stored(done)
        row = await conn.fetchrow(
            f"""INSERT INTO audit_proposals (key, version, workflow_id, task_id, kind, demand, proposal, unplaced,
                                             reason, made_by, planned_on)
                VALUES ($1, COALESCE((SELECT max(version) FROM audit_proposals WHERE key = $1), 0) + 1,
                        $2, $3, $4, $5, $6, $7, $8, $9, $10)
                RETURNING {_COLUMNS}""",
            demand.key, demand.workflow_id, task_id, demand.kind.value, demand.model_dump(mode="json"),
            proposal.model_dump(mode="json") if proposal else None,
            unplaced.model_dump(mode="json") if unplaced else None, reason, made_by, planned_on)
    return _stored(row)


async def current(db: Db, key: str) -> StoredProposal | None:
    row = await db.fetchrow(f"SELECT {_COLUMNS} FROM audit_proposals WHERE key = $1 ORDER BY version DESC LIMIT 1",
                            key)
    return None if row is None else _stored(row)


async def versions(db: Db, key: str) -> list[StoredProposal]:
    """Every version of one proposal, the first first."""
    rows = await db.fetch(f"SELECT {_COLUMNS} FROM audit_proposals WHERE key = $1 ORDER BY version", key)
    return [_stored(r) for r in rows]


async def in_force_for_open_tasks(db: Db, *, excluding: Iterable[str] = ()) -> list[StoredProposal]:
    """The proposals in force for programme tasks still open: the plans that may still change (the
    rest have become programmes, whose days the register's audits hold)."""
    rows = await db.fetch(
        f"""SELECT DISTINCT ON (p.key) {', '.join('p.' + c for c in _COLUMNS.split(', '))}
              FROM audit_proposals p JOIN tasks t ON t.id = p.task_id
             WHERE t.status = 'open' AND NOT (p.key = ANY($1::text[]))
             ORDER BY p.key, p.version DESC""",
        list(excluding))
    return [_stored(r) for r in rows]


async def upcoming(db: Db, today: date) -> list[StoredProposal]:
    """The latest plan of each audit due in the coming months that no programme task asks for yet (the
    planner's plan of the horizon), soonest window first."""
    rows = await db.fetch(
        f"""SELECT * FROM (
                SELECT DISTINCT ON (key) {_COLUMNS} FROM audit_proposals WHERE task_id IS NULL
                 ORDER BY key, version DESC) latest
             WHERE (demand->>'latest')::date >= $1
             ORDER BY (demand->>'latest')::date, key""", today)
    return [_stored(r) for r in rows]


async def upcoming_for(db: Db, workflow_id: str, kind: str) -> StoredProposal | None:
    """The horizon's plan of the audit of ``kind`` a process is about to programme, if it has one."""
    row = await db.fetchrow(
        f"""SELECT {_COLUMNS} FROM audit_proposals
             WHERE task_id IS NULL AND workflow_id = $1 AND kind = $2 AND proposal IS NOT NULL
             ORDER BY planned_at DESC, version DESC LIMIT 1""", workflow_id, kind)
    return None if row is None else _stored(row)
