"""`certflow temporal setup` on a Temporal server started WITHOUT our search attributes (as an external
cluster is): it registers the namespace and the search attributes, a second run changes nothing, an
attribute of another type is a plain error; after it a certification starts there and upserts its
search attributes without failing a workflow task (issue 16)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import TLSConfig

from certflow.embedded import EmbeddedTemporal, free_port
from certflow.settings import SEARCH_ATTRIBUTES, Settings
from certflow.temporal_client import tls_config
from certflow.temporal_setup import registered_attributes
from schemas.intake import REQUIRED_MATERIALS, ApplicationSubmission
from schemas.staff import Role
from schemas.tasking import Actor, TaskView
from store.staff import add_staff
from workers.main import build_worker
from workflows.contracts import CertificationInput, certification_workflow_id

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = "certflow-ops"  # not there until setup registers it


@pytest_asyncio.fixture(scope="module")
async def bare_server(tmp_path_factory):
    """The dev server with no search attribute of ours (the `certflow up` one is given them at start)."""
    server = EmbeddedTemporal(tmp_path_factory.mktemp("temporal"), free_port(), free_port(), {})
    server.start()
    try:
        yield server
    finally:
        server.stop()


def setup(address: str, namespace: str = NAMESPACE, action: str = "setup",
          **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTFLOW_")}
    env.update(CERTFLOW_TEMPORAL_ADDRESS=address, CERTFLOW_TEMPORAL_NAMESPACE=namespace, **settings)
    return subprocess.run([sys.executable, "-m", "certflow", "temporal", action], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)


async def attributes(address: str, namespace: str) -> dict[str, str]:
    return await registered_attributes(await Client.connect(address, namespace=namespace), namespace)


async def test_setup_registers_the_namespace_and_attributes_once_then_a_certification_runs(bare_server, pool,
                                                                                            smtp):
    assert not SEARCH_ATTRIBUTES.keys() & (await attributes(bare_server.address, "default")).keys()

    first = setup(bare_server.address)
    assert first.returncode == 0, first.stderr
    assert f"namespace {NAMESPACE}: registered" in first.stdout
    for name, kind in SEARCH_ATTRIBUTES.items():
        assert f"search attribute {name} ({kind}): added" in first.stdout
    known = await attributes(bare_server.address, NAMESPACE)
    assert {name: known.get(name) for name in SEARCH_ATTRIBUTES} == SEARCH_ATTRIBUTES

    again = setup(bare_server.address)
    assert again.returncode == 0, again.stderr
    assert f"namespace {NAMESPACE}: already there" in again.stdout
    assert again.stdout.count("already there") == 1 + len(SEARCH_ATTRIBUTES) and "added" not in again.stdout

    await a_certification_starts_and_upserts_its_attributes(bare_server.address, pool, smtp)


async def a_certification_starts_and_upserts_its_attributes(address: str, pool, smtp,
                                                             namespace: str = NAMESPACE) -> None:
    client = await Client.connect(address, namespace=namespace, data_converter=pydantic_data_converter)
    reviewer, _ = await add_staff(pool, "钱评审", [Role.REVIEWER])
    submitted_by = Actor(staff_id=reviewer.id, name=reviewer.name, roles=list(reviewer.roles))
    application_id = uuid.uuid4()
    queue = f"setup-{uuid.uuid4().hex[:8]}"
    async with build_worker(client, pool, queue, smtp.mail):
        handle = await client.start_workflow(
            "CertificationWorkflow",
            CertificationInput(application_id=application_id, submission=a_submission(),
                               submitted_at=datetime.now(UTC), submitted_by=submitted_by),
            id=certification_workflow_id(application_id), task_queue=queue, result_type=str)
        try:
            # The first step of the journey: the application recorded and its review open for a reviewer.
            # Bounded: without the attributes the first workflow task fails again and again and this never comes.
            task = await asyncio.wait_for(
                handle.execute_update("wait_for_task", "application_review", result_type=TaskView), timeout=60)
            assert task.kind == "application_review"
            described = await handle.describe()
            organization = described.typed_search_attributes.get(SearchAttributeKey.for_text("OrganizationName"))
            assert organization == "设置检查呼叫中心有限公司"
            failed = [e for e in (await handle.fetch_history()).events
                      if e.HasField("workflow_task_failed_event_attributes")]
            assert not failed, failed[0].workflow_task_failed_event_attributes.failure.message
            # The worker container's health check sees this worker polling; nobody polls another queue.
            alive = await asyncio.to_thread(setup, address, namespace, "worker-alive", CERTFLOW_TASK_QUEUE=queue)
            assert alive.returncode == 0 and alive.stdout.startswith("alive: "), alive.stderr
            idle = await asyncio.to_thread(setup, address, namespace, "worker-alive", CERTFLOW_TASK_QUEUE="idle")
            assert idle.returncode == 1 and "no worker on" in idle.stderr and "Traceback" not in idle.stderr
            # An I/O worker's container (CERTFLOW_WORKER_ROLE=io, docker-compose.yml's worker-io) checks <queue>-io.
            io = await asyncio.to_thread(setup, address, namespace, "worker-alive", CERTFLOW_TASK_QUEUE=queue,
                                         CERTFLOW_WORKER_ROLE="io")
            assert io.returncode == 0 and io.stdout.startswith("alive: "), io.stderr
            io_idle = await asyncio.to_thread(setup, address, namespace, "worker-alive", CERTFLOW_TASK_QUEUE="idle",
                                              CERTFLOW_WORKER_ROLE="io")
            assert io_idle.returncode == 1 and "task queue idle-io" in io_idle.stderr
        finally:
            await handle.terminate("test finished")


def a_submission() -> ApplicationSubmission:
    return ApplicationSubmission.model_validate({
        "organization": {"name": "设置检查呼叫中心有限公司", "credit_code": "91110000MA01ABCD2X",
                         "registered_address": "北京市朝阳区示例路1号", "postcode": "100000",
                         "legal_status_proof": "营业执照副本", "contact": {"name": "王经理", "phone": "010-12345678",
                                                                         "email": "contact@example.cn"}},
        "sites": [{"name": "站点1", "address": "地址1", "postcode": "100000", "headcount": 80}],
        "scope": "呼叫中心客户服务",
        "service_documents_in_operation_since": "2025-01-01",
        "information_form": {"resources": "座席 80 个", "processes": "受理、回访", "risk_management": "应急预案"},
        "materials": list(REQUIRED_MATERIALS),
    })


async def test_an_attribute_of_another_type_is_a_plain_error(bare_server):
    client = await Client.connect(bare_server.address, namespace="default")
    await client.operator_service.add_search_attributes(AddSearchAttributesRequest(
        namespace="default", search_attributes={"StarLevel": IndexedValueType.INDEXED_VALUE_TYPE_INT}))
    done = setup(bare_server.address, namespace="default")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "StarLevel is registered as Int, certflow needs Keyword" in done.stderr, done.stderr
    assert "CertStatus" not in (await attributes(bare_server.address, "default"))  # nothing half-done


def test_an_unreachable_cluster_is_a_plain_error():
    done = setup(f"127.0.0.1:{free_port()}")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "cannot reach Temporal at 127.0.0.1:" in done.stderr and "CERTFLOW_TEMPORAL_ADDRESS" in done.stderr


def test_mtls_takes_the_client_certificate_and_key_the_settings_name(tmp_path):
    """Temporal Cloud with mTLS (README "Temporal Cloud"): both files, or a plain message."""
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    cert.write_bytes(b"-----BEGIN CERTIFICATE-----\n")
    key.write_bytes(b"-----BEGIN PRIVATE KEY-----\n")
    tls = tls_config(Settings(_env_file=None, temporal_tls_cert=cert, temporal_tls_key=key))
    assert isinstance(tls, TLSConfig) and tls.client_cert == cert.read_bytes()
    assert tls.client_private_key == key.read_bytes()
    assert tls_config(Settings(_env_file=None, temporal_tls=True)) is True
    assert tls_config(Settings(_env_file=None)) is False
    with pytest.raises(ValueError, match="both CERTFLOW_TEMPORAL_TLS_CERT and CERTFLOW_TEMPORAL_TLS_KEY"):
        tls_config(Settings(_env_file=None, temporal_tls_cert=cert))

