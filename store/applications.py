"""Applications (R-9.1.1, R-9.1.2) as listed by the register; the CertificationWorkflow
``certification-{application_id}`` is the truth about where each one stands."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from schemas.applications import ApplicationRecord, ApplicationStatus
from schemas.errors import Conflict, NotFound
from store._sql import Db, references_must_exist, to_model, to_models

_COLUMNS = "id, organization_id, workflow_id, status, scope, data, submitted_at, updated_at"


async def record_application(db: Db, application: ApplicationRecord) -> ApplicationRecord:
    """Record a submitted application, keyed by its id: a retry returns the row already there, as
    first written (a retry carries the same data; a later change goes through ``set_status``).

    Another application already using the same ``workflow_id`` is a ``Conflict``.
    """
    a = application
    try:
        with references_must_exist():
            row = await db.fetchrow(
                f"""INSERT INTO applications (id, organization_id, workflow_id, status, scope, data, submitted_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7)
                    ON CONFLICT (id) DO NOTHING
                    RETURNING {_COLUMNS}""",
                a.id, a.organization_id, a.workflow_id, a.status.value, a.scope, a.data, a.submitted_at,
            )
    except asyncpg.UniqueViolationError as exc:
        raise Conflict(
            f"workflow {a.workflow_id} already belongs to another application", details={"workflow_id": a.workflow_id}
        ) from exc
    if row is not None:
        return ApplicationRecord.model_validate(dict(row))
    existing = await _require(db, a.id)
    if (existing.organization_id, existing.workflow_id) != (a.organization_id, a.workflow_id):
        raise Conflict(
            f"application {a.id} is already recorded for another organization or workflow",
            details={"application_id": str(a.id), "workflow_id": existing.workflow_id},
        )
    return existing


async def set_status(db: Db, application_id: UUID, status: ApplicationStatus | str) -> ApplicationRecord:
    """Move the listed status; setting the status it already has writes nothing."""
    await db.execute(
        "UPDATE applications SET status = $2, updated_at = now() WHERE id = $1 AND status <> $2",
        application_id, ApplicationStatus(status).value,
    )
    return await _require(db, application_id)


async def get_application(db: Db, application_id: UUID) -> ApplicationRecord | None:
    row = await db.fetchrow(f"SELECT {_COLUMNS} FROM applications WHERE id = $1", application_id)
    return to_model(ApplicationRecord, row)


async def application_by_workflow(db: Db, workflow_id: str) -> ApplicationRecord | None:
    row = await db.fetchrow(f"SELECT {_COLUMNS} FROM applications WHERE workflow_id = $1", workflow_id)
    return to_model(ApplicationRecord, row)


async def list_applications(
    db: Db, *, organization_id: UUID | None = None, status: ApplicationStatus | str | None = None
) -> list[ApplicationRecord]:
    """Newest first; each filter given narrows the list."""
    rows = await db.fetch(
        f"""SELECT {_COLUMNS} FROM applications
            WHERE ($1::uuid IS NULL OR organization_id = $1) AND ($2::text IS NULL OR status = $2)
            ORDER BY submitted_at DESC, id""",
        organization_id, None if status is None else ApplicationStatus(status).value,
    )
    return to_models(ApplicationRecord, rows)


async def _require(db: Db, application_id: UUID) -> ApplicationRecord:
    found = await get_application(db, application_id)
    if found is None:
        raise NotFound(f"no application {application_id}", details={"application_id": str(application_id)})
    return found
