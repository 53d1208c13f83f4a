"""A smoke workflow: proves that a worker is polling our task queue and that its activities reach the
register. Not part of the scheme; `certflow up` and the tests run it."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.system import SystemActivities
    from schemas.system import RegisterStatus, SmokeInput, SmokeResult


@workflow.defn(name="SmokeWorkflow")
class SmokeWorkflow:
    @workflow.run
    async def run(self, data: SmokeInput) -> SmokeResult:
        workflow.set_current_details("checking that the worker reaches the register")
        status: RegisterStatus = await workflow.execute_activity_method(
            SystemActivities.register_status,
            start_to_close_timeout=timedelta(seconds=30),
            summary="read the register's migration level",
        )
        return SmokeResult(label=data.label, status=status)
