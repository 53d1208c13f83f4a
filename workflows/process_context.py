"""What the whole certification process shares, from the application to the end of the certificate's
life: its input and task board, where it stands (``stage``), the checks its run makes, the reference
data it fetched, and the helpers that count its events, write them and the application's status to the
register, send the applicant's notices and make the certificate's document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.documents import DocumentRequest
    from activities.records import EventInput, Notice, RecordActivities, ReferenceData, ReferenceQuery, StatusChange
    from rules.calendar import WorkingDayResult, add_working_days
    from schemas.applications import ApplicationStatus
    from workflows.contracts import CertificationInput, Stage
    from workflows.patching import patched
    from workflows.tasks import TaskBoard, today

ACTIVITY_TIMEOUT = timedelta(seconds=60)
DueOn = dict[str, Any]  # ``due_on`` and ``due_provisional``, as ``TaskBoard.ask`` takes them


@dataclass(frozen=True)
class RunChecks:
    """The checks of issue 12 this run makes (``patched("record-integrity")``); runs begun
    before replay without them."""

    integrity: bool = False  # shoppers kept from decisions, a suspension's outcome within its limit, ...
    scheme_gaps: bool = False  # step-rounded minima, R-A.n1b on the year's total, R-6.result at renewal
    sampled_level: bool = False  # a surveillance is maintained only at the level its sample reached


class ProcessContext:
    def __init__(self, data: CertificationInput, board: TaskBoard) -> None:
        self.input = data
        self.board = board
        self.stage: Stage = "application_review"
        self.checks = RunChecks()  # set by the run (patched("record-integrity"))
        self.events = 0  # events recorded by the process, across its runs: their keys stay unique
        self.reference: ReferenceData | None = None
        self.certificate_number: str | None = None  # once the certificate lives: the subject of its events

    def record_integrity(self) -> None:
        """The checks of issue 12, for runs that begin with them; runs begun before replay without them.
        Dates are facts (records dated after today refused); a surveillance rated on its sample (R-9.2.6,
        R-9.2.8); shoppers kept from the decision, the suspension's outcome within its limit, a reissue that
        cannot change the scope, an automatic suspension's side (``integrity``); the R-A.table confirmation,
        R-A.n1b year totals and step-rounded minima, R-6.result at renewal (``scheme_gaps``)."""
        checked = patched("record-integrity")
        self.board.dates_are_facts = checked
        self.checks = RunChecks(integrity=checked, scheme_gaps=checked, sampled_level=checked)

    async def fetch_reference(self) -> None:
        year = today().year
        self.reference = await self.board.incidents.execute(
            RecordActivities.reference_data, ReferenceQuery(years=list(range(year - 1, year + 5))),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            summary="节假日表与审查项目目录",
        )

    def reference_data(self) -> ReferenceData:
        assert self.reference is not None, "fetched before the first task is asked"
        return self.reference

    def due(self, working_days: int, start: date | None = None) -> DueOn:
        result: WorkingDayResult = add_working_days(start or today(), working_days, self.reference_data().holidays)
        return {"due_on": result.date, "due_provisional": result.provisional}

    def event_input(self, kind: str, rule_id: str | None, data: dict) -> EventInput:
        self.events += 1
        wf_id = workflow.info().workflow_id
        return EventInput(key=f"{wf_id}/{kind}/{self.events}", at=workflow.now(), kind=kind, rule_id=rule_id,
                          workflow_id=wf_id, subject=str(self.input.application_id), element_id=kind, data=data)

    async def record_event(self, kind: str, rule_id: str | None, data: dict) -> None:
        event = self.event_input(kind, rule_id, data)
        if self.certificate_number is not None:  # about the certificate (its number the subject)
            event = event.model_copy(update={"subject": self.certificate_number})
        await self.board.incidents.execute(RecordActivities.record_event, event,
                                           start_to_close_timeout=ACTIVITY_TIMEOUT, summary=kind)

    async def set_application_status(self, status: ApplicationStatus, rule_id: str, data: dict | None = None) -> None:
        await self.board.incidents.execute(
            RecordActivities.set_application_status,
            StatusChange(application_id=self.input.application_id, status=status,
                         event=self.event_input(f"application.{status.value}", rule_id, data or {})),
            start_to_close_timeout=ACTIVITY_TIMEOUT, summary=f"申请状态：{status.value}",
        )

    async def notify(self, template: str, rule_id: str, params: dict) -> None:
        """A written notice to the applicant, from the body's template (activities/mail_templates/):
        queued in the outbox, then delivered (workflows/mail.py)."""
        contact = self.input.submission.organization.contact
        event = self.event_input(f"notice.{template}", rule_id, {"template": template})
        if not contact.email:
            await self.record_event(f"notice.{template}.no_email", rule_id, {"template": template})
            return
        params = {"organization": self.input.submission.organization.name or "",
                  "application_id": str(self.input.application_id), **params}
        key = await self.board.incidents.execute(
            RecordActivities.send_notice,
            Notice(key=event.key, to=contact.email, template=template, params=params, event=event),
            start_to_close_timeout=ACTIVITY_TIMEOUT, summary=f"通知：{template}",
        )
        self.board.mail.deliver([key], template)

    def issue_document(self, number: str, reason: str) -> None:
        """R-10.2: the certificate document as the register now has it (on grant, reissue, scope
        reduction and recertification); processes that began before documents existed make none."""
        if not patched("certificate-document"):
            return
        key = self.event_input("certificate.document", "R-10.2", {}).key
        self.board.mail.issue_document(DocumentRequest(key=key, number=number, reason=reason))

    async def end(self, stage: Stage, summary: str) -> str:
        """The process ends: its end event, its mail delivered, its handlers finished."""
        self.stage = stage
        self.board.passed(stage)  # the end event (rejected, refused, withdrawn, expired)
        self.board.details(summary)
        await self.board.mail.settle()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return stage
