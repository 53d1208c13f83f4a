"""`certflow up`: the whole system on embedded defaults, stopped cleanly, restarted onto the same data;
a port already taken is a plain message; external servers mean nothing embedded starts; a kill -9 of it
leaves no child behind, and a part going away stops it with a message and exit code 1 (issue 16)."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from certflow.embedded import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


PORTS = ("API", "POSTGRES", "TEMPORAL", "TEMPORAL_UI", "SMTP", "TEMPORAL_HTTP", "TEMPORAL_METRICS")


class Up:
    """A `certflow up` child whose output we can wait on line by line."""

    def __init__(self, env: dict[str, str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "certflow", "up"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL,
        )
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)
        self.lines.put("")  # end of output

    def wait_for(self, text: str, timeout: float = 90) -> None:
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no {text!r} within {timeout}s:\n{''.join(self.output)}") from None
            if text in line:
                return
            if line == "":
                raise AssertionError(f"exited before {text!r}:\n{''.join(self.output)}")

    def stop(self, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)


def stack_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    ports = {name: str(free_port()) for name in PORTS}
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTFLOW_")}
    env.update({
        "CERTFLOW_DATA_DIR": str(tmp_path / "data"),
        "CERTFLOW_API_PORT": ports["API"],
        "CERTFLOW_POSTGRES_PORT": ports["POSTGRES"],
        "CERTFLOW_TEMPORAL_PORT": ports["TEMPORAL"],
        "CERTFLOW_TEMPORAL_UI_PORT": ports["TEMPORAL_UI"],
        "CERTFLOW_SMTP_PORT": ports["SMTP"],
        "CERTFLOW_TEMPORAL_HTTP_PORT": ports["TEMPORAL_HTTP"],
        "CERTFLOW_TEMPORAL_METRICS_PORT": ports["TEMPORAL_METRICS"],
    })
    env.update(extra)
    return env


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


async def run_smoke(address: str, workflow_id: str) -> str:
    from temporalio.client import Client
    from temporalio.contrib.pydantic import pydantic_data_converter

    from schemas.system import SmokeInput, SmokeResult

    client = await Client.connect(address, data_converter=pydantic_data_converter)
    result = await client.execute_workflow(
        "SmokeWorkflow", SmokeInput(label="up"), id=workflow_id, task_queue="certflow", result_type=SmokeResult
    )
    return result.label


async def smoke_still_known(address: str, workflow_id: str) -> str:
    from temporalio.client import Client

    client = await Client.connect(address)
    return (await client.get_workflow_handle(workflow_id).describe()).status.name


async def mail_the_sink(port: int) -> None:
    from email.message import EmailMessage

    import aiosmtplib

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@certflow.invalid", "b@example.cn", "试发"
    message.set_content("正文")
    await aiosmtplib.send(message, hostname="127.0.0.1", port=port)


async def test_up_serves_stops_cleanly_and_restarts_onto_the_same_data(tmp_path):
    env = stack_env(tmp_path)
    api = f"http://127.0.0.1:{env['CERTFLOW_API_PORT']}"
    temporal = f"127.0.0.1:{env['CERTFLOW_TEMPORAL_PORT']}"
    workflow_id = f"smoke-{uuid.uuid4()}"

    first = Up(env)
    try:
        first.wait_for("certflow is up")
        first.wait_for(f"Mail sink    smtp://127.0.0.1:{env['CERTFLOW_SMTP_PORT']}")
        assert get(f"{api}/healthz") == (200, b'{"status":"ok"}')
        status, body = get(f"{api}/readyz")
        assert status == 200 and json.loads(body) == {"status": "ready"}  # details only to operators
        status, page = get(f"http://127.0.0.1:{env['CERTFLOW_TEMPORAL_UI_PORT']}/")
        assert status == 200 and b"<html" in page.lower()
        # The dev server's metrics on the port the settings give (no longer a random one).
        status, metrics = get(f"http://127.0.0.1:{env['CERTFLOW_TEMPORAL_METRICS_PORT']}/metrics")
        assert status == 200 and b"# TYPE" in metrics
        # The worker `up` started runs workflows on the real dev server.
        assert await run_smoke(temporal, workflow_id) == "up"
        # The sink keeps what reaches it under the data directory.
        await mail_the_sink(int(env["CERTFLOW_SMTP_PORT"]))
        assert [p.suffix for p in (tmp_path / "data" / "mail").iterdir()] == [".eml"]
    finally:
        code = first.stop()
    assert code == 0, "".join(first.output)
    assert "certflow stopped." in "".join(first.output)
    for name in PORTS:
        assert nobody_listens(int(env[f"CERTFLOW_{name}_PORT"])), f"{name} port still taken after stop"

    second = Up(env)
    try:
        second.wait_for("certflow is up")
        assert "initdb" not in "".join(second.output)  # the register was found, not made anew
        assert await smoke_still_known(temporal, workflow_id) == "COMPLETED"
    finally:
        assert second.stop() == 0, "".join(second.output)


@pytest.mark.parametrize(("setting", "words"), [("CERTFLOW_API_PORT", "the API"),
                                                ("CERTFLOW_SMTP_PORT", "mail sink")])
def test_a_port_already_taken_is_a_plain_message(tmp_path, setting, words):
    env = stack_env(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", int(env[setting])))
        taken.listen()
        done = subprocess.run([sys.executable, "-m", "certflow", "up"], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 1
    assert f"Port {env[setting]}" in done.stderr and setting in done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr + done.stdout


async def test_external_servers_start_nothing_embedded(tmp_path, db_dsn, temporal_env):
    target = temporal_env.client.service_client.config.target_host
    env = stack_env(tmp_path, CERTFLOW_DATABASE_URL=db_dsn, CERTFLOW_TEMPORAL_ADDRESS=target,
                    CERTFLOW_SMTP_SINK="false")
    up = Up(env)
    try:
        up.wait_for("certflow is up")
        up.wait_for(f"Mail         smtp://127.0.0.1:{env['CERTFLOW_SMTP_PORT']} (external)")
        status, _ = get(f"http://127.0.0.1:{env['CERTFLOW_API_PORT']}/readyz")
        assert status == 200
    finally:
        assert up.stop() == 0, "".join(up.output)
    data = tmp_path / "data"
    assert not (data / "pgdata").exists() and not (data / "temporal.db").exists()
    assert nobody_listens(int(env["CERTFLOW_TEMPORAL_UI_PORT"]))
    assert nobody_listens(int(env["CERTFLOW_SMTP_PORT"]))


# ------------------------------------------------------------------------- children die with `up`

def children_of(pid: int) -> dict[int, str]:
    """The living processes started by ``pid`` and by them in turn, pid -> command name (zombies, which
    hold no port and run nothing, are left out)."""
    parent_of: dict[int, int] = {}
    name_of: dict[int, str] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # ended while we looked
        name, rest = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        if rest[0] != "Z":
            parent_of[int(stat.parent.name)], name_of[int(stat.parent.name)] = int(rest[1]), name
    found: dict[int, str] = {}
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parent_of.items():
            if its_parent == parent and child not in found:
                found[child] = name_of[child]
                frontier.append(child)
    return found


def still_running(pids: dict[int, str], within: float) -> dict[int, str]:
    """Those of ``pids`` still running (not a zombie) after polling for up to ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        left = {pid: name for pid, name in pids.items() if _alive(pid)}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)  # polling the process table; the wait is bounded by ``within``


def nobody_listens(port: int, within: float = 10) -> bool:
    """No process listens on the loopback ``port`` (a connection is refused) within ``within`` seconds:
    a process killed a moment ago may still be closing its sockets. (Binding the port is no test: it may
    meanwhile be the local end of another program's connection, in the ephemeral range free_port uses.)"""
    deadline = time.monotonic() + within
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        except ConnectionRefusedError:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)  # polling the port; the wait is bounded by ``within``


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_kill_9_of_up_leaves_no_process_behind(tmp_path):
    env = stack_env(tmp_path)
    up = Up(env)
    children: dict[int, str] = {}
    try:
        up.wait_for("certflow is up")
        children = children_of(up.process.pid)
        names = set(children.values())
        # the API, the core worker and the I/O worker (CERTFLOW_UP_IO_WORKER_APART)
        assert {"postgres", "temporal"} <= names and list(children.values()).count("python") >= 3, children
        up.process.kill()  # SIGKILL: no handler of ours runs
        up.process.wait(10)
        left = still_running(children, within=60)
        assert not left, f"left running after kill -9 of certflow up: {left}"
    finally:
        up.stop()
        for pid in still_running(children, within=0):  # only when the test failed: leave nothing to others
            os.kill(pid, signal.SIGKILL)
    for name in PORTS:
        assert nobody_listens(int(env[f"CERTFLOW_{name}_PORT"])), f"{name} port still taken"


def test_postgres_going_away_is_reported_and_stops_everything(tmp_path):
    env = stack_env(tmp_path)
    up = Up(env)
    try:
        up.wait_for("certflow is up")
        children = children_of(up.process.pid)
        postmaster = next(pid for pid, name in children.items() if name == "postgres"
                          and children_of(pid))  # the postmaster: its backends are its children
        os.kill(postmaster, signal.SIGKILL)
        up.wait_for("PostgreSQL process exited")
        assert up.process.wait(60) == 1
    finally:
        up.stop()
    assert "stack.part_exited" in "".join(up.output) and "part=PostgreSQL" in "".join(up.output)
    assert not still_running(children, within=30)


async def test_an_external_postgres_going_away_and_back_is_reported(tmp_path, temporal_env):
    """Not ours to stop or restart: `certflow up` says so when it goes and when it is back, and runs on."""
    from certflow.embedded import EmbeddedPostgres

    external = EmbeddedPostgres(tmp_path / "external", free_port(), database="certflow")
    external.start()
    target = temporal_env.client.service_client.config.target_host
    env = stack_env(tmp_path, CERTFLOW_DATABASE_URL=external.dsn, CERTFLOW_TEMPORAL_ADDRESS=target,
                    CERTFLOW_SMTP_SINK="false")
    up = Up(env)
    try:
        up.wait_for("certflow is up")
        external.stop()
        up.wait_for(f"PostgreSQL at 127.0.0.1:{external.port} (CERTFLOW_DATABASE_URL) does not answer", timeout=30)
        external.start()
        up.wait_for(f"PostgreSQL at 127.0.0.1:{external.port} answers again", timeout=30)
        assert up.process.poll() is None
    finally:
        code = up.stop()
        external.stop()
    assert code == 0, "".join(up.output)


def test_up_runs_the_io_worker_beside_the_core_one_unless_told_not_to():
    from certflow.settings import Settings
    from certflow.stack import Stack

    def started(**settings) -> list[tuple[str, str, dict[str, str]]]:
        return Stack(Settings(**settings)).child_processes()

    assert started() == [("worker", "worker", {"CERTFLOW_WORKER_ROLE": "core"}),
                         ("worker-io", "worker", {"CERTFLOW_WORKER_ROLE": "io", "CERTFLOW_WORKER_METRICS_ADDRESS": ""}),
                         ("api", "api", {})]  # the I/O worker serves no metrics on the core one's address
    assert started(up_io_worker_apart=False) == [("worker", "worker", {}), ("api", "api", {})]
    assert started(worker_role="core") == [("worker", "worker", {}), ("api", "api", {})]  # a role asked for: kept
