"""One certification, from the application to the certificate (R-9.1.1 – R-9.1.10), then its life.

``CertificationWorkflow`` is the shell Temporal runs: its handlers and queries, and two composed parts
around a shared ``ProcessContext`` (workflows/process_context.py): the initial certification
(``InitialCertification``, workflows/initial.py) up to the grant, then the certificate's life
(``CertificateLife``, workflows/life.py: surveillance, suspension, special audits, notifications,
recertification, expiry or withdrawal), one validity cycle per run; staff act on it through ``act``.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.actions import ActionReceipt, ActionRequest
    from schemas.tasking import Refusal
    from workflows.contracts import CertificationInput, LifeState, LifeStatus, LifeWait, ProcessStatus
    from workflows.incidents import IncidentBound
    from workflows.initial import NOT_CERTIFIED, InitialCertification
    from workflows.life import CertificateLife
    from workflows.patching import begin_run, patched
    from workflows.process_context import ProcessContext
    from workflows.tasks import HumanTasks, TaskBoard, refuse


@workflow.defn(name="CertificationWorkflow")
class CertificationWorkflow(HumanTasks):
    starting_message = "The application is still being recorded; try again in a moment."
    board: TaskBoard  # from the start (``__init__``)

    @workflow.init
    def __init__(self, data: CertificationInput) -> None:
        self.input = data
        steps = data.policy.process
        self.board = TaskBoard(workflow.info().workflow_id, str(data.application_id), steps.reminder_days_before,
                               bound=IncidentBound.of(steps))
        self.board.link_page(data.process_pages)
        self.board.about = self._about
        self.process = ProcessContext(data, self.board)
        self.initial = InitialCertification(self.process)
        self.life: CertificateLife | None = None  # from the grant, or the run that continues the life

    @workflow.run
    async def run(self, data: CertificationInput) -> str:
        begin_run()  # first, in the run's first workflow task (workflows/patching.py)
        if data.life is not None:
            return await self._continue_life(data.life)
        self.process.record_integrity()
        certified = await self.initial.certify()
        if not isinstance(certified, LifeState):
            return await self.process.end(certified, NOT_CERTIFIED[certified])
        if patched("certificate-life"):
            # The certificate's life (workflows/life.py), cycle after cycle.
            return await self._run_certificate_life(certified)
        grant = self.initial.state.grant
        assert grant is not None
        await self.initial.run_to_expiry(grant)
        return await self.process.end("expired", f"certificate {grant.number} expired")

    async def _continue_life(self, life: LifeState) -> str:
        """A new run of a certificate's life (continue-as-new): fresh reference data, then the cycle."""
        self.process.record_integrity()
        self.initial.state.minimum_days = life.initial_person_days
        self.initial.state.programme_version = life.programme_version
        await self.process.fetch_reference()
        return await self._run_certificate_life(life)

    async def _run_certificate_life(self, state: LifeState) -> str:
        """The certificate's life for one validity cycle, then the process's end or a new run."""
        process = self.process
        process.events = state.events
        process.stage = "granted"
        process.certificate_number = state.number
        self.life = CertificateLife(process, state)
        outcome = await self.life.live_one_cycle()
        if isinstance(outcome, LifeState):
            workflow.continue_as_new(self.input.model_copy(update={
                "life": outcome.model_copy(update={"events": process.events})}))
        return await process.end(outcome, f"certificate {state.number} {outcome}")

    def _about(self) -> dict:
        """What every task of this certification shows: the organization and, once granted, the
        certificate number (the life's name for them, which a reissue may have changed)."""
        about = {"application_id": str(self.input.application_id)}
        if self.life is not None:
            s = self.life.state
            return {**about, "organization": s.organization_name, "certificate_number": s.number}
        return {**about, "organization": self.input.submission.organization.name or ""}

    # =============================================================================== Updates and queries
    def _accepting_tasks(self) -> bool:
        return self.process.reference is not None

    @workflow.update(name="wait_for_stage")
    async def wait_for_stage(self, stage: str) -> ProcessStatus:
        await workflow.wait_condition(lambda: self.process.stage == stage)
        return self.status()

    @workflow.query(name="status")
    def status(self) -> ProcessStatus:
        data, initial = self.input, self.initial.state
        return ProcessStatus(
            workflow_id=workflow.info().workflow_id,
            application_id=data.application_id,
            organization=data.submission.organization.name or "",
            stage=self.process.stage,
            summary=workflow.get_current_details() or self.board.describe(),
            open_tasks=self.board.views(),
            unclosed_tasks=self.board.unclosed(),
            audit_workflow_id=initial.audit_workflow_id,
            computed_level=initial.audit.computed_level if initial.audit else None,
            certificate_number=initial.grant.number if initial.grant else None,
            valid_to=initial.grant.valid_to if initial.grant else None,
            programme_version=self.life.state.programme_version if self.life else initial.programme_version,
            life=self.life.status() if self.life else None,
        )

    # The certificate's life (workflows/life.py): the staff's actions and the waits of the API and tests.
    @workflow.update(name="act")
    async def act(self, request: ActionRequest) -> ActionReceipt:
        self._validate_act(request)  # the state may have moved since the validator ran
        assert self.life is not None
        return await self.life.actions.act(request)

    @act.validator
    def _validate_act(self, request: ActionRequest) -> None:
        if self.life is None:
            raise refuse(Refusal.STATE_CONFLICT, "There is no certificate yet: the certification is still under way.")
        self.life.actions.validate(request)

    @workflow.update(name="wait_for_audit")
    async def wait_for_audit(self, audit_id: str) -> str:
        """Block until the audit ``audit_id`` (``audit-{workflow id}-{kind}-{n}``) is running, so that a
        caller can address its Updates (the API's "what next", and tests)."""
        by_the_server = self.process.checks.integrity  # older runs answered as soon as it was being started
        await workflow.wait_condition(
            lambda: self.life is not None and self.life.audit_started(audit_id, by_the_server=by_the_server))
        return audit_id

    @workflow.update(name="wait_for_life")
    async def wait_for_life(self, wanted: LifeWait) -> LifeStatus:
        """Block until the certificate's life matches ``wanted`` and the register has caught up with it
        (status, next due date, the certificate document), or this run is about to end (withdrawal,
        expiry, renewal: then the caller asks again, and the next run answers)."""
        await workflow.wait_condition(lambda: self.life is not None and self.life.settled_for(wanted))
        assert self.life is not None
        return self.life.status()
