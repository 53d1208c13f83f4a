"""Applications: submitting one starts its certification; reading one shows where it stands."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field, ValidationError
from temporalio.client import Client
from temporalio.service import RPCError

from api.auth import db, temporal
from api.paging import MAX_PAGE
from api.permissions import Action, permitted
from api.problems import Problem
from api.processes import engine_unavailable, live_state
from schemas.applications import ApplicationStatus
from schemas.intake import REQUIRED_MATERIALS, ApplicationSubmission
from schemas.organizations import CREDIT_CODE_PATTERN
from schemas.tasking import Actor
from schemas.text import Line
from store.application_pages import application_page
from store.applications import get_application
from store.events import events_of_certification
from workflows.contracts import (
    CERTIFICATION_WORKFLOW,
    STATUS_QUERY,
    CertificationInput,
    ProcessStatus,
    certification_workflow_id,
)
from workflows.search_attributes import about

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


class MaterialCheck(BaseModel):
    """One material R-9.1.1 lists, and whether the application says it was supplied."""

    key: Line
    description: Line
    supplied: bool


class Completeness(BaseModel):
    """What the reviewer confirms at R-9.1.2 point 1 (the information is complete): the listed
    materials each with supplied or not, those supplied beyond the list ("including but not limited
    to"), and whatever R-9.1.1 asks for that the submission lacks (empty when complete)."""

    materials: list[MaterialCheck]
    other_materials: list[Line]
    missing: list[Line]


def completeness(submission: ApplicationSubmission) -> Completeness:
    return Completeness(
        materials=[MaterialCheck(key=key, description=words, supplied=key in submission.materials)
                   for key, words in REQUIRED_MATERIALS.items()],
        other_materials=[m for m in submission.materials if m not in REQUIRED_MATERIALS],
        missing=submission.missing(),
    )


class ApplicationView(BaseModel):
    """The register's record (``status``, ``scope``, ``submitted_at``: ``None`` until the process has
    recorded the application, a moment after submission), the process's live answer when it is
    running, and the timeline of events."""

    application_id: UUID
    workflow_id: str
    status: str
    scope: str | None
    submitted_at: datetime | None
    running: bool
    process_state: str = Field(description="Temporal's execution state: RUNNING, COMPLETED, TERMINATED, ...")
    process: ProcessStatus | None
    note: str | None = Field(None, description="why there is no live answer, or that the register has no record yet")
    submission: ApplicationSubmission | None = Field(
        None, description="what was applied for, as submitted (organization, addresses, contact, sites, licences, "
                          "information form, materials); None until the register has recorded the application")
    completeness: Completeness | None = Field(None, description="the R-9.1.2 point 1 checklist of the submission")
    timeline: list[TimelineEntry]


def _submission(data: dict[str, Any]) -> ApplicationSubmission | None:
    """The submission as recorded; ``None`` for a record whose data is not one (never written so by the
    process, which records the submission whole)."""
    try:
        return ApplicationSubmission.model_validate(data) if data else None
    except ValidationError:
        return None


@router.post("", status_code=201, response_model=Submitted,
             summary="submit an application (R-9.1.1); the intake roles only (CERTFLOW_INTAKE_ROLES)")
async def submit(
    submission: ApplicationSubmission, request: Request, response: Response,
    actor: Actor = Depends(permitted(Action.SUBMIT_APPLICATION)), client: Client = Depends(temporal),
) -> Submitted:
    """Start the certification of an organization with its application (R-9.1.1).

    An incomplete application is refused at once with everything missing listed (422, R-9.1.1); a
    complete one starts its process and answers 201 with the id to follow it by (``Location``). If
    Temporal does not answer, nothing was started and the request may be repeated (503)."""
    missing = submission.missing()
    code = submission.organization.credit_code
    if code and not CREDIT_CODE_PATTERN.fullmatch(code):
        missing.append("organization.credit_code: 18 characters, "
                       "digits and upper-case letters other than I, O, S, V, Z")
    if missing:
        raise Problem(422, f"The application is incomplete: {len(missing)} item(s) missing or wrong.",
                      title="Incomplete application", rule_id="R-9.1.1", missing=missing)
    application_id = uuid.uuid4()
    workflow_id = certification_workflow_id(application_id)
    try:
        await client.start_workflow(
            CERTIFICATION_WORKFLOW,
            CertificationInput(application_id=application_id, submission=submission,
                               submitted_at=datetime.now(UTC), submitted_by=actor,
                               policy=request.app.state.settings.scheme,
                               process_pages=request.app.state.settings.public_url
                               or request.app.state.settings.api_url),
            id=workflow_id, task_queue=request.app.state.settings.task_queue,
            static_summary=f"认证：{submission.organization.name}",
            search_attributes=about(application_id, submission.organization.name or "", code),  # issue 16
        )
    except RPCError as exc:  # nothing was started: the applicant's data is not lost, the request may be repeated
        raise engine_unavailable(exc) from None
    response.headers["Location"] = f"/api/v1/applications/{application_id}"
    return Submitted(application_id=application_id, workflow_id=workflow_id)


class ApplicationSummary(BaseModel):
    id: UUID
    workflow_id: str
    status: str
    organization: str = Field(description="as the application named it")
    credit_code: str
    scope: str
    submitted_at: datetime


@router.get("", response_model=list[ApplicationSummary], summary="applications, newest first, a page at a time")
async def applications(
    request: Request, response: Response, actor: Actor = Depends(permitted(Action.LIST_APPLICATIONS)),
    pool: asyncpg.Pool = Depends(db),
    status: ApplicationStatus | None = Query(None, description="where the applications stand"),
    organization: Line | None = Query(None, max_length=100, description="part of the name, or the credit code"),
    limit: int = Query(50, ge=1, le=MAX_PAGE, description=f"rows per page (1–{MAX_PAGE})"),
    after: Line | None = Query(None, max_length=400, description="the next page's cursor, from the previous "
                                                               "answer's Link header (rel=next)"),
    sort: Literal["-submitted", "submitted"] = Query(
        "-submitted", description="-submitted: newest first; submitted: oldest first"),
) -> list[ApplicationSummary]:
    """Applications as received, newest first (``sort=submitted``: oldest first). When there is more, the
    ``Link`` header names the next page (``rel="next"``), which starts after this page's last row:
    applications arriving meanwhile neither repeat nor skip a row."""
    page = await application_page(pool, status=status.value if status else None, organization=organization,
                                  after=after, limit=limit, sort=sort)
    if page.next_cursor is not None:
        following = request.url.include_query_params(after=page.next_cursor)
        response.headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'
    return [ApplicationSummary(**vars(r)) for r in page.rows]


@router.get("/{application_id}", response_model=ApplicationView,
            summary="where an application stands, with its timeline")
async def application(
    application_id: UUID, actor: Actor = Depends(permitted(Action.READ_APPLICATION)), pool: asyncpg.Pool = Depends(db),
    client: Client = Depends(temporal),
) -> ApplicationView:
    """Where an application stands: the register's record, its process's live answer while it runs, and
    the timeline of what happened (each event with its rule id)."""
    row = await get_application(pool, application_id)
    workflow_id = certification_workflow_id(application_id)
    live = await live_state(client, workflow_id, STATUS_QUERY, ProcessStatus)
    if row is None and live is None:
        raise Problem(404, f"There is no application {application_id}.")
    if live is None:
        notes = ["Temporal no longer holds this process (closed, past its retention); "
                 "the register shows what it recorded."]
    else:
        notes = [live.note] if live.note else []
    if row is None:
        notes.append("The register has no record of this application yet: the process records it first thing.")
    # The audits are child processes with their own events: one timeline for the person reading.
    events = await events_of_certification(pool, workflow_id)
    submission = _submission(row.data) if row else None
    return ApplicationView(
        application_id=application_id, workflow_id=workflow_id,
        status=row.status.value if row else "submitted", scope=row.scope if row else None,
        submitted_at=row.submitted_at if row else None, running=bool(live and live.running),
        process_state=live.state if live else "NOT_FOUND", process=live.answer if live else None,
        note=" ".join(notes) or None,
        submission=submission, completeness=completeness(submission) if submission else None,
        timeline=[TimelineEntry(at=e.occurred_at, actor=e.actor, kind=e.kind, rule_id=e.rule_id, data=e.data)
                  for e in events],
    )
