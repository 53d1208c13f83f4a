"""The JSON schema of a task's payload, generated once per payload model and process.

A workflow sends the schema with every task it opens (the inbox shows it to the person completing the
task). pydantic builds it afresh on each call, about 2 ms a task and a third of the certification's own
workflow time (bench/RESULTS.md, issue 17). The models do not change while a process runs, so the
schema is kept as JSON text and each caller gets a fresh copy to keep: the same value as before, so
recorded histories replay unchanged. Workflows import this module passed through their sandbox, so the
cache outlives one workflow run.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from pydantic import BaseModel


@cache
def _schema_text(model: type[BaseModel]) -> str:
    return json.dumps(model.model_json_schema(), ensure_ascii=False)


def payload_schema(model: type[BaseModel]) -> dict[str, Any]:
    """``model.model_json_schema()``, from the cache: a new dict each call, so no caller can change
    another's."""
    schema: dict[str, Any] = json.loads(_schema_text(model))
    return schema
