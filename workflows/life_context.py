"""What every part of a certificate's life shares (workflows/life.py): the process's context (its input,
task board and helpers, workflows/process_context.py), the certificate's ``LifeState``, how this run's
cycle stands (``CycleState``), and the helpers each part uses to record an event about the certificate,
write to the register, notify the organization and run a step beside the cycle. The parts (surveillance,
suspension, recertification, staff actions, notifications) hold this context; none of them inherits
from the workflow.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.records import CertificateStatusChange, EventInput, RecordActivities
    from schemas.certificates import CertStatus
    from workflows.contracts import LifeState
    from workflows.process_context import ACTIVITY_TIMEOUT, DueOn, ProcessContext

Ending = Literal["withdrawn", "expired"]


@dataclass
class CycleState:
    """How this run's validity cycle stands."""

    ending: Ending | None = None  # the process ends: withdrawn or expired
    renewal: LifeState | None = None  # the next cycle, once recertification was decided
    steps_under_way: int = 0  # tasks asked, audits running, actions being carried out
    register_writes_pending: int = 0  # certificate changes on their way to the register
    beside: list[asyncio.Task] = field(default_factory=list)  # steps running beside the cycle
    due_in_register: tuple[date | None, str | None] | None = None  # the register's copy of what is due next
    published: tuple | None = None  # the search attributes last upserted


class LifeContext:
    """The context every part of the life holds."""

    def __init__(self, process: ProcessContext, state: LifeState, publish: Callable[[], None]) -> None:
        self.process = process  # the clock of working days, the event, notice and document helpers
        self.input = process.input
        self.board = process.board
        self.state = state
        self.checks = process.checks
        self.publish = publish  # the search attributes and details follow the state (workflows/life.py)
        self.cycle = CycleState()

    # ------------------------------------------------------------------------------- the cycle
    def cycle_is_over(self) -> bool:
        return self.cycle.ending is not None or self.cycle.renewal is not None

    def run_beside(self, step: Coroutine[Any, Any, Any]) -> None:
        """Start a step beside the cycle; a failure in it fails the cycle (``failure_beside``)."""
        self.cycle.beside.append(asyncio.create_task(step))

    def failure_beside(self) -> BaseException | None:
        for task in self.cycle.beside:
            if task.done() and not task.cancelled() and task.exception() is not None:
                return task.exception()
        return None

    @contextmanager
    def step_under_way(self) -> Iterator[None]:
        """While a step is under way the cycle does not continue as new."""
        self.cycle.steps_under_way += 1
        try:
            yield
        finally:
            self.cycle.steps_under_way -= 1

    async def cycle_reaches(self, moment: datetime, summary: str) -> bool:
        """Wait for ``moment``; False when the cycle ended first."""
        wait = moment - workflow.now()
        if wait > timedelta(0):
            with suppress(TimeoutError):
                await workflow.wait_condition(self.cycle_is_over, timeout=wait, timeout_summary=summary)
        return not self.cycle_is_over()

    # ------------------------------------------------------------------------------- records and notices
    def due(self, working_days: int) -> DueOn:
        return self.process.due(working_days)

    def cert_event(self, kind: str, rule_id: str | None, data: dict) -> EventInput:
        """An event about the certificate (subject = its number, as the regulator's report reads it)."""
        return self.process.event_input(kind, rule_id, data).model_copy(update={"subject": self.state.number})

    async def record_event(self, kind: str, rule_id: str | None, data: dict) -> None:
        await self.board.incidents.execute(RecordActivities.record_event, self.cert_event(kind, rule_id, data),
                                           start_to_close_timeout=ACTIVITY_TIMEOUT, summary=kind)

    async def notify(self, template: str, rule_id: str, params: dict) -> None:
        await self.process.notify(template, rule_id, params)

    async def notify_org(self, template: str, rule_id: str, params: dict) -> None:
        await self.process.notify(template, rule_id, {"organization": self.state.organization_name, **params})

    def issue_document(self, reason: str) -> None:
        self.process.issue_document(self.state.number, reason)

    async def register(self, activity: Callable[..., Any], change: Any, summary: str) -> None:
        """Write a change of the certificate to the register; until it is there, ``wait_for_life``
        holds its answer (``register_writes_pending``), so that whoever waited reads the register they
        expect."""
        self.cycle.register_writes_pending += 1
        try:
            await self.board.incidents.execute(activity, change, start_to_close_timeout=ACTIVITY_TIMEOUT,
                                               summary=summary)
        finally:
            self.cycle.register_writes_pending -= 1

    async def set_status(self, status: CertStatus, kind: str, rule_id: str, until: date | None, data: dict) -> None:
        """The register follows the process's state, which the caller has already changed."""
        await self.register(
            RecordActivities.set_certificate_status,
            CertificateStatusChange(number=self.state.number, status=status, suspended_until=until,
                                    event=self.cert_event(kind, rule_id, data)),
            f"certificate {status.value} ({rule_id})")
        self.publish()
