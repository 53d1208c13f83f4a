"""schemas.text: what the register, Temporal's histories and the documents can hold (issue 12, finding 3)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from schemas.text import Email, JsonObject, Line, Scrubbed, Text


class Form(BaseModel):
    text: Text = ""
    line: Line = ""
    email: Email | None = None
    data: JsonObject = {}


def refusal(**fields) -> str:
    with pytest.raises(ValidationError) as caught:
        Form(**fields)
    (error,) = caught.value.errors()
    return f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"


@pytest.mark.parametrize("char, named", [
    ("\x00", "U+0000 (NUL)"), ("\x01", "U+0001"), ("\x1b", "U+001B"), ("\x1f", "U+001F"),
    ("\x7f", "U+007F (DELETE)"), ("\x85", "U+0085"), ("\x9f", "U+009F"),
    ("\ud800", "U+D800 (a lone surrogate"), ("\udfff", "U+DFFF (a lone surrogate"),
])
def test_text_refuses_what_cannot_be_kept_naming_the_character_and_where(char, named):
    message = refusal(text=f"申请{char}书")
    assert message.startswith("text: ") and named in message and "at position 2" in message


def test_text_keeps_tabs_line_breaks_and_every_other_character():
    kept = "甲\t乙\n丙\r\n丁\u2028\ufeff\uffff\u202e\U00020000\U0001f600 é"
    assert Form(text=kept).text == kept


@pytest.mark.parametrize("char", ["\n", "\r", "\t", "\u2028", "\u2029"])
def test_a_line_is_one_line(char):
    assert "single line" in refusal(line=f"示例{char}公司")


def test_e_mail_addresses_are_checked_by_syntax_without_dns():
    assert Form(email="Li <Li@Body.Example>").email == "Li@body.example"  # normalized, .example accepted
    assert Form(email="张三@例子.中国").email == "张三@例子.中国"
    for wrong in ("li", "li@localhost", "li@body.test", "li@body.invalid", "li@@body.cn", "li\x00@body.cn"):
        assert refusal(email=wrong).startswith("email: ")


def test_a_free_json_object_is_text_at_every_depth_and_says_where():
    assert "data: a.1.b: U+0000" in refusal(data={"a": [1, {"b": "x\x00"}]})
    assert "a key in a.0" in refusal(data={"a": [{"k\ud800": 1}]})
    assert Form(data={"a": [1, None, {"b": "行\n行"}], "n": 2.5}).data["a"][2]["b"] == "行\n行"


def test_text_of_our_own_making_is_kept_and_made_storable():
    class Failure(BaseModel):
        error: Scrubbed

    assert Failure(error="invalid byte sequence: 0x00 in 'a\x00b'; half \ud800").error == (
        "invalid byte sequence: 0x00 in 'a\\u0000b'; half \\ud800")
