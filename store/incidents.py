"""The register's incidents: written by the ``record_incident`` activity, read by the API.

``record`` is an idempotent upsert keyed by the incident's key; of two writes of the same incident the
one with the higher ``version`` stands, whatever order they arrive in (they run beside the process and
are retried separately while the database is away).
"""

from __future__ import annotations

from schemas.incidents import Incident, IncidentRecord, IncidentState
from store._sql import Db, require_aware, to_model, to_models

_COLUMNS = """id, key, workflow_id, run_id, activity, step, element_id, error_type, error, rule_id, reason, raised_at,
    state, retries, retried_by, resolved_at, version, updated_at"""
_FIELDS = ("key", "workflow_id", "run_id", "activity", "step", "element_id", "error_type", "error", "rule_id",
           "reason", "raised_at", "state", "retries", "retried_by", "resolved_at", "version")
async def record(db: Db, incident: Incident) -> IncidentRecord:
    """Insert the incident, or bring its row up to this version; an older version changes nothing."""
    require_aware(incident.raised_at, "raised_at")
    # The model's text is storable already (schemas.text's Line and Scrubbed).
    values = [getattr(incident, f).value if f == "state" else getattr(incident, f) for f in _FIELDS]
    placeholders = ", ".join(f"${i}" for i in range(1, len(_FIELDS) + 1))
    updates = ", ".join(f"{f} = EXCLUDED.{f}" for f in _FIELDS if f != "key")
    await db.execute(
        f"""INSERT INTO incidents ({", ".join(_FIELDS)}) VALUES ({placeholders})
            ON CONFLICT (key) DO UPDATE SET {updates}, updated_at = now()
            WHERE incidents.version < EXCLUDED.version""",
        *values,
    )
    stored = await incident_by_key(db, incident.key)
    assert stored is not None  # inserted, or there already (at this version or a later one)
    return stored


async def incident_by_key(db: Db, key: str) -> IncidentRecord | None:
    return to_model(IncidentRecord, await db.fetchrow(f"SELECT {_COLUMNS} FROM incidents WHERE key = $1", key))


async def get_incident(db: Db, id: int) -> IncidentRecord | None:
    return to_model(IncidentRecord, await db.fetchrow(f"SELECT {_COLUMNS} FROM incidents WHERE id = $1", id))


async def list_incidents(db: Db, *, state: IncidentState | None = None, unresolved: bool = False,
                         workflow_id: str | None = None, with_audits: bool = False,
                         limit: int = 200) -> list[IncidentRecord]:
    """Newest first. ``unresolved``: open or being retried (what operations has to look at).
    ``with_audits``: a certification's own and those of its audits (``audit-{its id}-{kind}-{n}``)."""
    rows = await db.fetch(
        f"""SELECT {_COLUMNS} FROM incidents
            WHERE ($1::text IS NULL OR state = $1) AND (NOT $2 OR state <> 'resolved')
              AND ($3::text IS NULL OR workflow_id = $3
                   OR ($5 AND starts_with(workflow_id, 'audit-' || $3 || '-')))
            ORDER BY raised_at DESC, id DESC LIMIT $4""",
        state.value if state else None, unresolved, workflow_id, limit, with_audits,
    )
    return to_models(IncidentRecord, rows)
