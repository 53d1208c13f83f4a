"""Applications: submitting one starts its certification; reading one shows where it stands."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel
from temporalio.client import Client

from api.auth import current_actor, db, temporal
from api.problems import Problem
from api.processes import query
from schemas.intake import ApplicationSubmission
from schemas.organizations import CREDIT_CODE_PATTERN
from schemas.tasking import Actor
from store.applications import get_application
from store.events import events_for
from workflows.contracts import (
    CERTIFICATION_WORKFLOW,
    STATUS_QUERY,
    CertificationInput,
    ProcessStatus,
    certification_workflow_id,
)

router = APIRouter(prefix="/api/v1/applications", tags=["applications"])


class Submitted(BaseModel):
    application_id: UUID
    workflow_id: str


class TimelineEntry(BaseModel):
    at: datetime
    actor: str
    kind: str
    rule_id: str | None
    data: dict[str, Any]


class ApplicationView(BaseModel):
    application_id: UUID
    workflow_id: str
    status: str
    scope: str
    submitted_at: datetime
    running: bool
    process: ProcessStatus | None
    timeline: list[TimelineEntry]


@router.post("", status_code=201, response_model=Submitted, summary="submit an application (R-9.1.1)")
async def submit(
    submission: ApplicationSubmission, request: Request, response: Response,
    actor: Actor = Depends(current_actor), client: Client = Depends(temporal),
) -> Submitted:
    missing = submission.missing()
    code = submission.organization.credit_code
    if code and not CREDIT_CODE_PATTERN.fullmatch(code):
        missing.append("organization.credit_code: 18 characters, digits and upper-case letters other than I, O, S, V, Z")
    if missing:
        raise Problem(422, f"The application is incomplete: {len(missing)} item(s) missing or wrong.",
                      title="Incomplete application", rule_id="R-9.1.1", missing=missing)
    application_id = uuid.uuid4()
    workflow_id = certification_workflow_id(application_id)
    await client.start_workflow(
        CERTIFICATION_WORKFLOW,
        CertificationInput(application_id=application_id, submission=submission,
                           submitted_at=datetime.now(timezone.utc), submitted_by=actor,
                           policy=request.app.state.settings.scheme),
        id=workflow_id, task_queue=request.app.state.settings.task_queue,
        static_summary=f"certification of {submission.organization.name}",
    )
    response.headers["Location"] = f"/api/v1/applications/{application_id}"
    return Submitted(application_id=application_id, workflow_id=workflow_id)


@router.get("/{application_id}", response_model=ApplicationView, summary="where an application stands, with its timeline")
async def application(
    application_id: UUID, actor: Actor = Depends(current_actor), pool: asyncpg.Pool = Depends(db),
    client: Client = Depends(temporal),
) -> ApplicationView:
    row = await get_application(pool, application_id)
    workflow_id = certification_workflow_id(application_id)
    process = await query(client, workflow_id, STATUS_QUERY, ProcessStatus)
    if row is None and process is None:
        raise Problem(404, f"There is no application {application_id}.")
    # The audits are child processes with their own events: one timeline for the person reading.
    events = await events_for(pool, workflow_id=workflow_id)
    events += await events_for(pool, workflow_id=f"audit-{workflow_id}-initial-1")
    events.sort(key=lambda e: (e.occurred_at, e.id))
    return ApplicationView(
        application_id=application_id, workflow_id=workflow_id,
        status=row.status.value if row else "submitted", scope=row.scope if row else "",
        submitted_at=row.submitted_at if row else datetime.now(timezone.utc), running=process is not None,
        process=process,
        timeline=[TimelineEntry(at=e.occurred_at, actor=e.actor, kind=e.kind, rule_id=e.rule_id, data=e.data)
                  for e in events],
    )
