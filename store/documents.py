"""Certificate documents as issued (R-10.2), content-hashed; never changed nor deleted (migration 0004)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from store._sql import Db


class StoredDocument(BaseModel):
    sha256: str
    issue_key: str
    certificate_number: str
    revision: int
    reason: str
    pages: int
    size: int
    created_at: datetime


_COLUMNS = "sha256, issue_key, certificate_number, revision, reason, pages, size, created_at"


async def store_document(db: Db, *, key: str, number: str, revision: int, reason: str, content: bytes,
                         sha256: str, pages: int) -> StoredDocument:
    """Idempotent by ``key``: storing again returns what the first call stored."""
    await db.execute(
        """INSERT INTO certificate_documents (sha256, issue_key, certificate_number, revision, reason, pages, size,
                                              content)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (issue_key) DO NOTHING""",
        sha256, key, number, revision, reason, pages, len(content), content)
    stored = await document_by_key(db, key)
    assert stored is not None
    return stored


async def document_by_key(db: Db, key: str) -> StoredDocument | None:
    row = await db.fetchrow(f"SELECT {_COLUMNS} FROM certificate_documents WHERE issue_key = $1", key)
    return StoredDocument(**dict(row)) if row else None


async def latest_document(db: Db, number: str) -> tuple[StoredDocument, bytes] | None:
    """The document most recently issued for ``number``, with its bytes."""
    row = await db.fetchrow(
        f"""SELECT {_COLUMNS}, content FROM certificate_documents WHERE certificate_number = $1
            ORDER BY created_at DESC, revision DESC LIMIT 1""", number)
    if row is None:
        return None
    data = dict(row)
    content = data.pop("content")
    return StoredDocument(**data), bytes(content)


async def documents_of(db: Db, number: str) -> list[StoredDocument]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM certificate_documents WHERE certificate_number = $1 ORDER BY created_at, issue_key",
        number)
    return [StoredDocument(**dict(r)) for r in rows]
