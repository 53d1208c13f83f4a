"""The planner's proposals through the API (issue 18): the proposals in force for the programme tasks
still open, every version of one, and a programme manager's "plan again".

A proposal is advice (workflows/programme_proposals.py): the programme task's form starts from it and
the process checks whatever is submitted. "Plan again" asks the planner's process to re-plan every open
proposal, or the ones named, keeping the others; it answers 202 once the request is with the process.
"""

from __future__ import annotations

from datetime import date

import asyncpg
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from api.auth import db
from api.permissions import Action, permitted
from api.planning_signals import tell_planner
from api.problems import Problem
from api.tasks import today
from schemas.scheduling import StoredProposal
from schemas.tasking import Actor
from schemas.text import Line, Text
from store import audit_proposals
from workflows.audit_planning import ReplanRequest

router = APIRouter(prefix="/api/v1/scheduling", tags=["scheduling"])


class ReplanOrder(BaseModel):
    reason: Text = Field(min_length=1, description="why: said with every version it makes")
    keys: list[Line] = Field(default_factory=list, max_length=500,
                             description="the proposals (programme task ids) to plan again; empty: every open one")
    horizon: bool = Field(False, description="also plan the coming months now (the planner does it daily)")


class ReplanAccepted(BaseModel):
    told: bool
    message: Text


@router.get("/proposals", response_model=list[StoredProposal],
            summary="the proposals in force for the programme tasks still open, or the plan of the coming months")
async def proposals(actor: Actor = Depends(permitted(Action.LIST_PROPOSALS)), pool: asyncpg.Pool = Depends(db),
                    upcoming: bool = Query(False, description="true: the plan of the audits due in the coming "
                                                              "months that no programme task asks for yet"),
                    day: date = Depends(today)) -> list[StoredProposal]:
    """Each open programme task's latest proposal: the team and dates, or (``unplaced``) the rule and
    the resource that keep the audit from being placed. With ``upcoming``, the planner's daily plan of
    the audits due (R-9.2.1 surveillance windows, R-9.3 recertification, R-9.1.3 accepted applications),
    soonest window first."""
    if upcoming:
        return await audit_proposals.upcoming(pool, day)
    return await audit_proposals.in_force_for_open_tasks(pool)


@router.get("/proposals/{key:path}", response_model=list[StoredProposal],
            summary="every version of one proposal, the first first")
async def proposal_versions(key: str, actor: Actor = Depends(permitted(Action.READ_PROPOSAL)),
                            pool: asyncpg.Pool = Depends(db)) -> list[StoredProposal]:
    """Every version the planner made of one proposal (its key is the programme task's id): what the
    programme manager was shown on each day, and why it changed (records are kept, R-9.1.10)."""
    found = await audit_proposals.versions(pool, key)
    if not found:
        raise Problem(404, f"There is no proposal {key}.")
    return found


@router.post("/replan", response_model=ReplanAccepted, status_code=202,
             summary="plan the open proposals again (all, or the ones named), keeping the rest")
async def replan(order: ReplanOrder, request: Request,
                 actor: Actor = Depends(permitted(Action.REPLAN))) -> ReplanAccepted:
    """Ask the planner's process to plan again every open proposal, or the ones ``keys`` names, keeping
    the rest as they are (new people, a changed calendar, a proposal that no longer suits). 202 once the
    process has the request; 503 with Retry-After when it cannot be reached."""
    reason = f"{order.reason} ({actor.name})"
    told = await tell_planner(request.app.state, ReplanRequest(reason=reason, keys=list(order.keys)))
    if told and order.horizon:
        told = await tell_planner(request.app.state, ReplanRequest(reason=reason, horizon=True))
    if not told:
        raise Problem(503, "The planner's process cannot be reached just now; try again in a moment.",
                      headers={"Retry-After": "30"})
    return ReplanAccepted(told=True, message="The planner will re-plan; each proposal it changes gets a new "
                                             "version (GET /api/v1/scheduling/proposals).")
