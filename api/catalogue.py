"""The item catalogue the on-site audit rates, with the levels it leads to (R-6).

The on-site results must name these items (``OnsiteResults``), so the auditors need them from the API,
not from the server's files. The shipped catalogue is illustrative (R-6.result Decision: the real
CC-CMM one is not public), and the answer says so, so nobody takes it for the real one.
"""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.permissions import Action, permitted
from rules.rating import default_catalogue, default_thresholds
from schemas.tasking import Actor
from schemas.text import Line, Text

router = APIRouter(prefix="/api/v1/catalogue", tags=["catalogue"])


class Item(BaseModel):
    id: Line
    section: Line
    section_title: Line
    title: Line
    max_method: Decimal
    max_execution: Decimal


class LevelCondition(BaseModel):
    rule_id: Line
    metric: Line = Field(description="method_rate, execution_rate (in %) or total_score (points)")
    sections: list[Line]
    aggregation: Line = Field(description="pooled: the sections' items together; each: every section on its own")
    minimum: Decimal
    description: Text


class LevelView(BaseModel):
    level: Line
    cc_cmm: Line
    rule_id: Line
    conditions: list[LevelCondition]


class CatalogueView(BaseModel):
    illustrative: bool = Field(description="true: the shipped, invented catalogue, not the body's reviewed one")
    version: Line
    note: Text
    sections: dict[Line, Line]
    items: list[Item]
    levels: list[LevelView] = Field(description="lowest first; the rating is the highest whose every condition holds")
    decisions: dict[Line, Text]


@router.get("", response_model=CatalogueView, summary="the items the on-site audit rates and the levels (R-6)")
async def catalogue(actor: Actor = Depends(permitted(Action.READ_CATALOGUE))) -> CatalogueView:
    """The items the on-site results must name, with their maxima, and the levels with their conditions
    (R-6); ``illustrative`` while the shipped catalogue, not the body's own, is in force."""
    items, thresholds = default_catalogue(), default_thresholds()
    return CatalogueView(
        illustrative=items.illustrative, version=items.version, note=items.note, sections=dict(items.sections.items()),
        items=[Item(id=i.id, section=i.section, section_title=items.sections.get(i.section, ""), title=i.title,
                    max_method=i.max_method, max_execution=i.max_execution) for i in items.items],
        levels=[LevelView(level=lt.level.value, cc_cmm=lt.cc_cmm, rule_id=lt.rule_id, conditions=[
            LevelCondition(rule_id=c.rule_id, metric=c.metric.value, sections=list(thresholds.scopes[c.scope]),
                           aggregation=c.aggregation.value, minimum=c.minimum, description=c.description)
            for c in lt.conditions]) for lt in thresholds.levels],
        decisions=dict(thresholds.decisions),
    )
