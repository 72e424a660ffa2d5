"""CLOSERATES, SUGGESTRULES, ICP and SCORECARD called the way xlwings' COM server calls them."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from test_closerates import AS_OF, auc, synthetic_deals

import leadscore_udfs as udfs
from leadscore_xl.closerates.rates import CLOSERATES_HEADER, RULES_HEADER, close_rates, ideal_profile, suggest_rules
import xlharness
from xlharness import MISSING, call, call1

pytestmark = pytest.mark.usefixtures("harness_mode")  # classic and xlwings Lite

DEALS, WON = synthetic_deals(600, seed=3)
# as Excel hands them over: an error cell, a blank, a date typed into a text column
RAW = [list(r) for r in DEALS]
RAW[5][2], RAW[6][3], RAW[7][5] = "#N/A", None, dt.datetime(2026, 1, 2)


def cells(rows: list[list[object]]) -> list[list[object]]:
    """What Excel shows for core rows: blanks and NaN as empty cells."""
    return [["" if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in r] for r in rows]


def test_metadata_recorded_by_the_real_windows_decorators() -> None:
    expected = {
        "CLOSERATES": ["deals", "outcome", "attributes", "bins", "as_of"],
        "SUGGESTRULES": ["deals", "outcome", "attributes", "bins", "as_of", "min_leads", "top"],
        "ICP": ["deals", "outcome", "attributes", "bins", "as_of", "min_leads", "top"],
        "SCORECARD": ["model", "deals", "scaling", "base_score", "base_odds", "pdo", "bins", "as_of"],
    }
    for name, args in expected.items():
        info = getattr(udfs, name).__xlfunc__
        assert info["name"] == name and info["category"] == "LeadScore XL" and name in udfs.__all__
        assert [a["name"] for a in info["args"]] == args
        assert info["args"][0]["options"]["ndim"] == 2
        assert all("optional" in a for a in info["args"][2:]) and info["ret"]["doc"]


def _dates() -> object:
    """The bins argument: xlwings Lite sends dates as serial numbers, so Lite users name
    their date columns ("Created: dates"); classic xlwings sends dates."""
    return "Created: dates" if xlharness.MODE == "lite" else MISSING


def test_closerates_spills_the_core_table() -> None:
    out = call(udfs.CLOSERATES, RAW, "Outcome", MISSING, _dates(), AS_OF)
    core = close_rates(RAW, "Outcome", as_of=AS_OF).to_rows()
    assert out == cells(core)
    assert out[0] == list(CLOSERATES_HEADER)
    region = [r for r in out if r[0] == "Region"]
    # a date typed into a text column is a value of its own, shown (and matched by a rule) as its serial
    assert [r[1] for r in region] == ["North", "South", 46024.0, "Total"]
    assert region[-1][2:5] == [600, int(WON.sum()), pytest.approx(WON.mean())]


def test_closerates_with_attributes_range_and_bins() -> None:
    out = call(udfs.CLOSERATES, RAW, [["Outcome"]], [["Employees", "Newsletter"]], "Employees: 20; 100", AS_OF)
    assert [r[1] for r in out[1:]] == ["< 20", "20 to 99", ">= 100", "Missing", "Total", True, False, "Total"]
    assert out[4][2] == 1  # the blank Employees cell


def test_suggestrules_pasted_into_leadscores_ranks_won_above_lost() -> None:
    rules = call(udfs.SUGGESTRULES, RAW, "Outcome", MISSING, _dates(), AS_OF, 20.0, MISSING)
    assert rules == cells(suggest_rules(close_rates(RAW, "Outcome", as_of=AS_OF), 20).to_rows())
    assert rules[0] == list(RULES_HEADER)
    scores = call(udfs.LEADSCORES, RAW, rules, MISSING, AS_OF)
    values = np.array([s[0] for s in scores], dtype=float)
    assert auc(values, WON) > 0.6


def test_icp_spills_the_profile() -> None:
    out = call(udfs.ICP, RAW, "Outcome", MISSING, _dates(), AS_OF, MISSING, 1.0)
    rates = close_rates(RAW, "Outcome", as_of=AS_OF)
    assert out == cells(ideal_profile(rates, 1, 10).to_rows())
    assert [r[0] for r in out[1:-2]] == [a.name for a in rates.ranked() if a.iv >= 0.02]
    assert out[-2:] == [[""] * 8, ["Warning", str(rates.warnings[0])] + [""] * 6]  # skipped Lead ID and Email
    assert ["Industry", "Software"] in [r[:2] for r in out]


def test_closerates_and_icp_show_warnings_in_the_spill() -> None:
    """The reviewer's t13: blank outcomes and a skipped identifier column, through xlwings' conversion."""
    rows = [["Lead ID", "Source", "Outcome"]] + [[f"L{i}", ["Web", "Event"][i % 2], ["Won", "Lost", None][i % 3]]
                                                 for i in range(30)]  # fmt: skip
    out = call(udfs.CLOSERATES, rows, "Outcome")
    assert out[4] == [""] * 9 and out[5][:2] == ["Warning", "10 deals with a blank outcome (still open?) were left out"]
    assert out[6][0] == "Warning" and '"Lead ID"' in out[6][1] and out[6][2:] == [""] * 7
    icp = call(udfs.ICP, rows, "Outcome", MISSING, MISSING, MISSING, 1.0)
    assert icp[0][0].startswith("No attribute tells won from lost deals") and icp[2][0] == "Warning"
    rules = call(udfs.SUGGESTRULES, RAW, "Outcome", MISSING, MISSING, AS_OF)
    assert all(r[0] != "Warning" for r in rules)  # a pasteable Rules table, though RAW has skipped identifiers


def test_scorecard_pdo_through_the_harness() -> None:
    model = [["Term", "Variable", "Level", "Coef"], ["Intercept", "Intercept", None, math.log(50)],
             ["Source: Referral", "Source", "Referral", math.log(2)]]  # fmt: skip
    out = call(udfs.SCORECARD, model, MISSING, "PDO", 600.0, 50.0, 20.0)
    assert out[1:] == [["Base points", "Base", "", "always", "", 600.0],
                       ["Source: Referral", "Model", "Source", "=", "Referral", 20.0]]  # fmt: skip
    settings = [["Setting", "Value"], ["Score max", 1000.0]]
    assert call(udfs.LEADSCORES, [["Source"], ["Referral"], ["Web"]], out, settings) == [[620.0], [600.0]]
    linear = call(udfs.SCORECARD, model)
    assert linear[1:] == [["Source: Referral", "Model", "Source", "=", "Referral", 100.0]]


def test_scorecard_bins_numbers_from_the_deals() -> None:
    model = [["Term", "Variable", "Level", "Coef"], ["Intercept", "Intercept", None, -1.0],
             ["Employees", "Employees", None, 0.01]]  # fmt: skip
    out = call(udfs.SCORECARD, model, RAW, MISSING, MISSING, MISSING, MISSING, 3.0)
    assert [r[3] for r in out[1:]] == ["<", "between", ">="]
    assert [r[5] for r in out[1:]] == sorted(r[5] for r in out[1:])  # more employees, more points


@pytest.mark.parametrize(
    ("func", "args", "message"),
    [
        (udfs.CLOSERATES, (RAW, "Result"), 'outcome column "Result" is not a Deals column'),
        (udfs.CLOSERATES, ([["A", "Outcome"], ["x", "Maybe"]], "Outcome"), 'outcome "Maybe" in column "Outcome" is not an outcome'),
        (udfs.CLOSERATES, (RAW, "Outcome", MISSING, 50.0), 'Bins "50" is not a whole number from 2 to 20'),
        (udfs.SUGGESTRULES, (RAW, "Outcome", MISSING, MISSING, MISSING, "ten"), 'Min leads "ten" is not a whole number'),
        (udfs.ICP, (RAW, "Outcome", MISSING, MISSING, MISSING, MISSING, 0.0), 'Top "0" is not a whole number of at least 1'),
        (udfs.SCORECARD, ([["Term", "Variable", "Level", "Coef"], ["Intercept", "Intercept", None, 1.0]], MISSING, "PDO", MISSING, -5.0),
         "Base odds and PDO must be above 0"),
    ],
)  # fmt: skip
def test_bad_input_gives_one_line_in_the_cell(func, args, message) -> None:  # type: ignore[no-untyped-def]
    text = call1(func, *args)
    assert message in text and "\n" not in text and "Traceback" not in text
