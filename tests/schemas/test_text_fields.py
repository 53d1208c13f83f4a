"""Every string a model of schemas/ holds is one of schemas.text's types (issue 12 finding 3: one
character stalled a process for ever). The walk below finds every model in every module of schemas/,
so a field added tomorrow as a plain ``str`` fails this test instead of stalling a certification."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types
import typing
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, EmailStr

import schemas
from schemas.text import check_json_text, check_line, check_text, scrub_text

GUARDS = {check_text, check_line, check_json_text, scrub_text}


def schema_models() -> list[type[BaseModel]]:
    """Every pydantic model defined in a module of the schemas package."""
    found: dict[str, type[BaseModel]] = {}
    for info in pkgutil.iter_modules(schemas.__path__):
        module = importlib.import_module(f"schemas.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseModel) and obj.__module__ == module.__name__:
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return list(found.values())


def _guarded(metadata: tuple[Any, ...]) -> bool:
    return any(isinstance(m, AfterValidator) and m.func in GUARDS for m in metadata)


def unguarded_strings(annotation: Any, where: str) -> list[str]:
    """Where in ``annotation`` a ``str`` (or a free-form dict key/value) is held without a guard."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        inner, *metadata = args
        if _guarded(tuple(metadata)):
            return []
        return unguarded_strings(inner, where)
    if annotation is str:
        return [where]
    if annotation is Any:
        return [f"{where} (Any: may hold a string)"]
    if annotation is EmailStr:
        return [f"{where} (EmailStr without the text guard)"]
    if origin is Literal or (inspect.isclass(annotation) and issubclass(annotation, (Enum, BaseModel))):
        return []  # fixed values, or a model walked on its own
    if origin in (Union, types.UnionType, list, tuple, set, frozenset, dict, typing.Sequence):
        return [hole for arg in args if arg is not Ellipsis for hole in unguarded_strings(arg, where)]
    return []


def test_the_walk_finds_the_models_that_hold_text():
    names = {m.__name__ for m in schema_models()}
    assert {"ApplicationSubmission", "Contact", "ReviewPoint", "Stage1Findings", "Suspend", "Staff",
            "TaskCompletion", "Organization", "CncaRow"} <= names
    assert len(names) > 60


def test_the_walk_would_catch_a_plain_str_anywhere():
    class Careless(BaseModel):
        note: str
        tags: list[str]
        by_key: dict[str, int]
        maybe: str | None
        free: dict[Any, Any]

    holes = [h for name, field in Careless.model_fields.items()
             for h in unguarded_strings(field.annotation if not field.metadata else
                                        Annotated[(field.annotation, *field.metadata)], name)]
    assert [h.split(" ")[0] for h in holes] == ["note", "tags", "by_key", "maybe", "free", "free"]


def test_no_model_in_schemas_holds_a_plain_str():
    holes = []
    for model in schema_models():
        for name, field in model.model_fields.items():
            annotation = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
            holes += unguarded_strings(annotation, f"{model.__module__}.{model.__qualname__}.{name}")
    assert holes == []
