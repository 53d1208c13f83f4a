"""Audits in progress: the programme manager changes an audit's programme (R-9.1.10), e.g. moves the
on-site audit; the process re-checks the plan's notice (R-9.1.6) and the visits (R-3.10)."""

from __future__ import annotations

from datetime import date

import asyncpg
from fastapi import APIRouter, Depends
from pydantic import BaseModel
from temporalio.client import Client

from api.auth import db, temporal
from api.permissions import Action, permitted
from api.processes import send_update
from api.tasks import today
from schemas.payloads import ProgrammeRevision
from schemas.tasking import Actor
from store.facts import staff_facts
from store.task_subjects import subjects_of
from workflows.audit import ProgrammeChange

router = APIRouter(prefix="/api/v1/audits", tags=["audits"])


class Revised(BaseModel):
    audit_id: str
    programme_version: int


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
