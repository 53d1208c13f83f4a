"""`certflow worker` as a real child process of a test, so that a test can do to it what happens to a
worker in production: freeze it (SIGSTOP, a machine that stops answering), kill it (SIGKILL: no graceful
stop, no goodbye to the server), and start another one.

The child runs this checkout's code (PYTHONPATH) with only the CERTFLOW_* settings the test gives it,
from a directory of the test's own (no .env of the developer's is read)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from certflow.children import die_with_parent
from certflow.embedded import stop_process

REPO = Path(__file__).resolve().parents[2]


class WorkerProcess:
    """One worker process at a time; ``start`` again after ``kill`` for the next one."""

    def __init__(self, workdir: Path, settings: dict[str, str]) -> None:
        self.workdir, self.settings = workdir, settings
        self.process: subprocess.Popen[bytes] | None = None
        self.started = 0  # how many worker processes this test has started
        workdir.mkdir(parents=True, exist_ok=True)

    @property
    def log(self) -> Path:
        return self.workdir / f"worker-{self.started}.log"

    def _environment(self) -> dict[str, str]:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("CERTFLOW_")}
        return inherited | {"PYTHONPATH": str(REPO), "CERTFLOW_DATA_DIR": str(self.workdir / "data"),
                            "CERTFLOW_LOG_LEVEL": "INFO"} | self.settings

    async def start(self, timeout: float = 60) -> None:  # noqa: ASYNC109 - the wait polls a child's log
        """Start a worker and wait until it says it polls its task queues."""
        assert self.process is None or self.process.poll() is not None, "a worker is already running"
        self._spawn()
        deadline = time.monotonic() + timeout
        while "worker.started" not in self.log.read_text(errors="replace"):
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited ({self.process.returncode}):\n{self.tail()}")
            assert time.monotonic() < deadline, f"the worker did not start within {timeout} s:\n{self.tail()}"
            await asyncio.sleep(0.1)

    def _spawn(self) -> None:
        self.started += 1
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "certflow", "worker"], cwd=self.workdir, env=self._environment(),
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                preexec_fn=die_with_parent(signal.SIGKILL))  # never outlives the test run

    def freeze(self) -> None:
        """SIGSTOP: the process holds its connections but does nothing with what arrives on them."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a lost machine would: nothing runs after it."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """The end of the test: the worker asked to stop (SIGTERM), killed if it will not."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)  # a frozen worker cannot act on SIGTERM
            stop_process(self.process, "worker")

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""
