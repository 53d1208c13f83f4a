"""GET /api/v1/catalogue (issue 13, R-6): the items the on-site results must name, their maxima, and
the levels with their conditions, flagged illustrative while the shipped catalogue is."""

from __future__ import annotations

from rules.rating import default_catalogue
from schemas.staff import Role


async def test_every_role_reads_the_items_and_levels_R_6(http, staff):
    _, token = await staff(Role.MYSTERY_SHOPPER)
    answer = await http.get("/api/v1/catalogue", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["illustrative"] is True and "ILLUSTRATIVE" in body["note"]
    shipped = default_catalogue()
    assert [i["id"] for i in body["items"]] == [i.id for i in shipped.items]
    first = body["items"][0]
    assert (first["section"], first["section_title"]) == ("1.0", "Strategy and leadership")
    assert float(first["max_method"]) == float(shipped.items[0].max_method)
    assert [lv["level"] for lv in body["levels"]] == ["compliant", "three_star", "four_star", "five_star"]
    five = body["levels"][-1]
    assert five["rule_id"] == "R-6.L5"
    each = [c for c in five["conditions"] if c["aggregation"] == "each"]
    assert each and all(c["sections"] == ["1.0", "2.0", "3.0", "4.0"] for c in each)
    total = [c for c in five["conditions"] if c["metric"] == "total_score"]
    assert [float(c["minimum"]) for c in total] == [3380.0]


async def test_the_catalogue_needs_a_token(http):
    answer = await http.get("/api/v1/catalogue")
    assert answer.status_code == 401
