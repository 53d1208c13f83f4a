"""The forms drawn from a JSON schema and read back (api/pages/forms.py): paths for nested objects and
rows, blank rows left out, a list of strings one per line or one per ticked box, types as the schema
says, the API's errors put beside their fields."""

from __future__ import annotations

from api.pages.forms import SchemaForm, field_errors
from schemas.payloads import TASK_PAYLOADS
from tests.pages.page_forms import form_pairs


def _names(fields) -> list[str]:
    found = []
    for f in fields:
        found.append(f.name)
        found += _names(f.children)
        for row in f.rows:
            found += _names(row)
    return found


def test_a_surveillance_programme_is_drawn_and_read_back_with_its_lists():
    form = SchemaForm(TASK_PAYLOADS["surveillance_programme"].model_json_schema())
    names = _names(form.fields())
    assert "programme.team[0].staff_id" in names and "sampling.clauses" in names
    assert not any(n.startswith("programme.visits[") for n in names)  # optional rows: only "add a row"
    sent = [("programme.objectives", "监督"), ("programme.team[0].staff_id", "a"), ("programme.team[0].role", "leader"),
            ("programme.team[1].staff_id", ""), ("programme.team[1].role", ""),  # a blank row
            ("sampling.clauses", "4.2\n 5.1 \n\n"),  # one per line
            ("sampling.departments", "客服部"), ("sampling.departments", "质检部"),  # one per ticked box
            ("_csrf", "x")]
    assert form.payload(sent) == {
        "programme": {"objectives": "监督", "team": [{"staff_id": "a", "role": "leader"}]},
        "sampling": {"clauses": ["4.2", "5.1"], "departments": ["客服部", "质检部"]}}


def test_what_a_form_sends_is_what_the_payload_was():
    payload = {"items": [{"item_id": "1.1", "method_compliant": True, "executed": False, "method_score": "4",
                          "execution_score": "0"}],
               "findings": [{"kind": "observation", "description": "记录\n不全"}]}
    form = SchemaForm(TASK_PAYLOADS["onsite_audit"].model_json_schema())
    assert form.payload(form_pairs(payload)) == payload


def test_the_api_s_errors_go_beside_their_fields():
    problem = {"errors": [{"loc": ["body", "payload", "team", 0, "staff_id"], "msg": "Field required"},
                          {"loc": ["objectives"], "msg": "too short"}, {"loc": [], "msg": "whole"}]}
    assert field_errors(problem, prefix=("payload",)) == {"team[0].staff_id": "Field required",
                                                         "objectives": "too short", "": "whole"}
