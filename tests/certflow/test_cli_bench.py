"""`certflow bench` refuses what it cannot run before starting anything (issue 17)."""

from __future__ import annotations

import pytest

from certflow.cli import main


@pytest.mark.parametrize("scale", ["0", "-1", "nan", "inf"])
def test_a_scale_that_is_not_a_positive_number_is_refused(scale, capsys):
    assert main(["bench", "lists", "--scale", scale]) == 2
    assert "--scale must be a number above 0" in capsys.readouterr().err


def test_an_unknown_benchmark_is_named_and_refused(capsys):
    assert main(["bench", "lists", "no-such-bench"]) == 2
    assert "no benchmark named no-such-bench" in capsys.readouterr().err


def test_list_names_every_benchmark_and_marks_the_slow_ones(capsys):
    assert main(["bench", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert {line.split()[0] for line in lines} >= {"lists", "complete", "lifecycle", "engine", "life", "memory"}
    assert [line.split()[0] for line in lines if line.endswith("(slow)")] == ["life", "memory"]
