"""The scoring functions called the way xlwings' COM server calls them (tests/xlharness.py)."""

from __future__ import annotations

import datetime as dt

import pytest

import leadscore_udfs as udfs
from xlharness import MISSING, call, call1

pytestmark = pytest.mark.usefixtures("harness_mode")  # classic and xlwings Lite

HEADERS = ["Lead ID", "Job Title", "Employees", "Unsubscribed", "Last visit"]
LEADS = [
    HEADERS,
    ["L1", " VP Sales ", 500.0, False, dt.datetime(2026, 3, 25)],
    ["L2", "Analyst", "#N/A", True, None],
    ["L3", None, None, None, None],
    ["L4", "director", 50.0, None, dt.datetime(2025, 1, 1)],
]
RULES = [
    ["Rule", "Group", "Attribute", "Operator", "Value", "Points", "Half-life (days)"],
    ["Senior title", "Fit", "Job Title", "in", "VP Sales; Director", 30.0, None],
    ["Big company", "Fit", "Employees", ">=", 200.0, 25.0, None],
    ["Unsubscribed", "Engagement", "Unsubscribed", "=", True, -20.0, None],
    ["Recent visit", "Engagement", "Last visit", "is not blank", None, 20.0, 10.0],
]
SETTINGS = [["Setting", "Value"], ["Cap Fit", 50.0], ["As-of date", dt.datetime(2026, 3, 31)]]


def test_metadata_recorded_by_the_real_windows_decorators() -> None:
    info = udfs.LEADSCORES.__xlfunc__
    assert info["name"] == "LEADSCORES" and info["category"] == "LeadScore XL"
    assert [a["name"] for a in info["args"]] == ["leads", "rules", "settings", "as_of", "outputs"]
    assert info["args"][0]["options"]["ndim"] == 2 and info["args"][2]["optional"] is None
    assert "fast path" in info["ret"]["doc"]
    for name in udfs.__all__:
        assert getattr(udfs, name).__xlfunc__["name"] == name


def test_leadscores_spills_one_row_per_lead_with_unscored_and_decay() -> None:
    out = call(udfs.LEADSCORES, LEADS, RULES, SETTINGS, MISSING, "Score; Grade; Route; Matrix")
    # L1: 30 + 25 capped at 50, plus 20 * 0.5^(6/10); L2: -20 -> clamped 0; L3: all blank; L4: 30 + decayed ~0
    decay = 20 * 0.5 ** (6 / 10)
    assert out[0][:3] == [pytest.approx(50 + decay), "MQL", "Sales"]
    assert out[1] == [0.0, "Cold", "Marketing", "D4"]
    assert out[2] == ["UNSCORED", "Unscored", "Review", "UNSCORED"]
    assert out[3][0] == pytest.approx(30 + 20 * 0.5 ** (454 / 10))
    assert out[0][3] == "A3"


def test_leadscore_matches_leadscores_and_takes_the_settings_as_of() -> None:
    column = call(udfs.LEADSCORES, LEADS, RULES, SETTINGS)
    for row, expected in zip(LEADS[1:], column):
        assert call1(udfs.LEADSCORE, row, HEADERS, RULES, SETTINGS) == expected[0]


def test_serial_dates_and_datetimes_give_the_same_scores() -> None:
    serial_leads = [LEADS[0]] + [r[:4] + [46106.0 if r[4] == dt.datetime(2026, 3, 25) else r[4]] for r in LEADS[1:]]
    serial_leads[4][4] = 45658.0  # 2025-01-01
    with_dates = call(udfs.LEADSCORES, LEADS, RULES, SETTINGS)
    with_serials = call(udfs.LEADSCORES, serial_leads, RULES, [["Cap Fit", 50.0], ["As-of date", 46112.0]])
    assert with_serials == with_dates


def test_leadexplain_adds_up_to_leadscore() -> None:
    rows = call(udfs.LEADEXPLAIN, LEADS[1], HEADERS, RULES, SETTINGS)
    assert rows[0][:3] == ["Rule", "Group", "Condition"]
    labels = [r[0] for r in rows[1:]]
    assert labels == ["Senior title", "Big company", "Recent visit", "Cap Fit", "Total"]
    recent = rows[3]
    assert recent[5] == pytest.approx(0.5 ** 0.6) and recent[6] == 6.0 and recent[4] == 20.0
    assert rows[4][7] == -5.0 and "max 50" in rows[4][8]
    assert sum(r[7] for r in rows[1:-1]) == pytest.approx(rows[-1][7], abs=1e-12)
    assert rows[-1][7] == call1(udfs.LEADSCORE, LEADS[1], HEADERS, RULES, SETTINGS)


def test_leadexplain_of_an_unscored_lead_says_why() -> None:
    rows = call(udfs.LEADEXPLAIN, LEADS[3], HEADERS, RULES, SETTINGS)
    assert rows[1][0] == "UNSCORED" and "blank" in rows[1][8]


def test_leadgrade_bands_and_parts() -> None:
    assert call1(udfs.LEADGRADE, 65.0) == "High value"
    assert call1(udfs.LEADGRADE, 64.9, MISSING, "route") == "Sales"
    assert call1(udfs.LEADGRADE, 19.0, MISSING, "both") == "Cold / Marketing"
    bands = [["Band 1", "80; Hot; AE"], ["Band 2", "0; Warm; SDR"]]
    assert call1(udfs.LEADGRADE, 85.0, bands, "both") == "Hot / AE"
    assert call1(udfs.LEADGRADE, "UNSCORED") == "Unscored"


def test_leadmatrix_and_leadmatrixes() -> None:
    # L1: Fit 50 (capped) -> A; Engagement 20 * 0.5^0.6 = 13.2 -> 3
    assert call1(udfs.LEADMATRIX, LEADS[1], HEADERS, RULES, SETTINGS) == "A3"
    assert call(udfs.LEADMATRIXES, LEADS, RULES, SETTINGS) == [["A3"], ["D4"], ["UNSCORED"], ["B4"]]


@pytest.mark.parametrize(
    ("func", "args", "message"),
    [
        (udfs.LEADSCORES, (LEADS, [["Rule", "Attribute", "Operator", "Value", "Points"], ["x", "Job Titel", "=", "VP", 5.0]]),
         'Rules row 2: attribute "Job Titel" is not a Leads column; did you mean "Job Title"?'),
        (udfs.LEADSCORES, ("Lead ID", RULES), 'Rules row 2: attribute "Job Title" is not a Leads column'),
        (udfs.LEADSCORE, (LEADS[1], HEADERS[:3], RULES), "The lead has 5 cells but the headers have 3"),
        (udfs.LEADSCORES, (LEADS, [["Rule", "Attribute", "Operator", "Value", "Points"], ["x", "Job Title", "=>", "VP", 5.0]]),
         'Rules row 2: operator "=>" is not recognised'),
        (udfs.LEADSCORES, ([["Email", "email"], [1.0, 2.0]], RULES), 'Leads columns 1 and 2 are both headed "email"'),
        (udfs.LEADGRADE, ("#N/A",), "Score (blank) is not a number"),
        (udfs.LEADSCORES, (LEADS, RULES, MISSING, MISSING, "Score; Colour"), 'Output "Colour" is not known'),
    ],
)  # fmt: skip
def test_errors_come_back_as_one_line_in_the_cell(func, args: tuple, message: str) -> None:
    out = call(func, *args)
    assert isinstance(out, list) and len(out) == 1 and len(out[0]) == 1  # one cell
    out = out[0][0]
    assert isinstance(out, str) and message in out
    assert "\n" not in out and "Traceback" not in out


def test_unexpected_failure_is_one_line_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from leadscore_xl.rules import api

    def boom(*args: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(api, "score_leads", boom)
    out = call(udfs.LEADSCORES, LEADS, RULES)[0][0]
    assert out.startswith("LeadScore XL could not compute LEADSCORES (ZeroDivisionError: division by zero)")


def test_one_cell_range_and_error_codes_arrive_as_excel_sends_them() -> None:
    # a one-column Leads range arrives as a column; an error code in the rules' Value is a blank
    out = call(udfs.LEADSCORES, [["Employees"], [500.0], ["#DIV/0!"], [50.0], [None]],
               [["Attribute", "Operator", "Value", "Points"], ["Employees", ">", 100.0, 10.0]])  # fmt: skip
    assert out == [[10.0], ["UNSCORED"], [0.0], [""]]  # a trailing blank row is not a lead
    assert call1(udfs.LEADSCORE, 500.0, "Employees", [["Attribute", "Operator", "Value", "Points"],
                                                      ["Employees", ">", 100.0, 10.0]]) == 10.0  # fmt: skip


def test_a_header_only_leads_range_spills_one_empty_cell_not_an_empty_array() -> None:
    assert call(udfs.LEADSCORES, [HEADERS], RULES) == [[""]]
    assert call(udfs.LEADMATRIXES, [HEADERS], RULES) == [[""]]


def test_lite_shows_nan_as_the_num_error_and_the_harness_refuses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the harness's Lite mode guards: xlwings Lite would show a NaN as #NUM!."""
    import xlharness
    from leadscore_xl.rules import api

    monkeypatch.setattr(api, "lead_score", lambda *args: float("nan"))
    assert call1(udfs.LEADSCORE, LEADS[1], HEADERS, RULES) == ""  # cell() makes it a blank
    monkeypatch.setattr(xlharness, "MODE", "lite")
    lite = xlharness.lite_udfs()
    monkeypatch.setattr(lite.scoring, "cell", lambda v: v)  # without cell(): the raw NaN
    with pytest.raises(AssertionError, match="#NUM!"):
        xlharness.call(udfs.LEADSCORE, LEADS[1], HEADERS, RULES)
