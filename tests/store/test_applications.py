import uuid
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from schemas.applications import ApplicationRecord, ApplicationStatus
from schemas.errors import Conflict, NotFound
from store.applications import (
    application_by_workflow,
    get_application,
    list_applications,
    record_application,
    set_status,
)

SUBMITTED = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)


def _app(org_id, **kw):
    app_id = kw.pop("id", uuid.uuid4())
    return ApplicationRecord(**{"id": app_id, "organization_id": org_id, "workflow_id": f"certification-{app_id}",
                                "scope": "呼叫中心服务", "data": {"sites": 2}, "submitted_at": SUBMITTED, **kw})


async def test_record_application_twice_writes_one_row(pool, org, count):
    app = _app(org.id)
    first = await record_application(pool, app)
    assert await record_application(pool, app) == first
    assert await count("applications") == 1
    assert first.status is ApplicationStatus.SUBMITTED and first.data == {"sites": 2}
    assert await get_application(pool, app.id) == first
    assert await application_by_workflow(pool, app.workflow_id) == first


async def test_an_application_id_or_workflow_is_not_taken_twice(pool, org, application):
    with pytest.raises(Conflict):
        await record_application(pool, _app(org.id, workflow_id=application.workflow_id))
    with pytest.raises(Conflict):
        await record_application(pool, _app(org.id, id=application.id, workflow_id="certification-other"))


async def test_an_application_of_an_unknown_organization_is_not_found(pool):
    with pytest.raises(NotFound):
        await record_application(pool, _app(uuid.uuid4()))


def test_submitted_at_must_carry_a_time_zone():
    with pytest.raises(ValidationError, match="submitted_at"):
        _app(uuid.uuid4(), submitted_at=datetime(2025, 3, 3, 9, 0))


async def test_set_status_is_idempotent(pool, application):
    moved = await set_status(pool, application.id, ApplicationStatus.UNDER_REVIEW)
    assert moved.status is ApplicationStatus.UNDER_REVIEW
    again = await set_status(pool, application.id, "under_review")
    assert again.updated_at == moved.updated_at  # nothing written the second time
    with pytest.raises(ValueError):
        await set_status(pool, application.id, "approved")
    with pytest.raises(NotFound):
        await set_status(pool, uuid.uuid4(), ApplicationStatus.ACCEPTED)


async def test_list_applications_filters(pool, org, application):
    other = await record_application(pool, _app(org.id))
    await set_status(pool, other.id, ApplicationStatus.REJECTED)
    assert {a.id for a in await list_applications(pool, organization_id=org.id)} == {application.id, other.id}
    assert [a.id for a in await list_applications(pool, status=ApplicationStatus.REJECTED)] == [other.id]
    assert await list_applications(pool, organization_id=uuid.uuid4()) == []
