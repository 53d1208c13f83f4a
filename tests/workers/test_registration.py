"""Every activity the activity classes define is registered on the worker, and the ones that wait on
the outside world run on the I/O queue: a workflow asking for an activity no worker has would open an
incident and wait for an operator (the daily plan of the coming months once did, issue 18)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any, cast

from temporalio import activity

import activities
from activities.notify import MailSettings
from workers.main import activities_for
from workers.pair import IO_ACTIVITIES


def _defined_activity_names() -> set[str]:
    names: set[str] = set()
    for module_info in pkgutil.iter_modules(activities.__path__):
        module = importlib.import_module(f"activities.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            for _, member in inspect.getmembers(cls, inspect.isfunction):
                definition = activity._Definition.from_callable(member)
                if definition is not None and definition.name:
                    names.add(definition.name)
    return names


def _registered_names() -> set[str]:
    pool = cast(Any, None)  # the classes only keep the pool; nothing is called here
    registered = activities_for(pool, MailSettings())
    return {activity._Definition.must_from_callable(a).name or "" for a in registered}


def test_every_defined_activity_is_registered_on_the_worker() -> None:
    defined = _defined_activity_names()
    assert "plan_horizon" in defined  # the scan sees the scheduling activities
    assert defined - _registered_names() == set()


def test_every_io_activity_exists() -> None:
    assert _registered_names() >= IO_ACTIVITIES
