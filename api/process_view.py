"""Where each process is, element by element (issue 7's live view, without the diagram yet): the
elements a process is in now, the ones it passed with their times, the overdue ones, and a link to its
page in the Temporal UI; and, over all processes, how many passed each element and how long they
stayed there.

A running process answers its ``elements`` query; a closed one (or one Temporal no longer holds) is
read from the event log, which records every task's opening and closing with its element id. Its
incidents (steps that failed for good, workflows/incidents.py) come from the register, and from the
running process itself for those the register has not caught up with yet.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import quote

import asyncpg
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError

from api.auth import db, temporal
from api.permissions import Action, permitted
from api.problems import Problem
from api.process_page import model_file_of
from api.processes import QUERY_TIMEOUT, live_state
from rules.lifecycle import shanghai_date
from schemas.incidents import INCIDENTS_QUERY, Incident
from schemas.tasking import Actor, ElementVisit
from store.incidents import list_incidents
from store.process_stats import ElementStats, element_stats, process_visits
from store.task_subjects import subjects_of
from workflows.contracts import STATUS_QUERY, ProcessStatus
from workflows.model import MODEL_OF, ProcessModel

router = APIRouter(prefix="/api/v1/processes", tags=["processes"])


class ProcessIncident(Incident):
    id: int | None = Field(None, description="the register's id (POST /api/v1/incidents/{id}/retry); None "
                                             "until the register has it")


# What each due date of a certificate's life is, in words, and the timer of the model it waits on
# (workflows/model_life.py): a surveillance is awaited at its preparation's timer until one is under way,
# then at its window's end.
DUE_WORDS = {"surveillance": "监督审查最迟日期", "suspension_end": "暂停期满",
             "recertification_invitation": "再认证邀请", "expiry": "证书到期"}
TIMER_OF_DUE = {"suspension_end": "suspension_end", "recertification_invitation": "recertification_invitation",
                "expiry": "expiry"}


class WaitingTimer(BaseModel):
    element_id: str = Field(description="the timer's element in the model")
    what: str = Field(description="surveillance, suspension_end, recertification_invitation or expiry")
    words: str = Field(description="what is due, in words")
    on: date
    rule_id: str


class ProcessElements(BaseModel):
    workflow_id: str
    process_state: str = Field(description="Temporal's execution state, or NOT_FOUND when only the log knows it")
    source: str = Field(description="'process' (its live answer) or 'event log'")
    active: list[ElementVisit]
    completed: list[ElementVisit]
    overdue: list[str] = Field(description="element ids of active tasks past their due date")
    temporal_ui: str | None = Field(None, description="the process's page in the Temporal UI, when it has one")
    model: str = Field(description="its BPMN model (BPMN 2.0 XML with the diagram)")
    page: str = Field(description="its page: the diagram with these elements marked")
    incidents: list[ProcessIncident] = Field(default_factory=list, description="its incidents, newest first")
    organization: str | None = Field(None, description="the organization the process is about (the register's name)")
    certificate_number: str | None = Field(None, description="the certificate its certification issued, if any")
    waiting: list[WaitingTimer] = Field(default_factory=list, description=(
        "the timers a certificate's life waits on now (R-9.2.1, R-9.6.3, R-9.3, R-10.1), soonest first"))


def today() -> date:
    return shanghai_date(datetime.now(UTC))


@router.get("/stats", response_model=list[ElementStats],
            summary="per element over all processes: passed, there now, median and p90 hours spent")
async def stats(actor: Actor = Depends(permitted(Action.READ_PROCESS_STATS)), pool: asyncpg.Pool = Depends(db),
                process: str | None = Query(None, pattern="^(certification|audit|regulator-report)$",
                                            description="only processes of this kind")) -> list[ElementStats]:
    """For each element of the process models, how many processes are in it now and how many are late."""
    prefix = {"certification": "certification-", "audit": "audit-", "regulator-report": "regulator-report"}
    return await element_stats(pool, prefix[process] if process else None)


@router.get("/{workflow_id}", response_model=ProcessElements,
            summary="the elements a process is in, those it passed (with times), the overdue ones")
async def process(workflow_id: str, request: Request, actor: Actor = Depends(permitted(Action.READ_PROCESS)),
                  pool: asyncpg.Pool = Depends(db), client: Client = Depends(temporal),
                  day: date = Depends(today)) -> ProcessElements:
    """Where one process is, element by element (its diagram's ids), with its incidents, for the
    process page and operators."""
    live = await live_state(client, workflow_id, "elements", list[ElementVisit])
    if live is not None and live.running and live.answer is not None:
        visits, source = live.answer, "process"
    else:
        logged = await process_visits(pool, workflow_id)
        if live is None and not logged:
            raise Problem(404, f"There is no process {workflow_id}.")
        visits = [ElementVisit(element_id=v.element_id, entered_at=v.entered_at, left_at=v.left_at,
                               outcome=v.outcome, task_id=v.task_id) for v in logged]
        source = "event log"
    active = [v for v in visits if v.left_at is None]
    subject = (await subjects_of(pool, [workflow_id])).get(workflow_id)
    waiting = await waiting_timers(client, workflow_id, active) if live is not None and live.running else []
    settings = request.app.state.settings
    ui = settings.temporal_ui_url
    link = f"{ui}/namespaces/{settings.temporal_namespace}/workflows/{quote(workflow_id, safe='')}" if ui else None
    return ProcessElements(
        workflow_id=workflow_id, process_state=live.state if live else "NOT_FOUND", source=source, active=active,
        completed=[v for v in visits if v.left_at is not None],
        overdue=[v.element_id for v in active if v.due_on is not None and v.due_on < day], temporal_ui=link,
        model=f"/bpmn/{model_file_of(workflow_id)}.bpmn", page=f"/processes/{quote(workflow_id, safe='')}",
        incidents=await incidents_of(client, pool, workflow_id, running=bool(live and live.running)),
        organization=subject.organization if subject else None,
        certificate_number=subject.certificate_number if subject else None, waiting=waiting)


async def waiting_timers(client: Client, workflow_id: str, active: list[ElementVisit]) -> list[WaitingTimer]:
    """A running certification's life: what it waits for and until when (its ``status`` query's next due
    dates); nothing for an audit or before the certificate is granted."""
    if model_file_of(workflow_id) != "certification":
        return []
    try:
        status = await client.get_workflow_handle(workflow_id).query(STATUS_QUERY, result_type=ProcessStatus,
                                                                     rpc_timeout=QUERY_TIMEOUT)
    except (RPCError, WorkflowQueryFailedError):
        return []  # the elements were answered a moment ago; the dates are a bonus
    life = status.life
    model = MODEL_OF["CertificationWorkflow"]
    surveying = any("surveillance" in _containers(model, v.element_id) for v in active)
    timer_of = {**TIMER_OF_DUE, "surveillance": "surveillance_window_closes" if surveying
                else "surveillance_preparation"}
    return [WaitingTimer(element_id=timer_of[d.what], what=d.what, words=DUE_WORDS[d.what], on=d.on,
                         rule_id=d.rule_id) for d in (life.next_due if life else [])]


def _containers(model: ProcessModel, element_id: str) -> set[str]:
    """The subprocesses an element is drawn in, outermost included (none for an unknown id)."""
    found: set[str] = set()
    parent = next((e.parent for e in model.elements if e.code_id == element_id), None)
    while parent is not None:
        found.add(parent)
        parent = model.element(parent).parent
    return found


async def incidents_of(client: Client, pool: asyncpg.Pool, workflow_id: str, *, running: bool) -> list[ProcessIncident]:
    """The register's incidents of the process and its audits; a running process's own answer wins (it is
    never older than the register's copy)."""
    found = {i.key: ProcessIncident(**i.model_dump(exclude={"updated_at"}))
             for i in await list_incidents(pool, workflow_id=workflow_id, with_audits=True)}
    if running:
        try:
            live = await client.get_workflow_handle(workflow_id).query(INCIDENTS_QUERY, result_type=list[Incident],
                                                                       rpc_timeout=QUERY_TIMEOUT)
        except (RPCError, WorkflowQueryFailedError):
            live = []  # the register's copy is what we can show
        for incident in live:
            known = found.get(incident.key)
            found[incident.key] = ProcessIncident(**incident.model_dump(), id=known.id if known else None)
    return sorted(found.values(), key=lambda i: i.raised_at, reverse=True)
