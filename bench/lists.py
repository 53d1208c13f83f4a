"""``lists``: the staff's lists at a busy body's size (issue 17: the inbox at 10,020 open tasks had a
p95 of 1,113 ms, the certificate list at 10,081 certificates 63 ms; the goal is 50 ms for each).

The register is seeded in bulk (bench/seed.py) on a stack started as ``certflow up`` starts it; then
each list is asked for ``requests`` times in a row, as one person clicking, and its p50/p95 latency and
size are taken. The baseline, in the same run and from the same API process: ``GET /healthz``, the bare
HTTP round trip, so that the ratio says what the list costs beyond answering at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from api.paging import MAX_PAGE
from bench.harness import Figures, Run, bench, percentile, ratio
from bench.seed import RARE_ORGANIZATION, RARE_TERM, seed_register
from bench.stack import BenchStack

GOAL_MS = 50.0  # issue 17: every staff list answers within 50 ms at the 95th percentile
BASELINE = "baseline"
WARM_UP = 5  # requests before the measured ones (connections, caches, the first plan)


def _lists(stack: BenchStack, later_cursor: str) -> dict[str, tuple[str, dict[str, Any], str]]:
    """Each list measured: its path, its query and whose token asks."""
    return {
        "tasks_auditor": ("/api/v1/tasks", {}, "leader"),  # my inbox: mine and my role's unassigned
        "tasks_programme_manager_all": ("/api/v1/tasks", {"mine": "false"}, "programme_manager"),
        "tasks_manager_all": ("/api/v1/tasks", {"mine": "false"}, "manager"),  # every open task
        "tasks_manager_overdue": ("/api/v1/tasks", {"mine": "false", "overdue": "true"}, "manager"),
        "tasks_manager_by_opening": ("/api/v1/tasks", {"mine": "false", "sort": "-opened"}, "manager"),
        "certificates_first_page": ("/api/v1/certificates", {}, "manager"),
        "certificates_later_page": ("/api/v1/certificates", {"after": later_cursor}, "manager"),
        "certificates_rare_organization": ("/api/v1/certificates", {"organization": RARE_TERM}, "manager"),
        "certificates_by_next_due": ("/api/v1/certificates", {"sort": "next_due"}, "manager"),
        "certificates_by_expiry_desc": ("/api/v1/certificates", {"sort": "-valid_to"}, "manager"),
    }


async def _time_round_robin(calls: dict[str, Callable[[], Any]], count: int,
                            advance: Callable[..., None]) -> dict[str, tuple[list[float], int, int]]:
    """Each call ``count`` times after a warm-up, in turns (one of each per round), so that whatever else
    loads the machine meanwhile weighs on every list alike: latencies in ms, the last answer's size in bytes
    and its rows, by name."""
    for call in calls.values():
        for _ in range(WARM_UP):
            (await call()).raise_for_status()
    measured: dict[str, tuple[list[float], int, int]] = {name: ([], 0, 0) for name in calls}
    for _ in range(count):
        for name, call in calls.items():
            began = time.perf_counter()
            response = await call()
            elapsed = (time.perf_counter() - began) * 1000
            response.raise_for_status()
            latencies = measured[name][0]
            latencies.append(elapsed)
            measured[name] = (latencies, len(response.content), _rows(response.json()))
            advance()
    return measured


def _rows(body: Any) -> int:
    """How many rows an answer holds: a list's length, a page's items, none for anything else."""
    if isinstance(body, list):
        return len(body)
    return len(body.get("items", [])) if isinstance(body, dict) else 0


async def _cursor_halfway(http: httpx.AsyncClient, headers: dict[str, str], total: int) -> str:
    """The cursor a person paging through the register by number has in hand halfway through it."""
    size = min(MAX_PAGE, max(1, total // 4))  # at least two pages before the middle, whatever the scale
    url, params, seen = "/api/v1/certificates", {"limit": str(size)}, 0
    while True:
        response = await http.get(url, params=params, headers=headers)
        response.raise_for_status()
        seen += len(response.json()["items"])
        link = response.links.get("next", {}).get("url")
        if not link:
            raise RuntimeError("the certificate list ended before its middle")
        cursor = httpx.URL(link).params["after"]
        if seen >= total // 2:
            return cursor
        params = {"limit": str(size), "after": cursor}


async def measure_lists(stack: BenchStack, *, certificates: int, open_tasks: int, requests: int,
                        advance: Callable[..., None]) -> Figures:
    assert stack.pool is not None
    seeded = await seed_register(stack.pool, certificates=certificates, open_tasks=open_tasks,
                                 leader_id=stack.staff["leader"].id)
    tokens = stack.tokens
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=60) as http:
        manager = {"Authorization": f"Bearer {tokens['manager']}"}
        later = await _cursor_halfway(http, manager, certificates)
        calls: dict[str, Callable[[], Any]] = {BASELINE: lambda: http.get("/healthz")}
        for name, (path, params, who) in _lists(stack, later).items():
            headers = {"Authorization": f"Bearer {tokens[who]}"}

            def call(path: str = path, params: dict[str, Any] = params, headers: dict[str, str] = headers) -> Any:
                return http.get(path, params=params, headers=headers)

            calls[name] = call
        measured = await _time_round_robin(calls, requests, advance)
        baseline = measured.pop(BASELINE)[0]
        base_p95 = percentile(baseline, 0.95)
        lists: dict[str, Figures] = {}
        for name, (latencies, size, rows) in measured.items():
            p95 = percentile(latencies, 0.95)
            lists[name] = {"p50_ms": round(percentile(latencies, 0.5), 2), "p95_ms": round(p95, 2), "bytes": size,
                           "rows": rows, "ratio": ratio(p95, base_p95), "meets_goal": p95 <= GOAL_MS}
        rare = await http.get("/api/v1/certificates", params={"organization": RARE_TERM}, headers=manager)
        found_rare = [item["organization"] for item in rare.json()["items"]]
    worst = max(lists, key=lambda name: lists[name]["p95_ms"])
    return {
        "seeded": {"certificates": seeded.certificates, "open_tasks": seeded.open_tasks,
                   "organizations": seeded.organizations, "tasks_assigned_to_auditor": seeded.assigned_to_leader},
        "requests_per_list": requests, "goal_p95_ms": GOAL_MS,
        "baseline": {"what": "GET /healthz", "p50_ms": round(percentile(baseline, 0.5), 2),
                     "p95_ms": round(base_p95, 2)},
        "lists": lists,
        "rare_organization_found": found_rare == [RARE_ORGANIZATION],
        "worst": worst,
        "ratio": lists[worst]["ratio"],  # the slowest list's p95 over the bare round trip's
        "all_meet_goal": all(figures["meets_goal"] for figures in lists.values()),
    }


@bench("lists", "p50/p95 of the staff's task and certificate lists at 10,000 of each, against GET /healthz")
async def lists_bench(run: Run) -> Figures:
    certificates, open_tasks = run.count(10_000, minimum=20), run.count(10_000, minimum=20)
    requests = run.count(200, minimum=20)
    async with BenchStack(Path(run.workdir) / "lists") as stack:
        with run.progress("lists: requests", requests * (len(_lists(stack, "")) + 1)) as advance:
            return await measure_lists(stack, certificates=certificates, open_tasks=open_tasks,
                                       requests=requests, advance=advance)
