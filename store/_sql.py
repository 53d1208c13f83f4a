"""Small helpers shared by the store modules (private: import the concern modules instead).

Every store function takes ``db``: an ``asyncpg.Pool`` or a ``Connection`` from ``store.db`` (whose
json/jsonb codecs the functions rely on). Passing a connection lets a caller put several writes in one
transaction; passing the pool is enough for single writes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime
from typing import TypeVar

import asyncpg
from pydantic import BaseModel

from schemas.errors import InvalidInput, NotFound
from store.db import Connection, Db

M = TypeVar("M", bound=BaseModel)


def to_model(model: type[M], row: asyncpg.Record | None) -> M | None:
    return None if row is None else model.model_validate(dict(row))


def to_models(model: type[M], rows: list[asyncpg.Record]) -> list[M]:
    return [model.model_validate(dict(r)) for r in rows]


@asynccontextmanager
async def transaction(db: Db) -> AsyncIterator[Connection]:
    """One transaction on one connection: the pool lends one, a connection opens one (or a savepoint
    when the caller already has a transaction open)."""
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as conn, conn.transaction():
            yield conn
    else:
        async with db.transaction():
            yield db


def require_aware(value: datetime, name: str) -> datetime:
    """A naive time is ambiguous (Asia/Shanghai or UTC?): refuse it rather than guess."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{name} must carry a time zone", details={name: value.isoformat()})
    return value


@contextmanager
def references_must_exist() -> Iterator[None]:
    """A row that points at something the register does not hold (an unknown organization, staff
    member, audit ...) is the caller's mistake, reported as ``NotFound`` rather than a driver error."""
    try:
        yield
    except asyncpg.ForeignKeyViolationError as exc:
        raise NotFound(
            f"the register holds no such record: {exc.detail or exc}", details={"constraint": exc.constraint_name}
        ) from exc
