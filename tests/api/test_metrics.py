"""GET /metrics (issue 16): Prometheus's text format with the API's requests by route template and the
register's counts read when scraped, moving as work happens."""

from __future__ import annotations

from datetime import date, timedelta

from prometheus_client.parser import text_string_to_metric_families

from schemas.staff import Role

from .test_api import bearer
from .test_inbox_pages import open_review


async def scrape(http) -> dict[tuple[str, tuple], float]:
    answer = await http.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(answer.text) for s in family.samples}


async def test_requests_are_counted_by_route_template_not_by_path(http, staff):
    _, token = await staff(Role.REVIEWER)
    before = await scrape(http)
    for task in ("certification-a/application_review/1", "certification-b/application_review/1"):
        assert (await http.get(f"/api/v1/tasks/{task}", headers=bearer(token))).status_code == 404
    after = await scrape(http)
    key = ("certflow_api_requests_total",
           (("method", "GET"), ("route", "/api/v1/tasks/{task_id}"), ("status", "404")))
    assert after.get(key, 0) - before.get(key, 0) == 2, [k for k in after if k[0] == key[0]]
    assert not [k for k in after if "certification-a" in str(k)]  # no concrete path becomes a label
    timed = ("certflow_api_request_seconds_count", (("method", "GET"), ("route", "/api/v1/tasks/{task_id}")))
    assert after[timed] >= 2


async def test_open_and_overdue_tasks_move_with_the_register(http, pool, staff):
    today = date.today()
    before = await scrape(http)
    kind = (("kind", "application_review"),)
    await open_review(pool, "m-late", today - timedelta(days=3))
    await open_review(pool, "m-soon", today + timedelta(days=3))
    after = await scrape(http)
    assert after[("certflow_open_tasks", kind)] - before.get(("certflow_open_tasks", kind), 0) == 2
    assert after[("certflow_overdue_tasks", kind)] - before.get(("certflow_overdue_tasks", kind), 0) == 1
