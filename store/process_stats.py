"""How processes move through their elements, from the event log: per element, how many passed, how
many are there now, and how long they stayed (median and 90th percentile) — a heatmap's data, as the
process-analytics views of BPMN engines show it. A task's stay runs from its ``task.opened`` event to
the event that closed it (``{kind}.completed`` or ``{kind}.cancelled``), matched on the task id."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from store._sql import Db


class ElementStats(BaseModel):
    element_id: str
    passed: int
    there_now: int
    median_hours: float | None
    p90_hours: float | None


class ProcessVisit(BaseModel):
    element_id: str
    task_id: str
    entered_at: datetime
    left_at: datetime | None
    outcome: str | None


_VISITS = """
    WITH opened AS (
        SELECT e.element_id, e.data->>'task_id' AS task_id, e.occurred_at AS entered_at, e.workflow_id
        FROM events e WHERE e.kind = 'task.opened' AND e.element_id IS NOT NULL {where}
    ), closed AS (
        SELECT DISTINCT ON (e.data->>'task_id') e.data->>'task_id' AS task_id, e.occurred_at AS left_at,
               CASE WHEN e.kind LIKE '%.cancelled' THEN 'withdrawn' ELSE 'completed' END AS outcome
        FROM events e
        WHERE (e.kind LIKE '%.completed' OR e.kind LIKE '%.cancelled') AND e.data ? 'task_id'
        ORDER BY e.data->>'task_id', e.occurred_at
    )
    SELECT o.element_id, o.task_id, o.entered_at, c.left_at, c.outcome, o.workflow_id
    FROM opened o LEFT JOIN closed c ON c.task_id = o.task_id"""


async def element_stats(db: Db, workflow_type_prefix: str | None = None) -> list[ElementStats]:
    """Over every process whose workflow id starts with ``workflow_type_prefix`` (e.g. ``audit-``), or all."""
    rows = await db.fetch(
        f"""WITH visits AS ({_VISITS.format(where="AND ($1::text IS NULL OR e.workflow_id LIKE $1 || '%')")})
            SELECT element_id,
                   count(*) FILTER (WHERE left_at IS NOT NULL AND outcome = 'completed') AS passed,
                   count(*) FILTER (WHERE left_at IS NULL) AS there_now,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM left_at - entered_at) / 3600)
                       FILTER (WHERE left_at IS NOT NULL) AS median_hours,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM left_at - entered_at) / 3600)
                       FILTER (WHERE left_at IS NOT NULL) AS p90_hours
            FROM visits GROUP BY element_id ORDER BY element_id""",
        workflow_type_prefix)
    return [ElementStats(**dict(r)) for r in rows]


async def process_visits(db: Db, workflow_id: str) -> list[ProcessVisit]:
    """One process's task visits from the log (for a process Temporal no longer holds)."""
    rows = await db.fetch(
        f"""{_VISITS.format(where="AND e.workflow_id = $1")} ORDER BY o.entered_at, o.task_id""", workflow_id)
    return [ProcessVisit(**{k: v for k, v in dict(r).items() if k != "workflow_id"}) for r in rows]
