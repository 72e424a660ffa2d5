"""Whole numbers as int (xlwings Lite) take the same fast paths as floats (classic xlwings).

Not a timed test: the number of Python-level calls a score costs is counted with
``sys.setprofile`` and must not grow when the numbers are ints, and the results must
be equal.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent / "benchmarks"))

import _data  # noqa: E402
from bench_scoring import AS_OF, as_ints  # noqa: E402

from leadscore_xl.rules import api  # noqa: E402
from leadscore_xl.sheet.column import convert_column  # noqa: E402


def calls(f: Any) -> int:
    """Python function calls (and C calls) made while ``f()`` runs."""
    count = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        f()
    finally:
        sys.setprofile(None)
    return count


def test_leadscore_with_ints_costs_no_more_calls_than_with_floats() -> None:
    values, rules = _data.leads(50, seed=3), _data.rules(40)
    ints, int_rules = as_ints(values), as_ints(rules)
    assert any(type(v) is int for row in ints[1:] for v in row)
    for floats_row, ints_row in zip(values[1:], ints[1:]):
        score = api.lead_score([floats_row], [values[0]], rules, None, AS_OF)
        assert api.lead_score([ints_row], [ints[0]], int_rules, None, AS_OF) == score
        by_float = calls(lambda: api.lead_score([floats_row], [values[0]], rules, None, AS_OF))
        by_int = calls(lambda: api.lead_score([ints_row], [ints[0]], int_rules, None, AS_OF))
        assert by_int <= by_float


def test_leadscores_with_ints_equal_floats_and_a_number_column_converts_alike() -> None:
    values, rules = _data.leads(300, seed=5), _data.rules(40)
    ints, int_rules = as_ints(values), as_ints(rules)
    settings = [["As-of date", AS_OF]]
    floats_out = api.score_leads(values, rules, settings).to_rows(("Score", "Grade"))
    assert api.score_leads(ints, int_rules, settings).to_rows(("Score", "Grade")) == floats_out
    column = [float(i % 7) for i in range(1000)]
    as_int = [int(v) for v in column]
    assert (convert_column("n", as_int).num == convert_column("n", column).num).all()
    # ints go through int64 then one astype for the whole column: no call per cell
    assert calls(lambda: convert_column("n", as_int)) <= calls(lambda: convert_column("n", column)) + 1
    assert calls(lambda: convert_column("n", as_int * 10)) == calls(lambda: convert_column("n", as_int))
