"""A certification driven through its workflows with real staff in the register: the fixtures used by
the workflow tests (and reusable by end-to-end API tests)."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.client import WorkflowHandle

from certflow.embedded import EmbeddedTemporal, free_port
from certflow.settings import SEARCH_ATTRIBUTES
from rules.policy import SchemePolicy
from rules.rating import default_catalogue
from schemas.intake import REQUIRED_MATERIALS, ApplicationSubmission
from schemas.payloads import TASK_PAYLOADS
from schemas.staff import Role
from schemas.tasking import Actor, TaskCompletion, TaskReceipt, TaskView
from store.facts import staff_facts
from store.staff import add_qualification, add_staff
from workers.main import build_worker
from workflows.contracts import CertificationInput, ProcessStatus, certification_workflow_id
from workflows.tasks import SHANGHAI

from .worker_process import WorkerProcess


def submission(
    headcounts: tuple[int, ...] = (80, 40), *, email: str | None = "contact@example.cn"
) -> ApplicationSubmission:
    return ApplicationSubmission.model_validate({
        "organization": {"name": "示例呼叫中心有限公司", "credit_code": "91110000MA01ABCD2X",
                         "registered_address": "北京市朝阳区示例路1号", "postcode": "100000",
                         "legal_status_proof": "营业执照副本", "contact": {"name": "王经理", "phone": "010-12345678",
                                                                         "email": email}},
        "sites": [{"name": f"站点{i + 1}", "address": f"地址{i + 1}", "postcode": "100000", "headcount": h}
                  for i, h in enumerate(headcounts)],
        "scope": "呼叫中心客户服务",
        "service_documents_in_operation_since": "2025-01-01",
        "information_form": {"resources": "座席 120 个", "processes": "受理、回访", "risk_management": "应急预案"},
        "materials": list(REQUIRED_MATERIALS),
    })


def full_marks(minor_nc: bool = True, major_nc: bool = False, today: date | None = None) -> dict:
    items = [{"item_id": i.id, "method_compliant": True, "executed": True, "method_score": str(i.max_method),
              "execution_score": str(i.max_execution)} for i in default_catalogue().items]
    findings = []
    if minor_nc:
        findings.append({"kind": "minor_nonconformity", "clause": "4.2", "department": "客服部",
                         "description": "回访记录不完整", "acknowledged_on": str(today)})
    if major_nc:
        findings.append({"kind": "major_nonconformity", "clause": "5.1", "department": "质检部",
                         "description": "质检流程未执行", "acknowledged_on": str(today)})
    return {"items": items, "findings": findings}


@dataclass
class People:
    reviewer: Actor
    programme_manager: Actor
    leader: Actor
    auditor: Actor
    expert: Actor
    shopper: Actor
    decision_maker: Actor
    manager: Actor
    unqualified: Actor
    tokens: dict[str, str] = field(default_factory=dict)


async def make_people(pool, qualified_until: date = date(2030, 12, 31)) -> People:
    made: dict[str, Actor] = {}
    tokens: dict[str, str] = {}
    manager, token = await add_staff(pool, "赵主管", [Role.MANAGER], email="manager@body.example")
    made["manager"] = Actor(staff_id=manager.id, name=manager.name, roles=list(manager.roles))
    tokens["manager"] = token
    spec = {
        "reviewer": ("钱评审", [Role.REVIEWER]),
        "programme_manager": ("孙方案", [Role.PROGRAMME_MANAGER]),
        "leader": ("李组长", [Role.AUDITOR]),
        "auditor": ("周审查", [Role.AUDITOR]),
        "expert": ("吴专家", [Role.TECHNICAL_EXPERT]),
        "shopper": ("郑暗访", [Role.MYSTERY_SHOPPER]),
        "decision_maker": ("王决定", [Role.DECISION_MAKER, Role.AUDITOR]),
        "unqualified": ("冯新人", [Role.AUDITOR]),
    }
    for key, (name, roles) in spec.items():
        person, token = await add_staff(pool, name, roles, email=f"{key}@body.example", manager_id=manager.id)
        made[key] = Actor(staff_id=person.id, name=person.name, roles=list(person.roles))
        tokens[key] = token
    for key in ("leader", "auditor", "decision_maker"):
        for kind in ("training_certificate", "competence_evaluation"):
            await add_qualification(pool, made[key].staff_id, kind, date(2024, 1, 1), qualified_until)
    # The unqualified auditor has passed training but no competence evaluation (R-7.auditor).
    await add_qualification(pool, made["unqualified"].staff_id, "training_certificate", date(2024, 1, 1),
                            qualified_until)
    return People(**made, tokens=tokens)


# The elements each model's traces have passed, over the session (tests/workflows/test_zz_bpmn_coverage.py).
COVERED: dict[str, set[str]] = defaultdict(set)


class Journey:
    """Drives one certification through its Updates, as the API would."""

    def __init__(self, env, pool, queue: str, people: People) -> None:
        self.env, self.pool, self.queue, self.people = env, pool, queue, people
        self.application_id = uuid.uuid4()
        self.handle: WorkflowHandle | None = None
        self.first_run_id: str | None = None
        self.policy: SchemePolicy | None = None  # the body's Decisions for this journey (default: RULES.md's)
        self.process_pages: str | None = None  # the API's address, for the Temporal UI's links

    @property
    def workflow_id(self) -> str:
        return certification_workflow_id(self.application_id)

    async def start(
        self, data: ApplicationSubmission | None = None, policy: SchemePolicy | None = None
    ) -> WorkflowHandle:
        self.handle = await self.env.client.start_workflow(
            "CertificationWorkflow",
            CertificationInput(application_id=self.application_id, submission=data or submission(),
                               submitted_at=datetime.now(UTC), submitted_by=self.people.reviewer,
                               policy=policy or self.policy or SchemePolicy(), process_pages=self.process_pages),
            id=self.workflow_id, task_queue=self.queue, result_type=str,
        )
        self.first_run_id = self.handle.first_execution_run_id
        return self.handle

    async def stop(self) -> None:
        """Check the journey's traces against the BPMN models, then terminate what this test left
        running: on the shared time-skipping server a workflow whose worker is gone would hold time
        still for every later test."""
        from temporalio.service import RPCError

        if self.handle is not None:
            await self.conform()

        latest = self.env.client.get_workflow_handle(self.workflow_id) if self.handle else None  # after continue-as-new
        for handle in (self.audit(), latest):
            if handle is None:
                continue
            with contextlib.suppress(RPCError):  # finished or never started
                await handle.terminate("test finished")

    async def conform(self) -> None:
        """Every run of this journey (the first and the latest of the certification, every audit) has
        recorded a path of its model (certflow/conformance.py), and an independent engine takes the same
        path on it (certflow/token_game.py); what they passed counts as covered."""
        from certflow.conformance import check_trace
        from certflow.token_game import play
        from schemas.tasking import ElementVisit
        from workflows.model import MODEL_OF

        audits = await self.pool.fetch(
            "SELECT DISTINCT workflow_id FROM events WHERE workflow_id LIKE 'audit-' || $1 || '-%'", self.workflow_id)
        handles = [self.env.client.get_workflow_handle(self.workflow_id, run_id=self.first_run_id),
                   self.env.client.get_workflow_handle(self.workflow_id)]
        handles += [self.env.client.get_workflow_handle(r["workflow_id"]) for r in audits]
        problems = []
        for handle in handles:
            # By id, not describe(): the test server hands back an unset NextDue that the SDK cannot decode.
            model = MODEL_OF["AuditWorkflow" if handle.id.startswith("audit-") else "CertificationWorkflow"]
            visits = await handle.query("elements", result_type=list[ElementVisit])
            trace = [v.element_id for v in visits]
            problems += [f"{handle.id}: {p}" for p in check_trace(model, trace) or play(model, visits)]
            COVERED[model.file].update(trace)
        assert not problems, "traces that are not paths of their BPMN model, or that SpiffWorkflow does not " \
                             "follow:\n" + "\n".join(problems)

    def audit(self) -> WorkflowHandle | None:
        if self.handle is None:
            return None
        return self.env.client.get_workflow_handle(f"audit-{self.workflow_id}-initial-1")

    async def today(self) -> date:
        return (await self.env.get_current_time()).astimezone(SHANGHAI).date()

    async def task(self, kind: str, handle: WorkflowHandle | None = None) -> TaskView:
        return await (handle or self.handle).execute_update("wait_for_task", kind, result_type=TaskView)

    async def stage(self, stage: str) -> ProcessStatus:
        return await self.handle.execute_update("wait_for_stage", stage, result_type=ProcessStatus)

    async def complete(self, kind: str, actor: Actor, payload: dict[str, Any], *,
                       handle: WorkflowHandle | None = None) -> TaskReceipt:
        view = await self.task(kind, handle)
        model = TASK_PAYLOADS[kind].model_validate(payload)
        facts = await staff_facts(self.pool, model.staff_ids())
        return await (handle or self.handle).execute_update(
            "complete_task", TaskCompletion(task_id=view.task_id, actor=actor, payload=payload, facts=facts),
            result_type=TaskReceipt,
        )

    # ------------------------------------------------------------------ the usual answers
    stage1_payload = staticmethod(lambda ready=True, concerns="": stage1(ready, concerns))
    full_marks = staticmethod(lambda **kw: full_marks(**kw))

    def review(self, conclusion: str = "accept", reasons: str = "", adjustments: list | None = None) -> dict:
        point = {"satisfied": True, "note": "ok"}
        return {name: point for name in ("information_complete", "industry_and_process_understood",
                                          "state_requirements_known", "differences_resolved", "body_able_to_certify",
                                          "scope_and_sites_confirmed", "audit_time_determined")} | {
            "conclusion": conclusion, "reasons": reasons, "audit_time_adjustments": adjustments or []}

    def programme(self, today: date, *, leader: Actor | None = None, visit_offset: int = 10, onsite_offset: int = 21,
                  person_days: str = "9", onsite_days: str = "8", sites: tuple[str, ...] = ("站点1", "站点2")) -> dict:
        p = self.people
        return {
            "objectives": "初次认证", "person_days": person_days, "onsite_days": onsite_days,
            "stage1_on": str(today + timedelta(days=7)),
            "onsite_start": str(today + timedelta(days=onsite_offset)),
            "onsite_end": str(today + timedelta(days=onsite_offset + 1)),
            "team": [{"staff_id": str((leader or p.leader).staff_id), "role": "leader"},
                     {"staff_id": str(p.auditor.staff_id), "role": "auditor"},
                     {"staff_id": str(p.expert.staff_id), "role": "expert"}],
            "visits": [{"site": s, "shopper_id": str(p.shopper.staff_id),
                        "planned_on": str(today + timedelta(days=visit_offset)), "person_days": "0.5"} for s in sites],
        }

    async def to_programme(self) -> date:
        """Application reviewed and accepted, contract signed: the programme task is open."""
        p = self.people
        await self.complete("application_review", p.reviewer, self.review())
        await self.complete("contract", p.reviewer, {"signed_on": str(await self.today()),
                                                     "contract_reference": "HT-2026-001"})
        await self.task("programme")
        return await self.today()

    async def to_audit(self, **programme) -> date:
        """Started, reviewed, contracted, programme in place (``programme`` adjusts it): the audit runs."""
        await self.start()
        today = await self.to_programme()
        await self.complete("programme", self.people.programme_manager, self.programme(today, **programme))
        await self.stage("audit")
        return today

    async def move_to(self, day: date) -> None:
        """Move the test server's clock to 10:00 (Shanghai) of ``day``, if that is still to come."""
        now = await self.env.get_current_time()
        target = datetime.combine(day, datetime.min.time(), tzinfo=SHANGHAI) + timedelta(hours=10)
        if target > now:
            await self.env.sleep(target - now)

    async def when_available(self, kind: str, handle: WorkflowHandle | None = None) -> date:
        """Wait for the task of ``kind`` and move time to the day it can be done (dates are facts):
        returns that today."""
        view = await self.task(kind, handle)
        if view.available_from is not None:
            await self.move_to(view.available_from)
        return await self.today()

    async def programme_to_grant(self, today: date) -> ProcessStatus:
        """On a real server (its clock does not move): the programme planned from ``today``, the audit
        recorded after the fact, a five-star grant; the granted status, with its certificate number."""
        await self.complete("programme", self.people.programme_manager,
                            self.programme(today, visit_offset=0, onsite_offset=12))
        await self.stage("audit")
        await self.through_audit(move_time=False)
        await self.complete("certification_decision", self.people.decision_maker,
                            {"outcome": "grant", "star_level": "five_star"})
        status = await self.stage("granted")
        assert status.certificate_number
        return status

    async def through_audit(self, *, onsite: dict | None = None, verify: bool = True, move_time: bool = True) -> None:
        """Programme in place: stage 1, visits, plan, on-site audit, follow-up and report, each on its day.
        Without ``move_time`` (a real server, whose clock does not move) the audit is recorded after the
        fact: stage 1, the visits, the plan and the on-site audit are given the past days they took place."""
        p, audit = self.people, self.audit()
        today = await self.today()
        if move_time:
            await self.when_available("stage1", audit)
        days = {"stage1": today - timedelta(days=40), "visit": today - timedelta(days=30),
                "plan": today - timedelta(days=28), "onsite": today - timedelta(days=14)}
        await self.complete("stage1", p.leader, stage1() | ({} if move_time else {"held_on": str(days["stage1"])}),
                            handle=audit)
        if move_time:
            today = await self.when_available("mystery_shopper_report", audit)
        visited = today if move_time else days["visit"]
        for _ in range(2):
            view = await self.task("mystery_shopper_report", audit)
            await self.complete("mystery_shopper_report", p.shopper, {
                "visited_on": str(visited), "person_days": "0.5", "service_quality": "接通及时",
                "service_environment": "整洁"}, handle=audit)
            assert view.rule_id == "R-3.10"
        sent = today if move_time else days["plan"]
        await self.complete("onsite_plan", p.leader, {"sent_on": str(sent), "plan": "现场审查计划"}, handle=audit)
        if move_time:
            today = await self.when_available("onsite_audit", audit)
        results = onsite or full_marks(today=today)
        if not move_time:
            results = {"started_on": str(days["onsite"]), "ended_on": str(days["onsite"] + timedelta(days=1))} | results
        await self.complete("onsite_audit", p.leader, results, handle=audit)
        ncs = [f for f in results["findings"] if f["kind"] != "observation"]
        if ncs:
            corrections = [{"finding_id": f"audit-{self.workflow_id}-initial-1/finding/{n}",
                            "corrected_on": str(today), "verified_on": str(today) if verify else None}
                           for n, _ in enumerate(results["findings"], start=1)]
            await self.complete("nonconformity_follow_up", p.leader, {"corrections": corrections}, handle=audit)
        await self.complete("audit_report", p.leader, {"summary": "总体符合", "discussed_with_auditee_on": str(today),
                                                       "recommendation": "recommend"}, handle=audit)
        await self.complete("materials_review", p.programme_manager, {"accepted": True})


def stage1(ready: bool = True, concerns: str = "") -> dict:
    return {"planning": "有", "documents": "齐全", "monitoring": "有", "improvement": "有", "legal_compliance": "合规",
            "resources": "充足", "sites_processes_equipment": "受控", "ready_for_onsite": ready, "concerns": concerns}


@pytest_asyncio.fixture
async def people(pool) -> People:
    return await make_people(pool)


@pytest_asyncio.fixture
async def journey(own_temporal_env, pool, people, smtp, journey_type) -> AsyncIterator[Journey]:
    """Its worker mails to the test's SMTP server (the ``smtp`` fixture shows what arrived); a module may
    drive it with a journey of its own kind by overriding ``journey_type``."""
    queue = f"certflow-{uuid.uuid4().hex[:8]}"
    async with build_worker(own_temporal_env.client, pool, queue, smtp.mail):
        journey = journey_type(own_temporal_env, pool, queue, people)
        try:
            yield journey
        finally:
            await journey.stop()


@pytest_asyncio.fixture
async def own_dev_server(tmp_path) -> AsyncIterator[EmbeddedTemporal]:
    """A Temporal dev server of the test's own (the fault tests stop, kill and restart it), its file in tmp."""
    server = EmbeddedTemporal(tmp_path / "temporal", free_port(), free_port(), SEARCH_ATTRIBUTES)
    server.start()  # from this thread: the server dies with the test run however it ends (certflow/children.py)
    try:
        yield server
    finally:
        server.stop()


@pytest_asyncio.fixture
async def worker_process(own_dev_server, db_dsn, smtp, tmp_path) -> AsyncIterator[WorkerProcess]:
    """`certflow worker` as a child process (not started yet) on the test's own dev server, PostgreSQL
    database and SMTP catcher, on a task queue of its own (tests/workflows/worker_process.py)."""
    process = WorkerProcess(tmp_path / "worker", {
        "CERTFLOW_TEMPORAL_ADDRESS": own_dev_server.address,
        "CERTFLOW_DATABASE_URL": db_dsn, "CERTFLOW_TASK_QUEUE": f"faults-{uuid.uuid4().hex[:8]}",
        "CERTFLOW_SMTP_HOST": smtp.host, "CERTFLOW_SMTP_PORT": str(smtp.port)})
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def journey_type() -> type[Journey]:
    return Journey


HISTORY_DIR = Path(__file__).resolve().parents[1] / "histories"


async def keep_history(handle: WorkflowHandle, name: str) -> int:
    """The number of events in ``handle``'s history; with CERTFLOW_RECORD_HISTORIES=1 the history is kept
    as tests/histories/{name}-{type}.json for the replay tests (with its workflow id in index.json, since
    workflow code derives task ids from it)."""
    history = await handle.fetch_history()
    if os.environ.get("CERTFLOW_RECORD_HISTORIES") == "1":
        kind = history.events[0].workflow_execution_started_event_attributes.workflow_type.name
        file = f"{name}-{kind}.json"
        (HISTORY_DIR / file).write_text(history.to_json(), encoding="utf-8")
        index_file = HISTORY_DIR / "index.json"
        index = json.loads(index_file.read_text()) if index_file.exists() else {}
        index[file] = handle.id
        index_file.write_text(json.dumps(index, indent=2, sort_keys=True) + "\n")
    return len(history.events)
