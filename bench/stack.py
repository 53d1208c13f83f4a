"""The whole system, started for a benchmark exactly as ``certflow up`` starts it (certflow/stack.py):
the mail sink, PostgreSQL, the migrations, the Temporal dev server, a worker and the API as child
processes, on free ports under the run's working directory; then the staff a certification needs,
each with a bearer token.

The children's own output (their logs) goes to ``stack.log`` in the working directory, so that the
benchmark's stdout holds only its JSON lines.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import asyncpg
import psutil

from certflow.embedded import free_port
from certflow.settings import Settings
from certflow.stack import Stack
from store.db import create_pool
from store.staff import add_qualification, add_staff

# The settings `certflow up` reads for its ports and data, set for the children it starts.
_PORT_SETTINGS = ("API_PORT", "POSTGRES_PORT", "TEMPORAL_PORT", "TEMPORAL_UI_PORT", "SMTP_PORT",
                  "TEMPORAL_HTTP_PORT", "TEMPORAL_METRICS_PORT")

# Who does what in an initial certification (tests/workflows/conftest.py has the same cast): the key is
# how the driver names them, then their name and roles. The decision maker is not on the audit team
# (R-9.1.9.n1), the leader and auditor hold both R-7.auditor proofs.
CAST: dict[str, tuple[str, tuple[str, ...]]] = {
    "manager": ("赵主管", ("manager",)),
    "reviewer": ("钱评审", ("reviewer",)),
    "programme_manager": ("孙方案", ("programme_manager",)),
    "leader": ("李组长", ("auditor",)),
    "auditor": ("周审查", ("auditor",)),
    "shopper": ("郑暗访", ("mystery_shopper",)),
    "decision_maker": ("王决定", ("decision_maker",)),
}
QUALIFIED = ("leader", "auditor")
QUALIFIED_FROM, QUALIFIED_UNTIL = date(2024, 1, 1), date(2030, 12, 31)


@dataclass(frozen=True)
class StaffMember:
    id: str
    token: str


@dataclass
class BenchStack:
    """``async with BenchStack(workdir) as stack:`` the running system and its staff."""

    workdir: Path
    settings: Settings = field(init=False)
    stack: Stack = field(init=False)
    staff: dict[str, StaffMember] = field(default_factory=dict)
    pool: asyncpg.Pool | None = None

    def __post_init__(self) -> None:
        self.workdir = Path(self.workdir)
        ports: dict[str, Any] = {name.lower(): free_port() for name in _PORT_SETTINGS}
        self.settings = Settings(_env_file=None, data_dir=self.workdir / "data", smtp_sink=True, database_url=None,
                                 temporal_address=None, worker_metrics_address=f"127.0.0.1:{free_port()}", **ports)
        self.stack = Stack(self.settings)

    # ------------------------------------------------------------------ what a benchmark reads
    @property
    def api_url(self) -> str:
        return self.settings.api_url

    @property
    def dsn(self) -> str:
        assert self.stack.postgres is not None, "the stack is not started"
        return self.stack.postgres.dsn

    @property
    def temporal_address(self) -> str:
        assert self.stack.temporal is not None, "the stack is not started"
        return self.stack.temporal.address

    @property
    def temporal_namespace(self) -> str:
        return self.settings.temporal_namespace

    @property
    def worker_metrics_url(self) -> str:
        """The worker's Temporal SDK metrics (Prometheus text): where a benchmark sees its task latencies."""
        return f"http://{self.settings.worker_metrics_address}/metrics"

    @property
    def tokens(self) -> dict[str, str]:
        """Bearer tokens by the cast's key (``reviewer``, ``leader``, ...)."""
        return {key: member.token for key, member in self.staff.items()}

    def parts(self) -> dict[str, psutil.Process]:
        """The parts of the system as processes: worker (and worker-io, apart), api, temporal, postgres."""
        found = {role: process.pid for role, process in self.stack.children}
        if self.stack.temporal and self.stack.temporal.process:
            found["temporal"] = self.stack.temporal.process.pid
        if self.stack.postgres and self.stack.postgres.process:
            found["postgres"] = self.stack.postgres.process.pid
        return {role: psutil.Process(pid) for role, pid in found.items()}

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds (user + system) each part has used so far: the process, the children it has
        reaped (PostgreSQL's ended backends) and the descendants still running."""
        return {role: tree_cpu_seconds(process) for role, process in self.parts().items()}

    # ------------------------------------------------------------------ start and stop
    async def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with _children_output_to(self.workdir / "stack.log"), _settings_in_environment(self.settings):
            # Stack.start is synchronous and runs its own event loop for the migrations.
            await asyncio.to_thread(self.stack.start)
        self.pool = await create_pool(self.dsn, min_size=1, max_size=4)
        await self._make_staff()

    async def stop(self) -> None:
        if self.pool is not None:
            await self.pool.close()
            self.pool = None
        with _children_output_to(self.workdir / "stack.log"):  # what stopping logs, too
            await asyncio.to_thread(self.stack.stop)

    async def __aenter__(self) -> BenchStack:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.stop()

    async def _make_staff(self) -> None:
        assert self.pool is not None
        manager_id = None
        for key, (name, roles) in CAST.items():
            person, token = await add_staff(self.pool, name, roles, email=f"{key}-{uuid.uuid4().hex[:6]}@body.example",
                                            manager_id=manager_id)
            if key == "manager":
                manager_id = person.id
            if key in QUALIFIED:
                for kind in ("training_certificate", "competence_evaluation"):
                    await add_qualification(self.pool, person.id, kind, QUALIFIED_FROM, QUALIFIED_UNTIL)
            self.staff[key] = StaffMember(str(person.id), token)


def tree_cpu_seconds(process: psutil.Process) -> float:
    """CPU seconds (user + system) of ``process``, the children it has reaped and its living descendants."""
    try:
        times = process.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in process.children(recursive=True):
            try:
                child_times = child.cpu_times()
                total += child_times.user + child_times.system
            except psutil.NoSuchProcess:
                pass
    except psutil.NoSuchProcess:
        return 0.0
    return round(total, 3)


@contextmanager
def _settings_in_environment(settings: Settings) -> Iterator[None]:
    """The worker and the API read their settings from the environment `certflow up` hands them: the
    ports and data directory of this stack, and no external servers."""
    wanted = {f"CERTFLOW_{name}": str(getattr(settings, name.lower())) for name in _PORT_SETTINGS}
    wanted["CERTFLOW_DATA_DIR"] = str(settings.data_dir)
    wanted["CERTFLOW_WORKER_METRICS_ADDRESS"] = str(settings.worker_metrics_address)
    dropped = ("CERTFLOW_DATABASE_URL", "CERTFLOW_TEMPORAL_ADDRESS")
    saved = {name: os.environ.get(name) for name in (*wanted, *dropped)}
    os.environ.update(wanted)
    for name in dropped:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def _children_output_to(logfile: Path) -> Iterator[None]:
    """While the children start they inherit our stdout and stderr: point both at ``logfile`` for that
    time, so their logs do not mix with the JSON lines (nor with the progress bars)."""
    with open(logfile, "ab") as log:
        saved = os.dup(1), os.dup(2)
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
