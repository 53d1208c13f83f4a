"""Real certflow parts for the twin-paired benchmarks (memory, life): an embedded PostgreSQL with the
migrations, an SMTP sink (aiosmtpd), the staff a certification needs, and an application to start one.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psutil
from temporalio.client import Client, WorkflowHandle

from schemas.staff import Role
from schemas.tasking import Actor

STAFF = {  # who does what in a bench certification: name and roles
    "reviewer": ("评审甲", [Role.REVIEWER]), "programme_manager": ("方案乙", [Role.PROGRAMME_MANAGER]),
    "leader": ("组长丙", [Role.AUDITOR]), "auditor": ("审查丁", [Role.AUDITOR]),
    "expert": ("专家戊", [Role.TECHNICAL_EXPERT]), "shopper": ("暗访己", [Role.MYSTERY_SHOPPER]),
    "decision_maker": ("决定庚", [Role.DECISION_MAKER, Role.AUDITOR]),
}
QUALIFIED = ("leader", "auditor", "decision_maker")  # auditors need training and a competence evaluation


@dataclass
class Parts:
    dsn: str
    pool: Any
    mail: Any  # activities.notify.MailSettings of the sink
    staff: dict[str, Actor]
    mail_dir: Path
    postgres: Any = None  # psutil.Process of the PostgreSQL server (its backends' CPU counted with it)

    def mails(self) -> int:
        """How many distinct mails the sink has received."""
        return sum(1 for _ in self.mail_dir.glob("*.eml"))


@contextmanager
def mail_sink_process(mail_dir: Path) -> Iterator[int]:
    """certflow's mail sink (certflow/mail_sink.py) as a child process, as `certflow up` keeps it out of
    the worker's process: yields its port once it listens."""
    from certflow.embedded import free_port

    port = free_port()
    child = subprocess.Popen([sys.executable, "-m", "certflow.mail_sink", str(mail_dir), "127.0.0.1", str(port)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        if not child.stdout.readline():  # the sink says so once it listens; nothing if it failed
            raise RuntimeError(f"the mail sink did not start on port {port} (exit status {child.wait()})")
        yield port
    finally:
        child.terminate()
        child.wait(timeout=10)


@asynccontextmanager
async def certflow_parts(workdir: str) -> AsyncIterator[Parts]:
    """PostgreSQL (migrated) and an SMTP sink in ``workdir``, with the bench's staff in the register."""
    from activities.notify import MailSettings
    from certflow.embedded import EmbeddedPostgres, free_port
    from certflow.stack import apply_migrations
    from store.db import create_pool

    server = EmbeddedPostgres(Path(workdir) / f"pg-{uuid.uuid4().hex[:6]}", free_port(), database="certflow_bench")
    await asyncio.to_thread(server.start)
    mail_dir = Path(workdir) / f"mail-{uuid.uuid4().hex[:6]}"
    with mail_sink_process(mail_dir) as sink_port:
        try:
            await apply_migrations(server.dsn)
            pool = await create_pool(server.dsn, min_size=1, max_size=8)
            try:
                staff = await add_bench_staff(pool)
                yield Parts(server.dsn, pool, MailSettings(host="127.0.0.1", port=sink_port, timeout=10), staff,
                            mail_dir, psutil.Process(server.process.pid) if server.process else None)
            finally:
                await pool.close()
        finally:
            await asyncio.to_thread(server.stop)


async def add_bench_staff(pool: Any) -> dict[str, Actor]:
    from store.staff import add_qualification, add_staff

    staff = {}
    for key, (name, roles) in STAFF.items():
        person, _token = await add_staff(pool, name, roles, email=f"{key}@body.example")
        staff[key] = Actor(staff_id=person.id, name=person.name, roles=list(person.roles))
    for key in QUALIFIED:
        for kind in ("training_certificate", "competence_evaluation"):
            await add_qualification(pool, staff[key].staff_id, kind, date(2024, 1, 1), date(2035, 12, 31))
    return staff


def application(headcounts: tuple[int, ...] = (80, 40)) -> Any:
    """A complete application of a call centre with one site per headcount."""
    from schemas.intake import REQUIRED_MATERIALS, ApplicationSubmission

    contact = {"name": "联系人", "phone": "021-87654321", "email": "contact@example.cn"}
    return ApplicationSubmission.model_validate({
        "organization": {"name": "基准测试呼叫中心有限公司", "credit_code": "91310000MA1BENCH9X",
                         "registered_address": "上海市示例区测试路2号", "postcode": "200000",
                         "legal_status_proof": "营业执照", "contact": contact},
        "sites": [{"name": f"站点{n}", "address": f"测试路{n}号", "postcode": "200000", "headcount": h}
                  for n, h in enumerate(headcounts, start=1)],
        "scope": "呼叫中心客户服务", "service_documents_in_operation_since": "2025-01-01",
        "information_form": {"resources": "座席 120 个", "processes": "受理、回访", "risk_management": "应急预案"},
        "materials": list(REQUIRED_MATERIALS),
    })


async def start_certification(client: Client, task_queue: str, staff: dict[str, Actor]) -> WorkflowHandle:
    """A certification as the API starts one on an application."""
    from rules.policy import SchemePolicy
    from workflows.contracts import CertificationInput, certification_workflow_id

    application_id = uuid.uuid4()
    return await client.start_workflow(
        "CertificationWorkflow",
        CertificationInput(application_id=application_id, submission=application(), submitted_at=datetime.now(UTC),
                           submitted_by=staff["reviewer"], policy=SchemePolicy()),
        id=certification_workflow_id(application_id), task_queue=task_queue, result_type=str)


def search_attributes() -> dict[str, str]:
    from certflow.settings import SEARCH_ATTRIBUTES

    return dict(SEARCH_ATTRIBUTES)
