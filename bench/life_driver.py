"""A certification's three-year life driven on the time-skipping server, as staff would through the API
(each task completed with the ``complete_task`` Update) and as the tests wait for it (``wait_for_task``,
``wait_for_stage``, ``wait_for_life``, ``wait_for_audit``): the initial certification, two surveillances
and the recertification that renews the certificate (R-9.1 – R-9.3). Time moves to each day a task can
be done (dates are facts).
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from temporalio.client import WorkflowHandle

from bench.certflow_parts import Parts, start_certification
from rules.rating import default_catalogue
from schemas.payloads import TASK_PAYLOADS
from schemas.tasking import TaskCompletion, TaskView
from store.facts import staff_facts
from store.tasks import get_task
from workflows.contracts import LifeStatus, LifeWait, ProcessStatus
from workflows.tasks import SHANGHAI

DEPARTMENTS = ["客服部", "质检部", "培训部", "运营部"]
STAGE1 = {"planning": "有", "documents": "齐全", "monitoring": "有", "improvement": "有", "legal_compliance": "合规",
          "resources": "充足", "sites_processes_equipment": "受控", "ready_for_onsite": True, "concerns": ""}
POINTS = ("information_complete", "industry_and_process_understood", "state_requirements_known",
          "differences_resolved", "body_able_to_certify", "scope_and_sites_confirmed", "audit_time_determined")


class WallClock:
    """A dev server's environment for the driver: its clock is the wall clock and does not move."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def get_current_time(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, duration: timedelta) -> None:
        raise RuntimeError(f"the dev server's clock does not move ({duration} asked)")


class LifeDriver:
    def __init__(self, env: Any, parts: Parts, queue: str) -> None:
        self.env, self.parts, self.queue, self.staff = env, parts, queue, parts.staff
        self.handle: WorkflowHandle | None = None
        self.first_run_id = ""
        self.completions_ms: list[float] = []

    # ------------------------------------------------------------------ time and tasks
    async def today(self) -> date:
        return (await self.env.get_current_time()).astimezone(SHANGHAI).date()

    async def move_to(self, day: date) -> None:
        now = await self.env.get_current_time()
        target = datetime.combine(day, datetime.min.time(), tzinfo=SHANGHAI) + timedelta(hours=10)
        if target > now:
            await self.env.sleep(target - now)

    def process(self) -> WorkflowHandle:
        assert self.handle is not None
        return self.handle

    async def task(self, kind: str, handle: WorkflowHandle | None = None) -> TaskView:
        return await (handle or self.process()).execute_update("wait_for_task", kind, result_type=TaskView)

    async def on_its_day(self, kind: str, handle: WorkflowHandle | None = None) -> date:
        view = await self.task(kind, handle)
        if view.available_from is not None:
            await self.move_to(view.available_from)
        return await self.today()

    async def complete(self, kind: str, who: str, payload: dict[str, Any],
                       handle: WorkflowHandle | None = None) -> None:
        """Wait for the task, then complete it as ``who``; the round trip of ``complete_task`` is kept."""
        view = await self.task(kind, handle)
        facts = await staff_facts(self.parts.pool, TASK_PAYLOADS[kind].model_validate(payload).staff_ids())
        sent = time.perf_counter()
        await (handle or self.process()).execute_update(
            "complete_task", TaskCompletion(task_id=view.task_id, actor=self.staff[who], payload=payload, facts=facts))
        self.completions_ms.append((time.perf_counter() - sent) * 1000)

    async def context(self, kind: str, handle: WorkflowHandle | None = None) -> dict[str, Any]:
        record = await get_task(self.parts.pool, (await self.task(kind, handle)).task_id)
        assert record is not None
        return dict(record.context)

    # ------------------------------------------------------------------ payloads
    def programme(self, today: date, *, person_days: str, onsite_in: int, visits: bool, stage1: bool) -> dict:
        s = self.staff
        team = [{"staff_id": str(s[k].staff_id), "role": r} for k, r in
                (("leader", "leader"), ("auditor", "auditor"), ("expert", "expert"))]
        return {"objectives": "认证审查", "person_days": person_days, "onsite_days": person_days,
                "stage1_on": str(today + timedelta(days=7)) if stage1 else None,
                "onsite_start": str(today + timedelta(days=onsite_in)),
                "onsite_end": str(today + timedelta(days=onsite_in + 1)), "team": team,
                "visits": [{"site": site, "shopper_id": str(s["shopper"].staff_id), "person_days": "0.5",
                            "planned_on": str(today + timedelta(days=onsite_in - 11))} for site in ("站点1", "站点2")]
                if visits else []}

    @staticmethod
    def results(today: date) -> dict:
        items = [{"item_id": i.id, "method_compliant": True, "executed": True, "method_score": str(i.max_method),
                  "execution_score": str(i.max_execution)} for i in default_catalogue().items]
        return {"items": items, "findings": [{"kind": "minor_nonconformity", "clause": "4.2", "department": "客服部",
                                              "description": "回访记录不完整", "acknowledged_on": str(today)}]}

    # ------------------------------------------------------------------ the life
    async def audit(self, handle: WorkflowHandle, *, visits: bool, stage1: bool) -> None:
        """One audit from its first task to its report (stage 1 and visits when the programme has them)."""
        if stage1:
            await self.on_its_day("stage1", handle)
            await self.complete("stage1", "leader", STAGE1, handle)
        today = await self.today()
        if visits:
            today = await self.on_its_day("mystery_shopper_report", handle)
            for _ in range(2):
                await self.complete("mystery_shopper_report", "shopper", {
                    "visited_on": str(today), "person_days": "0.5", "service_quality": "好",
                    "service_environment": "整洁"}, handle)
        await self.complete("onsite_plan", "leader", {"sent_on": str(today), "plan": "现场审查计划"}, handle)
        today = await self.on_its_day("onsite_audit", handle)
        await self.complete("onsite_audit", "leader", self.results(today), handle)
        findings = (await self.context("nonconformity_follow_up", handle))["nonconformities"]
        await self.complete("nonconformity_follow_up", "leader", {"corrections": [
            {"finding_id": f, "corrected_on": str(today), "verified_on": str(today)} for f in findings]}, handle)
        await self.complete("audit_report", "leader", {"summary": "总体符合", "discussed_with_auditee_on": str(today),
                                                       "recommendation": "recommend"}, handle)

    async def audit_after_the_fact(self, handle: WorkflowHandle) -> None:
        """The initial audit on a server whose clock does not move: each step recorded on the past day it
        took place (stage 1 forty days ago … the on-site audit a fortnight ago)."""
        today = await self.today()
        ago = {step: str(today - timedelta(days=n)) for step, n in (("stage1", 40), ("visit", 30), ("plan", 28),
                                                                    ("onsite", 14), ("onsite_end", 13))}
        await self.complete("stage1", "leader", STAGE1 | {"held_on": ago["stage1"]}, handle)
        for _ in range(2):
            await self.complete("mystery_shopper_report", "shopper", {
                "visited_on": ago["visit"], "person_days": "0.5", "service_quality": "好",
                "service_environment": "整洁"}, handle)
        await self.complete("onsite_plan", "leader", {"sent_on": ago["plan"], "plan": "现场审查计划"}, handle)
        results = self.results(today) | {"started_on": ago["onsite"], "ended_on": ago["onsite_end"]}
        await self.complete("onsite_audit", "leader", results, handle)
        findings = (await self.context("nonconformity_follow_up", handle))["nonconformities"]
        await self.complete("nonconformity_follow_up", "leader", {"corrections": [
            {"finding_id": f, "corrected_on": str(today), "verified_on": str(today)} for f in findings]}, handle)
        await self.complete("audit_report", "leader", {"summary": "总体符合", "discussed_with_auditee_on": str(today),
                                                       "recommendation": "recommend"}, handle)

    async def audit_of(self, kind: str, n: int) -> WorkflowHandle:
        """An audit of the certificate's life, once its process has started it (the initial one is known
        by its id as soon as the stage is "audit")."""
        audit_id = await self.process().execute_update("wait_for_audit", f"audit-{self.process().id}-{kind}-{n}",
                                                       result_type=str)
        return self.env.client.get_workflow_handle(audit_id)

    async def grant(self, *, clock_moves: bool = True) -> None:
        """The initial certification (R-9.1) to the certificate. Without ``clock_moves`` (a dev server) the
        visits are planned for today, the on-site audit in 12 days, and the audit is recorded after the fact."""
        self.handle = await start_certification(self.env.client, self.queue, self.staff)
        self.first_run_id = self.handle.first_execution_run_id or ""
        await self.complete("application_review", "reviewer", {p: {"satisfied": True, "note": "ok"} for p in POINTS} | {
            "conclusion": "accept", "reasons": "", "audit_time_adjustments": []})
        signed = {"signed_on": str(await self.today()), "contract_reference": "HT-1"}
        await self.complete("contract", "reviewer", signed)
        programme = self.programme(await self.today(), person_days="9", onsite_in=21 if clock_moves else 12,
                                   visits=True, stage1=True)
        if not clock_moves:
            programme["visits"] = [v | {"planned_on": str(await self.today())} for v in programme["visits"]]
        await self.complete("programme", "programme_manager", programme | {"objectives": "初次认证"})
        await self.process().execute_update("wait_for_stage", "audit", result_type=ProcessStatus)
        initial = self.env.client.get_workflow_handle(f"audit-{self.process().id}-initial-1")  # started by now
        if clock_moves:
            await self.audit(initial, visits=True, stage1=True)
        else:
            await self.audit_after_the_fact(initial)
        await self.complete("materials_review", "programme_manager", {"accepted": True})
        await self.complete("certification_decision", "decision_maker", {"outcome": "grant", "star_level": "five_star"})
        await self.process().execute_update("wait_for_stage", "granted", result_type=ProcessStatus)
        self.handle = self.env.client.get_workflow_handle(self.process().id)  # follows continue-as-new

    async def life(self, **wanted: Any) -> LifeStatus:
        while True:
            life = await self.process().execute_update("wait_for_life", LifeWait(**wanted), result_type=LifeStatus)
            if LifeWait(**wanted).met_by(life):
                return life

    async def surveillance(self, n: int, days_before: int) -> None:
        """The ``n``-th surveillance (R-9.2), begun ``days_before`` its due date, to the decision."""
        life = await self.life(surveillances_done=n - 1)
        await self.move_to(next(d.on for d in life.next_due if d.what == "surveillance") - timedelta(days=days_before))
        today = await self.today()
        await self.complete("surveillance_changes", "programme_manager", {
            "confirmed_on": str(today), "departments": DEPARTMENTS, "decisive_departments": ["客服部"]})
        proposal = (await self.context("surveillance_programme"))["proposal"]
        await self.complete("surveillance_programme", "programme_manager", {
            "programme": self.programme(today, person_days="3", onsite_in=14, visits=False, stage1=False),
            "sampling": {"clauses": proposal["clauses"], "departments": proposal["departments"]}})
        await self.complete("surveillance_review", "leader", {"changes_reviewed": "无重大变化"})
        await self.audit(await self.audit_of("surveillance", n), visits=False, stage1=False)
        await self.complete("surveillance_decision", "decision_maker", {"outcome": "maintain"})

    async def recertification(self) -> None:
        """Invited before expiry, audited like the initial audit, renewed: the process continues as new (R-9.3)."""
        life = await self.life(surveillances_done=2)
        await self.move_to(next(d.on for d in life.next_due if d.what == "recertification_invitation"))
        await self.complete("recertification_application", "reviewer", {"applied_on": str(await self.today())})
        programme = self.programme(await self.today(), person_days="6", onsite_in=14, visits=True, stage1=False)
        await self.complete("recertification_programme", "programme_manager", programme)
        await self.audit(await self.audit_of("recertification", 1), visits=True, stage1=False)
        renew = {"outcome": "renew", "star_level": "four_star"}
        await self.complete("recertification_decision", "decision_maker", renew)
        await self.life(cycle=2)

    async def three_years(self) -> None:
        await self.grant()
        await self.surveillance(1, days_before=89)
        await self.surveillance(2, days_before=59)
        await self.recertification()
