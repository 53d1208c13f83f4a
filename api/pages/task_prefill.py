"""What a task's form starts with, where its context already says it: the on-site results of a full
assessment list every item of the catalogue (R-6, R-9.1.7: each assessed once), each captioned with its
title and maximum scores. A sampled audit (R-9.2.5) starts empty: the auditors add the items they
assessed, with the catalogue beside the form."""

from __future__ import annotations

from typing import Any

from api.pages.backend import Backend

# Issue 18: a programme task opens with the planner's proposal in its form; the words
# that are the programme manager's own start from these, to change.
_OBJECTIVES = {
    "programme": "依据 YD/T 2823-2015 进行初次认证审核，评价呼叫中心服务能力并评定等级",
    "surveillance_programme": "依据 YD/T 2823-2015 进行监督审核，确认服务持续符合并保持等级",
    "recertification_programme": "依据 YD/T 2823-2015 进行再认证审核，评价服务体系的持续有效性",
    "special_programme": "依据 YD/T 2823-2015 进行特殊审核",
}


def proposed(task: dict[str, Any]) -> dict[str, Any]:
    """A programme task's form filled with the planner's proposal in force, if it has one."""
    schedule = task.get("schedule") or {}
    fields = schedule.get("programme")
    if not fields:
        return {}
    programme = {"objectives": _OBJECTIVES.get(task.get("kind", ""), ""), **fields}
    return {"programme": programme} if task.get("kind") == "surveillance_programme" else programme


async def prefilled(backend: Backend, task: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's first values, and captions by field name (shown beside those fields)."""
    if task.get("schedule"):
        return proposed(task), {}
    if task.get("kind") != "onsite_audit":
        return {}, {}
    answer = await backend.get("/api/v1/catalogue")
    if not answer.ok:
        return {}, {}
    items = answer.body.get("items", [])
    captions = {f"items[{n}].item_id": _caption(item) for n, item in enumerate(items)}
    if not (task.get("context") or {}).get("full_assessment", True):
        return {}, {}  # the rows the auditors add are captioned by what they type
    return {"items": [{"item_id": item["id"]} for item in items]}, captions


def _caption(item: dict[str, Any]) -> str:
    return (f"{item['id']} {item.get('section_title', '')} · {item.get('title', '')} "
            f"(≤ {item.get('max_method')} / ≤ {item.get('max_execution')})")
