"""R-9.1.9: the decision's 10 working days, and what "more information" does to them (a Decision)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rules.calendar import add_working_days
from rules.policy import ProcessPolicy, SchemePolicy


@pytest.mark.parametrize("clock", ["restart", "continue"])
async def test_the_decision_clock_after_more_information_R_9_1_9(journey, clock):
    p = journey.people
    journey.policy = SchemePolicy(process=ProcessPolicy(decision_clock_after_answer=clock))
    await journey.to_audit()
    await journey.through_audit()
    first = await journey.task("certification_decision")
    await journey.complete("certification_decision", p.decision_maker,
                           {"outcome": "more_information", "questions": "请说明整改证据"})
    await journey.env.sleep(timedelta(days=4))  # the answer takes a few days
    await journey.complete("more_information", p.programme_manager, {"answer": "证据已补充"})
    answered_on = await journey.today()
    second = await journey.task("certification_decision")
    if clock == "restart":
        assert second.due_on == add_working_days(answered_on, 10).date > first.due_on
    else:
        assert second.due_on == first.due_on
