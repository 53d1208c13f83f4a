"""The workflow sandbox certflow's workers and replayers use: the SDK's, with the pure-library modules the
schemas call passed through, and with the serialization context of each command asked of the sandbox
once per workflow task instead of once per payload and pass, or not at all when nothing uses it (issue 17).

Why the memo: on every activation and completion the SDK visits each payload three times (references,
external storage, codec) and, for each visit, asks the workflow instance which serialization context
the payload's command has. In the sandbox each question enters it (the importer swapped in, a code string
compiled and run): profiled on the grant path, that was 14 % of the worker process's CPU, more than the
workflows' own code. The answer depends only on the command and on the workflow's state, which changes
only inside ``activate``; so answers are kept from one ``activate`` to the next and forgotten on either
side of it. And the SDK's visitor hands those contexts only to the payload codec and the external
storage: with neither configured (certflow's pydantic converter has neither), they are not asked at all.
Nothing about what runs inside the sandbox changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from temporalio.converter import DataConverter, StorageDriverStoreContext
from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

# Libraries the schemas' validators call lazily (pydantic's EmailStr imports email-validator, which
# imports idna, when a model is first built or used). Loaded afresh inside every workflow sandbox they
# would cost each run an import of their tables and warn; they keep no state, so they are shared.
PASSED_THROUGH = ("email_validator", "idna", "dns", "opentelemetry")  # opentelemetry: the tracing interceptor

_UNASKED = object()
_NO_STORE = StorageDriverStoreContext(target=None)


def contexts_used_by(converter: DataConverter) -> bool:
    """Whether anything of ``converter`` reads the contexts the SDK's payload visitor passes: its codec
    and its external storage do; the payload converter, run inside the sandbox, has its own."""
    return converter.payload_codec is not None or converter.external_storage is not None


class ContextsAskedOncePerTask(WorkflowInstance):
    """A sandboxed workflow instance whose serialization and storage contexts are asked once per command
    between two activations, or never when ``contexts_used`` is false (see the module's docstring);
    everything else goes straight through."""

    def __init__(self, sandboxed: WorkflowInstance, *, contexts_used: bool = True) -> None:
        self.sandboxed = sandboxed
        self.contexts_used = contexts_used
        self.contexts: dict[Any, Any] = {}
        self.store_contexts: dict[Any, Any] = {}

    def forget(self) -> None:
        self.contexts.clear()
        self.store_contexts.clear()

    def activate(self, act: Any) -> Any:
        self.forget()  # what was asked while decoding was asked of the state before this activation
        try:
            return self.sandboxed.activate(act)
        finally:
            self.forget()  # the completion's payloads are asked of the state after it

    def get_serialization_context(self, command_info: Any) -> Any:
        if not self.contexts_used:
            return None  # the context-free converter: nothing would read a context
        found = self.contexts.get(command_info, _UNASKED)
        if found is _UNASKED:
            found = self.contexts[command_info] = self.sandboxed.get_serialization_context(command_info)
        return found

    def get_external_store_context(self, command_info: Any) -> Any:
        if not self.contexts_used:
            return _NO_STORE
        found = self.store_contexts.get(command_info, _UNASKED)
        if found is _UNASKED:
            found = self.store_contexts[command_info] = self.sandboxed.get_external_store_context(command_info)
        return found

    def get_info(self) -> Any:
        return self.sandboxed.get_info()

    def get_thread_id(self) -> int | None:
        return self.sandboxed.get_thread_id()


@dataclass(frozen=True)
class CertflowSandboxRunner(SandboxedWorkflowRunner):
    """The SDK's sandbox, its instances wrapped in :class:`ContextsAskedOncePerTask`."""

    contexts_used: bool = True

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        return ContextsAskedOncePerTask(super().create_instance(det), contexts_used=self.contexts_used)


def workflow_runner(converter: DataConverter | None = None) -> CertflowSandboxRunner:
    """The sandbox every certflow worker and replayer uses; given the worker's data converter, it skips the
    contexts when that converter would not read them (without one, it asks, once per task)."""
    return CertflowSandboxRunner(restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH),
                                 contexts_used=converter is None or contexts_used_by(converter))
