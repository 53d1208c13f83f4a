"""One initial certification driven through the staff API, from the application to a certificate in
the register, the way the body's staff work: each person looks at their inbox, completes what is
there for this certification with a valid answer, and looks again until the certificate is issued.

The Temporal dev server's clock is the wall clock, so nothing can wait for a programme's day to come:
the programme plans stage 1 and the on-site audit ahead, as a programme does, and the audit is then
recorded after the fact with the past days it took place (``held_on``, ``visited_on``, ``started_on``
…), each no later than today (dates are facts) and in the order the scheme wants them (the plan sent
at least 3 working days before the on-site audit, R-9.1.6).

What is measured: each completion's latency (``POST /tasks/{id}/complete``, whatever it answered),
the refusals by status (a 409 is a task the inbox still showed open after it was completed: issue 17
counted about ten per certification), and the certification's wall time.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from bench.stack import StaffMember
from rules.lifecycle import shanghai_date
from rules.rating import default_catalogue

# The people whose inboxes are looked at, in the order of the process.
DESKS = ("reviewer", "programme_manager", "leader", "shopper", "decision_maker")
SITE = "总部"
CITIES = ("北京", "上海", "广州", "深圳", "成都", "杭州", "武汉", "西安", "南京", "重庆")
TRADES = ("电信", "银行", "保险", "电商", "航空", "物流", "燃气", "政务", "医疗", "汽车")
CREDIT_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 统一社会信用代码 (no I, O, S, V, Z)


class DriverError(RuntimeError):
    """The API refused an answer the driver thought valid, or the certificate did not come in time."""


def credit_code(seed: int) -> str:
    """A well-formed unified social credit code, different for each seed."""
    digits = []
    for _ in range(16):
        seed, rest = divmod(seed, len(CREDIT_CHARACTERS))
        digits.append(CREDIT_CHARACTERS[rest])
    return "91" + "".join(reversed(digits))


def application(name: str, code: str) -> dict[str, Any]:
    """An application the reviewer can accept: one site of 60 people (6 person-days, R-A.table)."""
    from schemas.intake import REQUIRED_MATERIALS  # the materials asks for

    return {
        "organization": {"name": name, "credit_code": code, "registered_address": "示例路1号", "postcode": "100000",
                         "legal_status_proof": "营业执照副本",
                         "contact": {"name": "王经理", "email": "contact@example.cn"}},
        "sites": [{"name": SITE, "address": "示例路1号", "postcode": "100000", "headcount": 60}],
        "scope": "呼叫中心客户服务", "service_documents_in_operation_since": "2025-01-01",
        "information_form": {"resources": "座席 60 个", "processes": "受理、回访", "risk_management": "应急预案"},
        "materials": list(REQUIRED_MATERIALS),
    }


def answer(kind: str, today: date, staff: dict[str, StaffMember]) -> dict[str, Any]:
    """A valid payload for a task of ``kind`` of the initial certification, given today's date."""
    point = {"satisfied": True, "note": "符合"}
    items = [{"item_id": i.id, "method_compliant": True, "executed": True, "method_score": str(i.max_method),
              "execution_score": str(i.max_execution)} for i in default_catalogue().items]
    answers: dict[str, dict[str, Any]] = {
        "application_review": {k: point for k in (
            "information_complete", "industry_and_process_understood", "state_requirements_known",
            "differences_resolved", "body_able_to_certify", "scope_and_sites_confirmed", "audit_time_determined",
        )} | {"conclusion": "accept"},
        "contract": {"signed_on": str(today), "contract_reference": f"HT-{uuid.uuid4().hex[:8]}"},
        "programme": {
            "objectives": "初次认证", "person_days": "6", "onsite_days": "5",
            "stage1_on": str(today + timedelta(days=7)), "onsite_start": str(today + timedelta(days=12)),
            "onsite_end": str(today + timedelta(days=12)),
            "team": [{"staff_id": staff["leader"].id, "role": "leader"},
                     {"staff_id": staff["auditor"].id, "role": "auditor"}],
            "visits": [{"site": SITE, "shopper_id": staff["shopper"].id, "planned_on": str(today)}],
        },
        # Recorded after the fact, on past days in the scheme's order (see the module's docstring).
        "stage1": {k: "符合" for k in ("planning", "documents", "monitoring", "improvement", "legal_compliance",
                                      "resources", "sites_processes_equipment")}
        | {"ready_for_onsite": True, "held_on": str(today - timedelta(days=40))},
        "mystery_shopper_report": {"visited_on": str(today - timedelta(days=30)), "person_days": "0.5",
                                   "service_quality": "接通及时", "service_environment": "整洁"},
        "onsite_plan": {"sent_on": str(today - timedelta(days=28)), "plan": "现场审查计划"},
        "onsite_audit": {"items": items, "findings": [], "started_on": str(today - timedelta(days=14)),
                         "ended_on": str(today - timedelta(days=14))},
        "audit_report": {"summary": "总体符合", "discussed_with_auditee_on": str(today),
                         "recommendation": "recommend"},
        "materials_review": {"accepted": True},
        "certification_decision": {"outcome": "grant", "star_level": "five_star"},
    }
    if kind not in answers:
        raise DriverError(f"the driver has no answer for a task of kind {kind!r}")
    return answers[kind]


@dataclass
class Certified:
    """What one certification took."""

    organization: str
    application_id: str = ""
    workflow_id: str = ""
    certificate_number: str | None = None
    completions: list[tuple[str, float, int]] = field(default_factory=list)  # kind, seconds, HTTP status
    refusals: Counter[int] = field(default_factory=Counter)  # by HTTP status
    seconds: float = 0.0

    @property
    def not_open(self) -> int:
        """409s: a task completed again because the inbox still listed it open."""
        return self.refusals[409]


class Driver:
    """Drives certifications through the API at ``http`` (an ``httpx.AsyncClient`` on the API's address)
    with the staff of a :class:`bench.stack.BenchStack`."""

    def __init__(self, http: httpx.AsyncClient, staff: dict[str, StaffMember], *, run_tag: str | None = None,
                 deadline_seconds: float = 900.0, idle_pause: float = 0.2, longest_pause: float = 1.0) -> None:
        self.http, self.staff = http, staff
        self.run_tag = run_tag or uuid.uuid4().hex[:6].upper()
        self.deadline_seconds, self.idle_pause, self.longest_pause = deadline_seconds, idle_pause, longest_pause

    def _auth(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.staff[key].token}"}

    def organization(self, index: int) -> str:
        """A name of its own (the register is searched by it) that reads like an organization's."""
        return f"{CITIES[index % 10]}{TRADES[index // 10 % 10]}客服中心（{self.run_tag}-{index:05d}）"

    async def certify(self, index: int) -> Certified:
        """From the application to the certificate in the register; raises DriverError on anything else."""
        started = time.monotonic()
        done = Certified(organization=self.organization(index))
        code = credit_code(uuid.uuid4().int)
        response = await self.http.post("/api/v1/applications", json=application(done.organization, code),
                                        headers=self._auth("reviewer"))
        if response.status_code != 201:
            raise DriverError(f"the application was refused: {response.status_code} {response.text}")
        done.application_id, done.workflow_id = response.json()["application_id"], response.json()["workflow_id"]
        ours = {done.workflow_id, f"audit-{done.workflow_id}-initial-1"}
        pause = self.idle_pause
        while done.certificate_number is None:
            if time.monotonic() - started > self.deadline_seconds:
                raise DriverError(f"{done.workflow_id}: no certificate after {self.deadline_seconds:.0f} s")
            worked = False
            for desk in DESKS:
                worked |= await self._work_inbox(desk, ours, done)
            if not worked:
                done.certificate_number = await self._issued_number(done.organization)
                if done.certificate_number is None:
                    await asyncio.sleep(pause)  # nothing in anyone's inbox yet: look again shortly
                    pause = min(self.longest_pause, pause * 1.5)
            else:
                pause = self.idle_pause
        done.seconds = time.monotonic() - started
        return done

    async def _work_inbox(self, desk: str, ours: set[str], done: Certified) -> bool:
        """Complete every task of this certification in ``desk``'s inbox; whether there was one."""
        listed = await self._get("/api/v1/tasks", {"limit": 200}, desk)
        listed.raise_for_status()
        rows = [row for row in listed.json() if row["workflow_id"] in ours]
        for row in rows:
            payload = answer(row["kind"], shanghai_date(datetime.now(UTC)), self.staff)
            began = time.monotonic()
            response = await self.http.post(f"/api/v1/tasks/{row['id']}/complete", json={"payload": payload},
                                            headers=self._auth(desk))
            done.completions.append((row["kind"], time.monotonic() - began, response.status_code))
            if response.status_code == 200:
                continue
            done.refusals[response.status_code] += 1
            if response.status_code != 409:  # 409: completed already, the inbox had not caught up
                raise DriverError(f"{row['kind']} refused: {response.status_code} {response.text}")
        return bool(rows)

    async def _get(self, path: str, params: dict[str, Any], who: str) -> httpx.Response:
        """A look at a list, asked again once when the connection broke under it (a kept-alive connection
        the server closed as it was reused): looking is harmless to repeat, completing is not."""
        try:
            return await self.http.get(path, params=params, headers=self._auth(who))
        except httpx.TransportError:
            return await self.http.get(path, params=params, headers=self._auth(who))

    async def _issued_number(self, organization: str) -> str | None:
        """The number of the certificate the register holds for ``organization``, once it is there."""
        found = await self._get("/api/v1/certificates", {"organization": organization}, "reviewer")
        found.raise_for_status()
        items = found.json()["items"]
        return items[0]["number"] if items else None


def client_limits(concurrency: int) -> httpx.Limits:
    """Enough connections for ``concurrency`` certifications and a pinger; idle ones dropped before the
    API's server would close them (uvicorn: after 5 s), so that none is reused as it is being closed."""
    return httpx.Limits(max_connections=concurrency * 2 + 4, keepalive_expiry=2.0)


async def certify_many(driver: Driver, certifications: int, concurrency: int,
                       advance: Any = None) -> list[Certified]:
    """``certifications`` of them, at most ``concurrency`` at a time; ``advance()`` after each."""
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int) -> Certified:
        async with gate:
            result = await driver.certify(index)
        if advance is not None:
            advance()
        return result

    return list(await asyncio.gather(*(one(i) for i in range(certifications))))
