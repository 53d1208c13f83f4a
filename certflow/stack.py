"""``certflow up``: the whole system on embedded defaults, in the foreground.

Starts, in order, the local mail sink (unless ``CERTFLOW_SMTP_SINK=false``), PostgreSQL (unless
``CERTFLOW_DATABASE_URL``), the migrations, the Temporal dev server (unless ``CERTFLOW_TEMPORAL_ADDRESS``),
a worker and the API as child processes; prints the addresses; and on Ctrl-C or SIGTERM stops
everything it started, newest first.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from types import FrameType
from typing import TYPE_CHECKING

from certflow.children import die_with_parent
from certflow.embedded import EmbeddedPostgres, EmbeddedTemporal, StackError, require_free_port, stop_process
from certflow.logging import get_logger
from certflow.settings import SEARCH_ATTRIBUTES, Settings

if TYPE_CHECKING:
    from aiosmtpd.controller import Controller

log = get_logger(__name__)


class Shutdown(Exception):
    """Raised by our signal handler to unwind from wherever start-up is."""


def _raise_shutdown(signum: int, frame: FrameType | None) -> None:
    # One signal is enough: a second Ctrl-C while we stop must not interrupt the stopping.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    raise Shutdown(signal.Signals(signum).name)


async def apply_migrations(dsn: str) -> list[int]:
    from store.db import connect
    from store.migrate import migrate

    conn = await connect(dsn)
    try:
        return await migrate(conn)
    finally:
        await conn.close()


def _wait_ready(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackError(f"The API exited during start-up (exit code {process.returncode}); see its log above.")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            last = exc.read().decode(errors="replace")
        except OSError as exc:
            last = str(exc)
        time.sleep(0.25)
    raise StackError(f"The API did not become ready within {timeout:.0f} s: {last}")


class ExternalWatch:
    """Whether the external PostgreSQL (``CERTFLOW_DATABASE_URL``) still answers, asked every ``every``
    seconds; each change is printed and logged once."""

    def __init__(self, dsn: str, every: float = 5.0) -> None:
        parts = urllib.parse.urlsplit(dsn)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 5432
        self.every, self.next_at, self.answering = every, time.monotonic() + every, True

    def check(self) -> None:
        if time.monotonic() < self.next_at:
            return
        self.next_at = time.monotonic() + self.every
        try:
            socket.create_connection((self.host, self.port), timeout=2).close()
            answering = True
        except OSError:
            answering = False
        if answering == self.answering:
            return
        self.answering = answering
        where = f"{self.host}:{self.port}"
        if answering:
            log.info("stack.postgres_back", server=where)
            print(f"certflow up: the register's PostgreSQL at {where} answers again.", file=sys.stderr, flush=True)
        else:
            log.error("stack.postgres_unreachable", server=where)
            print(f"certflow up: the register's PostgreSQL at {where} (CERTFLOW_DATABASE_URL) does not answer; the "
                  "API answers 503 until it is back.", file=sys.stderr, flush=True)


class Stack:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.postgres: EmbeddedPostgres | None = None
        self.temporal: EmbeddedTemporal | None = None
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.sink: Controller | None = None  # the mail sink, a thread of this process

    def start(self) -> None:
        s = self.settings
        s.data_dir.mkdir(parents=True, exist_ok=True)
        require_free_port(s.host, s.api_port, "the API", "CERTFLOW_API_PORT")
        if s.smtp_sink:
            from certflow.mail_sink import start_sink

            require_free_port(s.smtp_host, s.smtp_port, "the mail sink", "CERTFLOW_SMTP_PORT")
            self.sink = start_sink(s.mail_dir, s.smtp_host, s.smtp_port)

        dsn = s.database_url
        if s.embedded_postgres:
            self.postgres = EmbeddedPostgres(s.data_dir, s.postgres_port, host=s.host, database=s.database_name)
            self.postgres.start()
            dsn = self.postgres.dsn
        assert dsn
        applied = asyncio.run(apply_migrations(dsn))
        log.info("migrations.applied", versions=applied or "none new")

        address = s.temporal_address
        if s.embedded_temporal:
            self.temporal = EmbeddedTemporal(
                s.data_dir, s.temporal_port, s.temporal_ui_port, SEARCH_ATTRIBUTES, host=s.host,
                namespace=s.temporal_namespace, http_port=s.temporal_http_port, metrics_port=s.temporal_metrics_port,
            )
            self.temporal.start()
            address = self.temporal.address

        env = {**os.environ, "CERTFLOW_DATABASE_URL": dsn, "CERTFLOW_TEMPORAL_ADDRESS": str(address)}
        for name, command, own_env in self.child_processes():
            # Each in a process group of its own, so that Ctrl-C reaches only us and we stop them in order;
            # and tied to our life by the kernel, so that a kill -9 of us leaves none behind.
            process = subprocess.Popen([sys.executable, "-m", "certflow", command], env={**env, **own_env},
                                       stdin=subprocess.DEVNULL, start_new_session=True,
                                       preexec_fn=die_with_parent())
            self.children.append((name, process))
        api = self.children[-1][1]
        _wait_ready(f"{s.api_url}/readyz", api, timeout=60)

    def child_processes(self) -> list[tuple[str, str, dict[str, str]]]:
        """The processes `up` starts, the API last: each one's name, its `certflow` command and what its
        environment adds. With ``up_io_worker_apart`` (and the worker's role left at ``all``) the I/O worker
        runs beside the core one, serving no metrics of its own (the address is the core worker's)."""
        if self.settings.worker_role != "all" or not self.settings.up_io_worker_apart:
            return [("worker", "worker", {}), ("api", "api", {})]
        return [("worker", "worker", {"CERTFLOW_WORKER_ROLE": "core"}),
                ("worker-io", "worker", {"CERTFLOW_WORKER_ROLE": "io", "CERTFLOW_WORKER_METRICS_ADDRESS": ""}),
                ("api", "api", {})]

    def banner(self) -> str:
        s = self.settings
        lines = ["", "certflow is up:",
                 f"  API          {s.api_url}  (OpenAPI: {s.api_url}/docs, health: {s.api_url}/healthz)",
                 f"  Pages        {s.api_url}/sign-in (staff, with a token from `certflow staff add`), "
                 f"{s.api_url}/public (the public register)"]
        if self.temporal:
            lines.append(f"  Temporal UI  {self.temporal.ui_url}")
            lines.append(f"  Temporal     {self.temporal.address} (namespace {s.temporal_namespace}; HTTP API "
                         f"port {s.temporal_http_port}, metrics http://{s.host}:{s.temporal_metrics_port}/metrics)")
        else:
            lines.append(f"  Temporal     {s.temporal_address} (external)")
        lines.append(f"  PostgreSQL   {self.postgres.dsn if self.postgres else '(external, CERTFLOW_DATABASE_URL)'}")
        if self.sink:
            lines.append(f"  Mail sink    smtp://{s.smtp_host}:{s.smtp_port} -> {s.mail_dir.resolve()} "
                         "(read it: certflow mail list)")
        else:
            lines.append(f"  Mail         smtp://{s.smtp_host}:{s.smtp_port} (external)")
        lines.append(f"  Data         {s.data_dir.resolve()}")
        lines.append("Press Ctrl-C to stop.")
        return "\n".join(lines)

    def watch(self, interval: float = 0.5) -> None:
        """Block until a signal arrives or a part goes away: a child (worker, API, the Temporal dev server,
        the embedded PostgreSQL) exiting is logged and stops everything, and `certflow up` exits 1 (no
        half-running system: the person at the terminal restarts it). An external PostgreSQL is not ours
        to stop or restart: its going away and coming back are reported, and the API answers 503 meanwhile."""
        external = None if self.postgres else ExternalWatch(self.settings.database_url or "")
        while True:
            gone = self.gone()
            if gone:
                role, code = gone
                log.error("stack.part_exited", part=role, returncode=code)
                raise StackError(f"The {role} process exited (code {code}); stopping everything.")
            if external:
                external.check()
            time.sleep(interval)

    def gone(self) -> tuple[str, int] | None:
        """The first part that is no longer running, with its exit code."""
        parts = [*self.children]
        if self.temporal and self.temporal.process:
            parts.append(("Temporal dev server", self.temporal.process))
        if self.postgres and self.postgres.process:
            parts.append(("PostgreSQL", self.postgres.process))
        for role, process in parts:
            if process.poll() is not None:
                return role, process.returncode
        return None

    def stop(self) -> None:
        for role, process in reversed(self.children):
            stop_process(process, role)
        self.children.clear()
        if self.temporal:
            self.temporal.stop()
        if self.postgres:
            self.postgres.stop()
        if self.sink:
            self.sink.stop()
            self.sink = None


def up(settings: Settings) -> int:
    previous = {sig: signal.signal(sig, _raise_shutdown) for sig in (signal.SIGINT, signal.SIGTERM)}
    stack = Stack(settings)
    code = 0
    try:
        stack.start()
        print(stack.banner(), flush=True)
        stack.watch()
    except Shutdown as why:
        log.info("stack.stopping", signal=str(why))
    except StackError as exc:
        print(f"certflow up: {exc}", file=sys.stderr, flush=True)
        code = 1
    finally:
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        stack.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if code == 0:
        print("certflow stopped.", flush=True)
    return code
