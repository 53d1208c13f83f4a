"""Incidents for operations: the steps that failed for good and wait for a retry (workflows/incidents.py).

Operators and managers see them here and, once the cause is fixed (the mail server, the address in
the outbox, the register), retry one: the API sends its process the ``retry_incident`` Update, whose
validator checks again that the incident is open and the caller may retry it, and the process runs
the step again and carries on from there.
"""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, Path, Query
from temporalio.client import Client

from api.auth import db, temporal
from api.permissions import Action, permitted
from api.problems import Problem
from api.processes import send_update
from schemas.incidents import RETRY_INCIDENT_UPDATE, Incident, IncidentRecord, IncidentRetry, IncidentState
from schemas.tasking import Actor
from schemas.text import Line
from store.incidents import get_incident, list_incidents

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])

# The register's ids are PostgreSQL bigints: a larger number names no incident and is refused as such.
IncidentId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the incident's id")]


@router.get("", response_model=list[IncidentRecord],
            summary="incidents, newest first: by default those not resolved yet")
async def incidents(
    actor: Actor = Depends(permitted(Action.LIST_INCIDENTS)), pool: asyncpg.Pool = Depends(db),
    state: IncidentState | None = Query(None, description="only incidents in this state"),
    include_resolved: bool = Query(False, alias="all",
                                   description="resolved ones too (ignored with state)"),
    workflow_id: Line | None = Query(None, description="only this process's incidents"),
) -> list[IncidentRecord]:
    """The incidents: steps of a process that failed beyond their bound and wait for an operator (open
    by default), newest first."""
    return await list_incidents(pool, state=state, unresolved=state is None and not include_resolved,
                                workflow_id=workflow_id)


@router.get("/{incident_id}", response_model=IncidentRecord, summary="one incident")
async def incident(incident_id: IncidentId, actor: Actor = Depends(permitted(Action.READ_INCIDENT)),
                   pool: asyncpg.Pool = Depends(db)) -> IncidentRecord:
    """One incident: which process and step, its last error, and whether it is open or resolved."""
    return await _incident_or_404(pool, incident_id)


@router.post("/{incident_id}/retry", response_model=Incident,
             summary="the cause is fixed: run the failed step again; the process carries on from there")
async def retry(incident_id: IncidentId, actor: Actor = Depends(permitted(Action.RETRY_INCIDENT)),
                pool: asyncpg.Pool = Depends(db), client: Client = Depends(temporal)) -> Incident:
    """Retry an open incident's step once its cause is fixed. The process checks again that the incident is
    open and runs the step; an incident already resolved is 409."""
    found = await _incident_or_404(pool, incident_id)
    if found.state is not IncidentState.OPEN:
        raise Problem(409, f"Incident {incident_id} is {found.state.value}: there is nothing to retry.")
    try:
        return await send_update(client, found.workflow_id, RETRY_INCIDENT_UPDATE,
                                 IncidentRetry(key=found.key, actor=actor), Incident)
    except Problem as refused:
        if refused.status == 409:  # the process's own answer: already being retried, or it has ended
            refused.title = "Incident cannot be retried"
        raise


async def _incident_or_404(pool: asyncpg.Pool, incident_id: int) -> IncidentRecord:
    found = await get_incident(pool, incident_id)
    if found is None:
        raise Problem(404, f"There is no incident {incident_id}.")
    return found
