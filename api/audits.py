"""Audits in progress: where an audit stands with the programme in force, and the programme manager
changing it (R-9.1.10), e.g. moving the on-site audit; the process re-checks the plan's notice (R-9.1.6)
and the visits (R-3.10)."""

from __future__ import annotations

from datetime import date

import asyncpg
from fastapi import APIRouter, Depends
from pydantic import BaseModel
from temporalio.client import Client

from api.auth import db, temporal
from api.permissions import Action, permitted
from api.problems import Problem
from api.processes import live_state, send_update
from api.tasks import today
from schemas.payloads import ProgrammeRevision
from schemas.tasking import Actor
from store.facts import staff_facts
from store.task_subjects import subjects_of
from workflows.audit import AuditState, ProgrammeChange

router = APIRouter(prefix="/api/v1/audits", tags=["audits"])


class Revised(BaseModel):
    audit_id: str
    programme_version: int


@router.get("/{audit_id}", response_model=AuditState, summary="an audit in progress: its stage and programme")
async def audit(audit_id: str, actor: Actor = Depends(permitted(Action.READ_AUDIT)),
                client: Client = Depends(temporal)) -> AuditState:
    """Where a running audit stands: its stage, the programme in force with its version (R-9.1.10), the
    day the plan was sent (R-9.1.6), the visits reported (R-3.10) and its open tasks. A closed audit is
    read from the register (its process page, ``/api/v1/processes/{id}``), not here."""
    state = await live_state(client, audit_id, "status", AuditState)
    if state is None or not audit_id.startswith("audit-"):
        raise Problem(404, f"There is no audit {audit_id}.")
    if not state.running or state.answer is None:
        raise Problem(409, state.note or f"The audit {audit_id} is {state.state.lower()}.")
    return state.answer


@router.post("/{audit_id}/programme", response_model=Revised, summary="change an audit's programme (R-9.1.10)")
async def revise(
    audit_id: str, revision: ProgrammeRevision, actor: Actor = Depends(permitted(Action.REVISE_PROGRAMME)),
    pool: asyncpg.Pool = Depends(db), client: Client = Depends(temporal), day: date = Depends(today),
) -> Revised:
    """Change an audit's programme (R-9.1.10), e.g. move the on-site audit. The audit's process checks the
    new programme as it checked the first (team rules of R-7, notice of R-9.1.6, visits of R-3.10) and
    keeps every version; a refusal is 422 with the rule id."""
    subject = (await subjects_of(pool, [audit_id])).get(audit_id)
    facts = await staff_facts(pool, revision.staff_ids(), organization=subject and subject.credit_code, day=day)
    change = ProgrammeChange(actor=actor, revision=revision, facts=facts)
    version = await send_update(client, audit_id, "revise_programme", change, int)
    return Revised(audit_id=audit_id, programme_version=version)
