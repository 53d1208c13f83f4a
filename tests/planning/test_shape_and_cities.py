"""The proposed shape of an audit (whole person-days: R-9.1.2.7 / R-A.n1b / R-A.n1c minimum, R-A.n1a on-site
share, the policy's team size and days) and the cities travel is counted from."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planning.cities import city_of_address, normalize_city, same_city, travels
from planning.shape import Shape, audit_shape
from rules.audit_time import check_onsite_days
from schemas.scheduling import AuditDemand, SchedulingPolicy


def demand(days: str, stage1: bool = False) -> AuditDemand:
    return AuditDemand(key="a", kind="initial", earliest=date(2027, 3, 1), latest=date(2027, 4, 1),
                       person_days=Decimal(days), stage1=stage1)


@pytest.mark.parametrize(("days", "stage1", "shape"), [
    ("1", False, Shape(1, 1, False)),  # R-A.n1b's 1-day floor: one auditor, one day
    ("0.5", False, Shape(1, 1, False)),  # whole days, rounded up
    ("2", False, Shape(1, 2, False)),  # one auditor two days before two auditors one day: same total
    ("3.5", False, Shape(2, 2, False)),  # 4 days: one auditor cannot stay 4 days (max_onsite_days 3)
    # stage 1 adds a day off site: 2 + 1 = 3 ≥ 2.5 but only 67 % on site (R-A.n1a), so 4 on site + 1
    ("2.5", True, Shape(2, 2, True)),
    ("4.5", True, Shape(2, 2, True)),  # 4 + 1 = 5 ≥ 4.5, 80 % on site exactly
    ("12", False, Shape(4, 3, False)),
])
def test_the_smallest_whole_total_then_the_smallest_team(days, stage1, shape):
    assert audit_shape(demand(days, stage1), SchedulingPolicy()) == shape


def test_no_shape_beyond_the_policys_team_and_days():
    assert audit_shape(demand("13"), SchedulingPolicy()) is None  # 4 × 3 = 12 at most
    assert audit_shape(demand("13"), SchedulingPolicy(max_team_size=5)) == Shape(5, 3, False)
    assert audit_shape(demand("2", stage1=True), SchedulingPolicy(max_team_size=1, max_onsite_days=3)) is None


@given(st.integers(1, 30).map(lambda n: Decimal(n) / 2), st.booleans(), st.integers(1, 6), st.integers(1, 5))
def test_every_shape_keeps_the_minimum_and_r_a_n1a(days, stage1, team, onsite):
    policy = SchedulingPolicy(max_team_size=team, max_onsite_days=onsite)
    shape = audit_shape(demand(str(days), stage1), policy)
    if shape is None:
        return
    assert shape.person_days >= days and shape.team_size <= team and shape.onsite_days <= onsite
    check_onsite_days(Decimal(shape.person_days), Decimal(shape.onsite_person_days))  # R-A.n1a
    # nothing smaller would do: one person-day less misses the minimum or the share
    smaller = [(k, d) for k in range(1, team + 1) for d in range(1, onsite + 1)
               if k * d + stage1 < shape.person_days and k * d + stage1 >= days and (k * d) * 5 >= (k * d + stage1) * 4]
    assert not smaller


@pytest.mark.parametrize(("address", "city"), [
    ("广东省深圳市南山区科技园南区", "深圳"),
    ("上海市浦东新区张江路 1 号", "上海"),
    ("北京市海淀区", "北京"),
    ("浙江省杭州市西湖区文三路", "杭州"),
    ("广西壮族自治区南宁市青秀区", "南宁"),
    ("杭州市余杭区", "杭州"),
    ("南山区科技园", ""),
    ("", ""),
])
def test_city_of_address(address, city):
    assert city_of_address(address) == city


def test_cities_match_without_their_shi_and_blanks():
    assert normalize_city(" 上海市 ") == "上海" and same_city("上海市", "上海") and not same_city("上海", "北京")
    assert travels("北京", "上海市") and not travels("上海 ", "上海市")
    assert not travels("", "上海") and not travels("上海", "")  # an unknown city is no travel
