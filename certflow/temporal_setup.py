"""``certflow temporal setup``: make a Temporal cluster ready for certflow's workflows.

On the embedded dev server `certflow up` registers the search attributes at start; any other cluster
(``CERTFLOW_TEMPORAL_ADDRESS``: a self-hosted one, docker-compose.yml's, Temporal Cloud) must know
the namespace and the search attributes before the first workflow upserts one, or that workflow's
task fails again and again. This registers what is missing and leaves what is there, so it can run at
every deployment; an attribute already registered with another type is an error it names (Temporal
cannot change a type: the operator must choose).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from certflow.settings import SEARCH_ATTRIBUTES, Settings, get_settings

if TYPE_CHECKING:
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.client import Client

T = TypeVar("T")
SETTLE_SECONDS = 60.0  # a namespace just registered takes a few seconds to be known to every service


class SetupError(RuntimeError):
    """What keeps the cluster from being set up, worded for the operator."""


@dataclass
class SetupReport:
    namespace: str
    namespace_registered: bool = False
    added: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        state = "registered" if self.namespace_registered else "already there"
        out = [f"namespace {self.namespace}: {state}"]
        out += [f"search attribute {name} ({SEARCH_ATTRIBUTES[name]}): added" for name in self.added]
        out += [f"search attribute {name} ({SEARCH_ATTRIBUTES[name]}): already there" for name in self.present]
        return out


def _indexed_type(kind: str) -> IndexedValueType.ValueType:
    from temporalio.api.enums.v1 import IndexedValueType

    # "KeywordList" is INDEXED_VALUE_TYPE_KEYWORD_LIST: a word break before each inner capital.
    return IndexedValueType.Value("INDEXED_VALUE_TYPE_" + re.sub(r"(?<!^)(?=[A-Z])", "_", kind).upper())


def _type_name(value: IndexedValueType.ValueType) -> str:
    from temporalio.api.enums.v1 import IndexedValueType

    return "".join(part.capitalize() for part in IndexedValueType.Name(value).removeprefix("INDEXED_VALUE_TYPE_")
                   .split("_"))


async def _until_known(call: Callable[[], Awaitable[T]], what: str) -> T:
    """``call()``, again while the namespace is not yet known to the service answering (bounded)."""
    from temporalio.service import RPCError, RPCStatusCode

    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        try:
            return await call()
        except RPCError as exc:
            unknown = exc.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.INVALID_ARGUMENT) and \
                "namespace" in exc.message.lower()
            if not unknown or time.monotonic() > deadline:
                raise SetupError(f"{what}: {exc.message} ({exc.status.name})") from None
        await asyncio.sleep(0.5)


async def ensure_namespace(client: Client, namespace: str, retention_days: int) -> bool:
    """Register ``namespace`` unless it exists; True when this call registered it."""
    from google.protobuf.duration_pb2 import Duration
    from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, RegisterNamespaceRequest
    from temporalio.service import RPCError, RPCStatusCode

    try:
        await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=namespace))
        return False
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise SetupError(f"cannot describe namespace {namespace}: {exc.message} ({exc.status.name})") from None
    try:
        await client.workflow_service.register_namespace(RegisterNamespaceRequest(
            namespace=namespace, description="certflow: certification processes",
            workflow_execution_retention_period=Duration(seconds=retention_days * 86400)))
    except RPCError as exc:
        if exc.status == RPCStatusCode.ALREADY_EXISTS:
            return False  # another setup got there first
        raise SetupError(f"cannot register namespace {namespace}: {exc.message} ({exc.status.name}); on "
                         "Temporal Cloud a namespace is created in its web UI or with tcld") from None
    return True


async def registered_attributes(client: Client, namespace: str) -> dict[str, str]:
    """Every search attribute the namespace knows (system and custom), name -> type."""
    from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest

    listed = await _until_known(
        lambda: client.operator_service.list_search_attributes(ListSearchAttributesRequest(namespace=namespace)),
        f"cannot list the search attributes of namespace {namespace}")
    known = {**listed.system_attributes, **listed.custom_attributes}
    return {name: _type_name(value) for name, value in known.items()}


async def ensure_search_attributes(client: Client, namespace: str,
                                   wanted: dict[str, str]) -> tuple[list[str], list[str]]:
    """Add those of ``wanted`` (name -> type) the namespace lacks; (added, already there)."""
    from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest

    known = await registered_attributes(client, namespace)
    clashes = [f"{name} is registered as {known[name]}, certflow needs {kind}"
               for name, kind in wanted.items() if name in known and known[name] != kind]
    if clashes:
        raise SetupError(f"search attributes of another type in namespace {namespace}: {'; '.join(clashes)}. "
                         "Temporal cannot change a type: remove that attribute (temporal operator "
                         "search-attribute remove) or use another namespace.")
    missing = {name: kind for name, kind in wanted.items() if name not in known}
    if missing:
        request = AddSearchAttributesRequest(
            namespace=namespace, search_attributes={name: _indexed_type(kind) for name, kind in missing.items()})
        await _until_known(lambda: client.operator_service.add_search_attributes(request),
                           f"cannot add search attributes {', '.join(missing)} to namespace {namespace}")
        await _until_listed(client, namespace, missing)
    return list(missing), [name for name in wanted if name not in missing]


async def _until_listed(client: Client, namespace: str, added: dict[str, str]) -> None:
    """With Elasticsearch visibility the attributes are added in the background: wait until listed."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while not added.keys() <= (await registered_attributes(client, namespace)).keys():
        if time.monotonic() > deadline:
            raise SetupError(f"search attributes {', '.join(added)} were added but are still not listed "
                             f"after {SETTLE_SECONDS:.0f} s")
        await asyncio.sleep(0.5)


async def set_up(settings: Settings) -> SetupReport:
    from certflow.temporal_client import connect_client

    target = settings.temporal_target
    try:
        client = await asyncio.wait_for(connect_client(settings), timeout=30)
    except Exception as exc:  # TimeoutError among them
        raise SetupError(f"cannot reach Temporal at {target} (CERTFLOW_TEMPORAL_ADDRESS): {exc or 'no answer'}. "
                         "Start it (certflow up, or docker compose up temporal) or point "
                         "CERTFLOW_TEMPORAL_ADDRESS at it.") from None
    namespace = settings.temporal_namespace
    report = SetupReport(namespace, await ensure_namespace(client, namespace,
                                                           settings.temporal_namespace_retention_days))
    report.added, report.present = await ensure_search_attributes(client, namespace, SEARCH_ATTRIBUTES)
    return report


def cmd_temporal(args: argparse.Namespace) -> int:
    settings = get_settings()
    try:
        report = asyncio.run(set_up(settings))
    except SetupError as exc:
        print(f"certflow temporal setup: {exc}", file=sys.stderr)
        return 1
    print(f"Temporal at {settings.temporal_target}:")
    for line in report.lines():
        print(f"  {line}")
    return 0
