"""The staff pickers of a form: for a team, people holding both R-7.auditor proofs on the audit's
days and without a declared conflict of interest with the organization (R-9.1.4); for a mystery-shopper
visit, the body's mystery shoppers (R-3.10). Only a picker's offer: the process still judges the
people sent (R-7, R-9.1.4, R-9.1.9.n1) and refuses with the rule id.

A person who may not read the staff directory (the permission matrix's ``staff.list``) gets no list;
the field then takes a staff id as typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from api.pages.backend import Backend
from api.pages.forms import FormField
from api.pages.session import Session


def _pickers(fields: Iterable[FormField]) -> set[str]:
    found: set[str] = set()
    for f in fields:
        if f.picker:
            found.add(f.picker)
        found |= _pickers(f.children)
        for row in f.rows:
            found |= _pickers(row)
    return found


def _audit_day(task: dict[str, Any]) -> str | None:
    context = task.get("context") or {}
    for key in ("onsite_start", "planned_on", "due_on"):
        if isinstance(context.get(key), str):
            return context[key]
    return task.get("due_on")


def _impartial(person: dict[str, Any], organization: str | None) -> bool:
    return not any(c.get("ended_on") is None and organization and c.get("organization_name") == organization
                   for c in person.get("conflicts") or [])


async def people_for(backend: Backend, session: Session, task: dict[str, Any],
                     fields: list[FormField]) -> dict[str, list[tuple[str, str]]]:
    """Each picker's people as (id, name — what makes them fit), for the pickers the form has."""
    wanted = _pickers(fields)
    if not wanted:
        return {}
    answer = await backend.get("/api/v1/staff", active="true", qualified_on=_audit_day(task))
    if not answer.ok:
        return {}
    organization = task.get("organization")
    offered: dict[str, list[tuple[str, str]]] = {}
    if "staff" in wanted:
        offered["staff"] = [(p["id"], f"{p['name']} ({', '.join(p['roles'])})") for p in answer.body
                            if p.get("auditor_qualified") and _impartial(p, organization)]
    if "shopper" in wanted:
        shoppers = await backend.get("/api/v1/staff", active="true", role="mystery_shopper")
        offered["shopper"] = [(p["id"], p["name"]) for p in (shoppers.body if shoppers.ok else [])
                              if _impartial(p, organization)]
    return offered
