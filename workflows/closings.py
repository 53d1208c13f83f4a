"""Issue 17: a completed task is closed in the inbox with what the process does next, not before it.

A completion used to run its closing as a local activity of its own and only then go on, so the
completing Update's workflow task ran closing, record, next task's opening one after the other, two or
three commits of the register, and the Update's answer waited for all. Now the closing waits, within that
same workflow task, for the next thing the process does: if it opens a task (the on-site audit after its
plan), the projection takes the closing along (``TaskProjection.closings``: one transaction, one local
step); if it does anything else first (a record step, most often), the closing runs on its own beside it,
both at once, as soon as the process waits for that other thing (``_unless_taken``). Either way it is
done in the workflow task that accepted the completion, before the Update's answer leaves: the inbox does
not show as open a task whose completion was answered.

A closing on its own runs beside the process, like a mail: should it fail for good it becomes an incident
for an operator to retry while the process goes on (the workflow already refuses the task; the inbox
catches up on the retry), and the process waits for it before it ends (``settle``). A closing taken along
shares its projection's fate: a projection that fails for good is one incident for both.

Runs begun before keep closing each task on its own before going on (patch ``close-with-next-task``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.inbox import InboxActivities, TaskClosing
    from workflows.incidents import Incidents
    from workflows.mail import OutgoingMail
    from workflows.patching import patched

CLOSE_TIMEOUT = timedelta(seconds=30)


@dataclass
class Closings:
    """The completed tasks of one board not yet closed in the inbox, waiting for the next projection."""

    incidents: Incidents
    mail: OutgoingMail  # settles what runs beside the process, a closing on its own among it
    waiting: list[TaskClosing] = field(default_factory=list)
    # The tasks the process is done with whose row the inbox has not closed yet (waiting, being closed, or
    # held up by an incident): `certflow inbox rebuild` leaves them to their closing (the ``status`` query).
    unclosed: set[str] = field(default_factory=set)

    async def close(self, closing: TaskClosing, summary: str) -> None:
        """Close a completed task: with the next task's opening when the process opens one next, else on
        its own, both in this workflow task; runs begun before close it here and now."""
        self.unclosed.add(closing.task_id)
        if not patched("close-with-next-task"):
            await self._execute(closing, summary)
            return
        self.waiting.append(closing)
        self.mail.alongside(asyncio.create_task(self._unless_taken(closing, summary)))

    def take(self) -> list[TaskClosing]:
        """The closings a projection carries (all those waiting); none are left to close on their own.
        Once the projection is done, it says so (``closed``)."""
        taken, self.waiting = self.waiting, []
        return taken

    def closed(self, closings: list[TaskClosing]) -> None:
        self.unclosed.difference_update(c.task_id for c in closings)

    async def _unless_taken(self, closing: TaskClosing, summary: str) -> None:
        # Runs once the code that completed the task waits for something; a projection scheduled before
        # that has taken the closing along.
        if any(waiting is closing for waiting in self.waiting):
            self.waiting = [waiting for waiting in self.waiting if waiting is not closing]
            await self._execute(closing, summary)

    async def _execute(self, closing: TaskClosing, summary: str) -> None:
        await self.incidents.execute(InboxActivities.close_task, closing, start_to_close_timeout=CLOSE_TIMEOUT,
                                     summary=summary)
        self.closed([closing])
