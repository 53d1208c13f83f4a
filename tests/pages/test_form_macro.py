"""The form macro (api/templates/_form.html) draws every kind of field SchemaForm makes: a label for each
input, the hint and the error tied to it, radios for yes/no and short choices, a select for longer ones
or for people, a fieldset per group and per row, boxes for a list of strings with options."""

from __future__ import annotations

import re
import uuid
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from api.pages.form_tools import find_field, one_more_row, rows_sent
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
    template = _environment.from_string('{% import "_form.html" as forms %}'
                                        '{{ forms.form_fields(fields, t, people, {}, add_rows, prefix) }}')
    return template.render(fields=fields, t=translator("zh"), **{"people": {}, "add_rows": False, "prefix": "",
                                                                  **values})


def test_every_kind_of_field_is_drawn_with_its_label_hint_and_error():
    form = SchemaForm(Everything.model_json_schema(), "zh")
    fields = form.fields({"sure": False, "short": "b", "team": [{"staff_id": "x"}]},
                         {"line": "太长", "team[0].staff_id": "不是员工"})
    find_field(fields, "tags").options = [("red", "红"), ("blue", "蓝")]
    html = drawn(fields)
    # Every input, select and textarea has a label naming its id, and the ids are unique.
    ids = re.findall(r'<(?:input|select|textarea) [^>]*?\sid="([^"]+)"', html)
    assert ids and len(ids) == len(set(ids))
    assert all(f'<label for="{i}">' in html for i in ids)
    assert re.search(r'<input type="text" id="f-line" name="line" required aria-required="true" '
                     r'aria-describedby="f-line-hint f-line-error" aria-invalid="true" value="">', html)
    assert '<p class="field-error" id="f-line-error">太长</p>' in html
    assert re.search(r'<textarea id="f-text" name="text" aria-describedby="f-text-hint" rows="3" placeholder="默认"',
                     html)
    assert '<input type="text" inputmode="decimal" id="f-number" name="number" value="">' in html
    assert '<input type="number" step="1" id="f-count" name="count" value="" placeholder="3">' in html
    assert '<input type="date" id="f-day" name="day" required aria-required="true" value="">' in html
    assert re.search(r'<input type="radio" name="sure" value="false" checked required>', html)  # yes/no: radios
    assert re.search(r'role="radiogroup" id="f-short"', html) and 'name="short" value="b" checked' in html
    assert '<select id="f-long" name="long"' in html  # five choices: a select
    assert re.search(r'<input type="text" class="mono" [^>]*id="f-lead_id"', html)  # no people: an id to type
    assert "<legend>第 1 行</legend>" in html
    assert 'aria-invalid="true"' in html.split('id="f-team-0--staff_id"')[1].split(">")[0]
    assert '<p class="field-error" id="f-team-0--staff_id-error">不是员工</p>' in html
    assert re.findall(r'type="checkbox" name="tags" value="(\w+)"', html) == ["red", "blue"]
    assert 'name="_add"' not in html


def test_people_prefix_and_one_more_row():
    fields = SchemaForm(Everything.model_json_schema(), "zh").fields({}, {}, {"team": 1})
    someone = uuid.uuid4()
    html = drawn(fields, people={"staff": [(someone, "审查员赵（R-7 合格）")]}, add_rows=True, prefix="x-")
    assert f'<option value="{someone}">审查员赵（R-7 合格）</option>' in html
    assert '<select id="x-f-lead_id" name="lead_id"' in html and '<label for="x-f-lead_id">' in html
    assert html.count('<fieldset class="row">') == 1  # an optional list: the row asked for, no other
    assert '<button type="submit" name="_add" value="team" class="add-row" formnovalidate>' in html


def test_the_task_pages_call_draws_every_choice_as_a_select():
    fields = SchemaForm(Everything.model_json_schema(), "zh").fields({"short": "a"})
    html = _environment.from_string('{% import "_form.html" as forms %}{{ forms.fields(fields, {}, {}, t) }}').render(
        fields=fields, t=translator("zh"))
    assert '<select id="f-short" name="short" required aria-required="true">' in html
    assert '<option value="a" selected>' in html and 'type="radio" name="sure"' in html


def test_the_form_tools_read_boxes_and_count_rows():
    pairs = [("a", "1"), ("tags", "red"), ("team[0].staff_id", ""), ("tags", "blue"), ("tags", "red"),
             ("team[2].note", "")]
    tags = {"properties": {"tags": {"type": "array", "items": {"type": "string"}}}}
    assert SchemaForm(tags).payload(pairs) == {"tags": ["red", "blue"]}  # the boxes ticked, in order, each once
    assert rows_sent(pairs, "team") == 3 and rows_sent(pairs, "crew") == 0
    assert one_more_row(pairs, {}, "team") == {"team": 4}  # three blank rows sent: four
    assert one_more_row(pairs, {}, "team", blank_rows=1) == {"team": 3}  # a required list draws one itself
    assert one_more_row(pairs, {"team": [{"staff_id": "x"}]}, "team") == {"team": 3}
