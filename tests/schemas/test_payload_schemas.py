"""The cached payload schema (issue 17) is exactly what pydantic gives, and each caller's own copy."""

from __future__ import annotations

import pytest

from schemas import payloads
from schemas.payload_schemas import payload_schema

MODELS = [m for m in vars(payloads).values()
          if isinstance(m, type) and issubclass(m, payloads.BaseModel) and m.__module__ == payloads.__name__]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_cached_schema_is_pydantics_key_for_key(model):
    fresh = model.model_json_schema()
    cached = payload_schema(model)
    assert cached == fresh
    assert list(cached) == list(fresh)  # same key order: the activity's input serializes the same


def test_each_caller_gets_a_copy_of_its_own():
    model = MODELS[0]
    first = payload_schema(model)
    first["title"] = "changed by one caller"
    first.setdefault("properties", {})["injected"] = {}
    again = payload_schema(model)
    assert again == model.model_json_schema()
