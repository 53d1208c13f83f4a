"""The form macro (api/templates/_form.html) draws every kind of field SchemaForm makes: a label for each
input, the hint and the error tied to it, radios for yes/no and short choices, a select for longer ones
or for people, a fieldset per group and per row, boxes for a list of strings with options."""

from __future__ import annotations

import re
import uuid
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from api.pages.form_tools import find_field, one_more_row, rows_sent, ticked
from api.pages.forms import SchemaForm
from api.pages.i18n import translator
from api.pages.render import _environment


class Short(StrEnum):
    A = "a"
    B = "b"


class Long(StrEnum):
    ONE = "one"
    TWO = "two"
    THREE = "three"
    FOUR = "four"
    FIVE = "five"


class Member(BaseModel):
    staff_id: uuid.UUID
    note: str | None = None


class Everything(BaseModel):
    line: str = Field(pattern=r"^[^\n]*$", description="one line")
    text: str = Field("默认", description="several lines")
    number: float | None = None
    count: int = 3
    day: date
    sure: bool
    short: Short
    long: Long | None = None
    lead_id: uuid.UUID | None = None
    team: list[Member] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


def drawn(fields, **values) -> str:
    template = _environment.from_string('{% from "_form.html" import form_fields with context %}'
                                        '{{ form_fields(fields, people=people, add_rows=add_rows, prefix=prefix) }}')
    return template.render(fields=fields, t=translator("zh"), **{"people": None, "add_rows": False, "prefix": "",
                                                                  **values})


def test_every_kind_of_field_is_drawn_with_its_label_hint_and_error():
    form = SchemaForm(Everything.model_json_schema(), "zh")
    fields = form.fields({"sure": False, "short": "b", "team": [{"staff_id": "x"}]},
                         {"line": "太长", "team[0].staff_id": "不是员工"})
    find_field(fields, "tags").options = [("red", "红"), ("blue", "蓝")]
    html = drawn(fields)
    # Every input, select and textarea has a label naming its id, and the ids are unique.
    ids = re.findall(r'<(?:input|select|textarea) id="([^"]+)"', html)
    assert ids and len(ids) == len(set(ids))
    assert all(f'<label for="{i}">' in html for i in ids)
    assert re.search(r'<input id="f-line" name="line" value="" type="text" '
                     r'aria-describedby="f-line-hint f-line-error" aria-invalid="true" aria-required="true">', html)
    assert '<p class="field-error" id="f-line-error">太长</p>' in html
    assert re.search(r'<textarea id="f-text" name="text" rows="3" placeholder="默认"', html)
    assert 'id="f-number" name="number" value="" type="text" inputmode="decimal"' in html
    assert 'id="f-count" name="count" value="" type="text" inputmode="numeric" placeholder="3"' in html
    assert 'id="f-day" name="day" value="" type="date"' in html
    assert re.search(r'<input type="radio" name="sure" value="false" checked>', html)  # yes/no as radios
    assert re.search(r'role="radiogroup" id="f-short"', html) and 'name="short" value="b" checked' in html
    assert '<select id="f-long" name="long"' in html  # five choices: a select
    assert 'id="f-lead_id" name="lead_id" value="" type="text"' in html  # no people given: an id to type
    assert "<legend>第 1 行</legend>" in html and 'aria-invalid="true"' in html.split('id="f-team-0--staff_id"')[1]
    assert re.findall(r'type="checkbox" name="tags" value="(\w+)"', html) == ["red", "blue"]
    assert 'name="_add"' not in html and 'required' not in html.replace("aria-required", "")


def test_people_prefix_and_one_more_row():
    fields = SchemaForm(Everything.model_json_schema(), "zh").fields({}, {}, {"team": 1})
    someone = uuid.uuid4()
    html = drawn(fields, people=[{"id": someone, "name": "审查员赵", "note": "R-7 合格"}], add_rows=True,
                 prefix="x-")
    assert f'<option value="{someone}">审查员赵 (R-7 合格)</option>' in html
    assert '<select id="x-f-lead_id" name="lead_id"' in html and '<label for="x-f-lead_id">' in html
    assert html.count('<fieldset class="row">') == 2
    assert '<button type="submit" name="_add" value="team" class="add-row">' in html


def test_the_form_tools_read_boxes_and_count_rows():
    pairs = [("a", "1"), ("tags", "red"), ("team[0].staff_id", ""), ("tags", "blue"), ("tags", "red"),
             ("team[2].note", "")]
    assert ticked(pairs, "tags") == ([("a", "1"), ("team[0].staff_id", ""), ("team[2].note", "")], ["red", "blue"])
    assert rows_sent(pairs, "team") == 3 and rows_sent(pairs, "crew") == 0
    assert one_more_row(pairs, {}, "team") == {"team": 3}  # three blank rows sent (one drawn anyway): four
    assert one_more_row(pairs, {"team": [{"staff_id": "x"}]}, "team") == {"team": 3}
