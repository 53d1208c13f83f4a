"""schemathesis over the whole OpenAPI document, as a reviewer and as a manager: every operation with
valid and invalid data (all its checks), against the real app on real PostgreSQL and Temporal.

The app is served by uvicorn on the test's own event loop (so it uses the test's pool and client) and
schemathesis's command line runs beside it, as a client would. The examples per operation are bounded
and the seed fixed, so the run is short and the same each time; any failure is shown with its curl line.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import sys
from pathlib import Path

import pytest
import uvicorn

from api.app import create_app
from certflow.embedded import free_port
from schemas.staff import Role
from workers.main import build_worker

CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = 8
SEED = 13
OPTIONS = (
    "--checks", "all", "--mode", "all", "--phases", "examples,coverage,fuzzing",
    "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED), "--generation-database", "none",
    # The API takes text as UTF-8 and refuses NUL by design (schemas/text.py): not findings.
    "--generation-codec", "utf-8", "--generation-allow-x00", "false",
    "--wait-for-schema", "30", "--request-timeout", "20", "--workers", "2", "--no-color",
)


def document_without_idempotency_keys(app, directory: Path) -> Path:
    """The app's document as served, less its Idempotency-Key header parameters, written to a file.

    A key means "this one request": reused on a different request the API answers 422, as it should
    (tests/api/test_idempotency.py). schemathesis draws keys as plain strings and sends one value with
    several requests, then reads the 422 as a valid request refused; its hooks cannot renew the key in
    every phase. Everything else in the document is tested as served."""
    document = copy.deepcopy(app.openapi())
    for methods in document["paths"].values():
        for operation in methods.values():
            operation["parameters"] = [p for p in operation.get("parameters", []) if p["name"] != "Idempotency-Key"]
    path = directory / "openapi.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


async def serve_and_run_schemathesis(app, token: str, report_dir: Path) -> tuple[int, str]:
    """Serve ``app`` on a free port while ``st run`` tests its document with ``token``; its exit code and output."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    serving = asyncio.create_task(server.serve())
    st = Path(sys.executable).with_name("st")
    try:
        process = await asyncio.create_subprocess_exec(
            str(st), "--config-file", str(CONFIG), "run", str(document_without_idempotency_keys(app, report_dir)),
            "--url", f"http://127.0.0.1:{port}",
            "-H", f"Authorization: Bearer {token}", "--report-dir", str(report_dir), *OPTIONS,
            cwd=report_dir,  # its crash cache (.schemathesis/) stays out of the worktree
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        output, _ = await process.communicate()
        return process.returncode or 0, output.decode(errors="replace")
    finally:
        server.should_exit = True
        await serving


@pytest.mark.slow
@pytest.mark.parametrize("role", [Role.REVIEWER, Role.MANAGER])
async def test_the_whole_document_holds_for_every_input(role, temporal_env, pool, api_settings, staff, smtp,
                                                        tmp_path):
    """Zero failures: no 5xx, no status code or content type the document does not declare, every
    answer matching its schema in time, valid data accepted and invalid data refused. The worker runs, so
    an application schemathesis submits is a process that answers when it reads the application back."""
    _, token = await staff(role)
    # The rate limits are tested on their own (tests/api/test_rate_limits.py); here every request comes from
    # one address, and schemathesis sends many bad tokens on purpose.
    unlimited = api_settings.model_copy(update={"public_rate_limit": 0, "failed_auth_limit": 0})
    app = create_app(unlimited, pool=pool, temporal=temporal_env.client)
    async with build_worker(temporal_env.client, pool, api_settings.task_queue, smtp.mail):
        code, output = await serve_and_run_schemathesis(app, token, tmp_path)
    assert code == 0, output[output.find("FAILURES"):][:12000]
    generated = re.search(r"([0-9]+) generated", output)
    assert generated and int(generated[1]) >= 20 * MAX_EXAMPLES, output[-2000:]  # every operation was tried
