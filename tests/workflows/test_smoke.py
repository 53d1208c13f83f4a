"""The worker runs: a workflow on our task queue reaches the register through an activity."""

import uuid
from datetime import UTC

from temporalio.common import SearchAttributeKey

from schemas.system import SmokeInput, SmokeResult
from workers.main import build_worker
from workflows.smoke import SmokeWorkflow


async def test_smoke_workflow_reads_the_register_through_the_worker(temporal_env, pool):
    queue = f"smoke-{uuid.uuid4().hex[:8]}"
    async with build_worker(temporal_env.client, pool, queue):
        result = await temporal_env.client.execute_workflow(
            SmokeWorkflow.run, SmokeInput(label="first"), id=f"smoke-{uuid.uuid4()}", task_queue=queue,
            result_type=SmokeResult,
        )
    assert result.label == "first"
    assert result.status.migrations[0] == 1
    assert result.status.organizations == 0


async def test_our_search_attributes_are_known_to_the_test_server(temporal_env, pool):
    """A workflow upserting CertStatus would fail its task forever if the attribute were unknown
    (DESIGN.md "Pitfalls"): start one carrying every attribute and read them back."""
    from datetime import datetime

    from temporalio.common import SearchAttributePair, TypedSearchAttributes

    attributes = TypedSearchAttributes([
        SearchAttributePair(SearchAttributeKey.for_keyword("CertificateNumber"), "CFB-CCS-2026-00001"),
        SearchAttributePair(SearchAttributeKey.for_keyword("CertStatus"), "valid"),
        SearchAttributePair(SearchAttributeKey.for_keyword("StarLevel"), "five_star"),
        SearchAttributePair(SearchAttributeKey.for_text("OrganizationName"), "示例呼叫中心"),
        SearchAttributePair(SearchAttributeKey.for_datetime("NextDue"), datetime(2027, 5, 1, tzinfo=UTC)),
    ])
    queue = f"smoke-{uuid.uuid4().hex[:8]}"
    async with build_worker(temporal_env.client, pool, queue):
        handle = await temporal_env.client.start_workflow(
            SmokeWorkflow.run, SmokeInput(), id=f"smoke-{uuid.uuid4()}", task_queue=queue,
            search_attributes=attributes, result_type=SmokeResult,
        )
        await handle.result()
    described = await handle.describe()
    assert described.typed_search_attributes.get(SearchAttributeKey.for_keyword("CertStatus")) == "valid"
    assert described.typed_search_attributes.get(SearchAttributeKey.for_text("OrganizationName")) == "示例呼叫中心"
