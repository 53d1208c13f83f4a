"""The team's queue, for those who oversee the body's work (managers, operators): every open task, by
person, role or kind, overdue ones first and marked, and the escalations.

An escalation is what the system does when a task's due date has passed: at the start of the next
day the task's process mails the assignee's manager ("逾期上报", workflows/tasks.py) and the register
notes when (``tasks.escalated_at``). The API has no read of those marks; what it gives is the overdue
tasks (``GET /api/v1/tasks?mine=false&overdue=true``): due before today, so escalated at the start of
a day that has begun. Those are the escalations shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.pages.backend import Backend
from api.pages.i18n import language_of
from api.pages.inbox import next_cursor
from api.pages.permits import TEAM, may, roles_for
from api.pages.render import page
from api.pages.session import Session, session_of
from api.permissions import Action
from api.problems import Problem
from schemas.staff import Role
from schemas.task_titles import TITLES_ZH

router = APIRouter(include_in_schema=False)

QUEUE_PAGE = 200  # open tasks on one page of the queue
ESCALATIONS_SHOWN = 100

ROLE_WORDS: dict[str, tuple[str, str]] = {
    "reviewer": ("评审人员", "reviewer"), "programme_manager": ("方案管理人员", "programme manager"),
    "auditor": ("审查员", "auditor"), "technical_expert": ("技术专家", "technical expert"),
    "mystery_shopper": ("神秘顾客", "mystery shopper"), "decision_maker": ("认证决定人员", "decision maker"),
    "manager": ("主管", "manager"), "operator": ("运维人员", "operator"),
}
GROUPINGS = ("assignee", "role", "kind")


def role_words(role: str, lang: str) -> str:
    zh, en = ROLE_WORDS.get(role, (role, role))
    return en if lang == "en" else zh


def kind_words(kind: str, lang: str) -> str:
    english = kind.replace("_", " ")
    return english if lang == "en" else TITLES_ZH.get(kind, english)


def refuse_unless(request: Request, session: Session, what: str) -> None:
    """A 403 page naming the roles needed, for a page the matrix does not give the reader."""
    if not may(request, session, what):
        needed = " or ".join(sorted(r.value for r in roles_for(request, what)))
        raise Problem(403, f"This page is for the roles {needed}.", title="Not yours to see")


async def staff_names(backend: Backend, allowed: bool) -> dict[str, str]:
    """The names of the staff by id, from the directory when the reader may read it."""
    if not allowed:
        return {}
    answer = await backend.get("/api/v1/staff")
    return {row["id"]: row["name"] for row in answer.body} if answer.ok else {}


def grouped(tasks: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], str]) -> list[tuple[str, list[dict]]]:
    """Tasks in groups, in the order each group's first (soonest due) task comes."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for task in tasks:
        groups.setdefault(key(task), []).append(task)
    return list(groups.items())


def group_key(group: str, lang: str, names: dict[str, str]) -> Callable[[dict[str, Any]], str]:
    def who(task: dict[str, Any]) -> str:
        if task.get("assignee_id"):
            return names.get(task["assignee_id"], task["assignee_id"])
        return ("Any " if lang == "en" else "任一") + role_words(task["role"], lang)

    if group == "role":
        return lambda task: role_words(task["role"], lang)
    if group == "kind":
        return lambda task: kind_words(task["kind"], lang)
    return who


@router.get("/app/team")
async def team(request: Request, role: str = "", kind: str = "", group: str = "assignee", after: str | None = None,
               session: Session = Depends(session_of)) -> Response:
    refuse_unless(request, session, TEAM)
    lang, group = language_of(request), group if group in GROUPINGS else "assignee"
    backend = Backend(request, session)
    filters = {"mine": "false", "role": role, "kind": kind}
    queue = await backend.get("/api/v1/tasks", **filters, after=after, limit=QUEUE_PAGE)
    if not queue.ok:
        return page(request, "problem.html", session, status=queue.status, problem=queue.problem)
    escalations = await backend.get("/api/v1/tasks", **filters, overdue="true", limit=ESCALATIONS_SHOWN)
    names = await staff_names(backend, may(request, session, Action.LIST_STAFF.value))
    overdue = escalations.body if escalations.ok else []
    for task in queue.body + overdue:
        task["who"] = names.get(task["assignee_id"], "") if task.get("assignee_id") else ""
    groups = grouped(queue.body, group_key(group, lang, names))
    return page(request, "team.html", session, title="团队任务", groups=groups, escalations=overdue,
                role=role, kind=kind, group=group,
                roles=[(r.value, role_words(r.value, lang)) for r in Role],
                kinds=[(k, kind_words(k, lang)) for k in TITLES_ZH], role_words=lambda r: role_words(r, lang),
                after=after, following=next_cursor(queue.headers.get("link")), count=len(queue.body))

