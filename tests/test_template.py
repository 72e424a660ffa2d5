"""The sample workbook: up to date, the sheet/table contract, sensible data and rules."""

from __future__ import annotations

import collections
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from leadscore_xl.rules import api
from leadscore_xl.rules.table import parse_rules
from leadscore_xl.settings import read_settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workbook"))
import build_template  # noqa: E402
import sample_data  # noqa: E402

COMMITTED = ROOT / "workbook" / "LeadScoring.xlsx"
DATA_SHEETS = ("Leads", "Rules", "Deals", "Model", "Report", "Settings")


def _snapshot(path: Path) -> dict[str, Any]:
    """Everything a fresh build must reproduce: cells, formulas, tables, formats."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, Any] = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                value = c.value
                if hasattr(value, "text"):
                    value = ("array", value.ref, value.text)
                if value is not None:
                    cells[c.coordinate] = (value, c.number_format)
        out[ws.title] = {
            "cells": cells,
            "tables": dict(ws.tables.items()),
            "conditional": sorted(str(r.sqref) for r in ws.conditional_formatting),
        }
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as the builder makes it now (the committed file is rebuilt from it)."""
    return build_template.build(tmp_path_factory.mktemp("template") / "LeadScoring.xlsx")


@pytest.fixture(scope="module")
def committed(built: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(built)


def _table_values(wb: openpyxl.Workbook, sheet: str) -> list[list[Any]]:
    ws = wb[sheet]
    ref = ws.tables[sheet].ref
    return [[c.value for c in row] for row in ws[ref]]


REL_TOL = 1e-9  # BLAS builds and thread counts differ in the last digits of a fit


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _differences(fresh: dict[str, Any], committed: dict[str, Any]) -> list[str]:
    """Where two snapshots differ: numbers beyond REL_TOL, anything else at all."""
    if fresh["sheets"] != committed["sheets"]:
        return [f"sheets {fresh['sheets']} != {committed['sheets']}"]
    out = []
    for sheet in fresh["sheets"]:
        a, b = fresh[sheet], committed[sheet]
        if (a["tables"], a["conditional"]) != (b["tables"], b["conditional"]):
            out.append(f"{sheet}: tables or conditional formats differ")
        for ref in sorted(set(a["cells"]) | set(b["cells"])):
            (va, fa), (vb, fb) = a["cells"].get(ref, (None, None)), b["cells"].get(ref, (None, None))
            same = math.isclose(va, vb, rel_tol=REL_TOL, abs_tol=1e-300) if _is_number(va) and _is_number(vb) \
                else (type(va), va) == (type(vb), vb)
            if not same or fa != fb:
                out.append(f"{sheet}!{ref}: {va!r} ({fa}) != {vb!r} ({fb})")
    return out


def test_committed_workbook_is_up_to_date(built: Path) -> None:
    """Text, formulas, formats, tables and layout exactly; numbers to a relative 1e-9."""
    differences = _differences(_snapshot(built), _snapshot(COMMITTED))
    assert not differences, f"{len(differences)} differences, e.g. {differences[:5]}; run: python workbook/build_template.py"


def test_the_snapshot_comparison_tolerates_last_digits_only() -> None:
    def snap(value: Any, fmt: str = "0.00") -> dict[str, Any]:
        return {"sheets": ["S"], "S": {"cells": {"A1": (value, fmt)}, "tables": {}, "conditional": []}}

    assert not _differences(snap(0.8429000000000001), snap(0.8429))
    assert _differences(snap(0.8429), snap(0.8430))
    assert _differences(snap(1.0), snap(True))
    assert _differences(snap("0.8429"), snap("0.8430"))
    assert _differences(snap(1.0, "0.00"), snap(1.0, "General"))
    assert _differences(snap(None), snap(0.0))


def test_each_sheet_holds_a_table_named_like_it_from_a1(committed: openpyxl.Workbook) -> None:
    assert committed.sheetnames == ["Leads", "Call List", *DATA_SHEETS[1:], "Analysis", "Analysis values", "xlwings.conf"]
    assert committed["Analysis values"].sheet_state == "hidden"
    assert list(committed["Call List"].tables) == ["CallList"]
    for sheet in DATA_SHEETS:
        tables = committed[sheet].tables
        assert list(tables) == [sheet]
        assert tables[sheet].displayName == sheet
        assert tables[sheet].ref.startswith("A1:")
    conf = committed["xlwings.conf"]
    assert (conf["A1"].value, conf["B1"].value, conf["A2"].value) == ("UDF Modules", "leadscore_udfs", None)


def test_leads_end_with_the_output_columns_filled_by_the_build_refresh(committed: openpyxl.Workbook) -> None:
    leads = _table_values(committed, "Leads")
    outputs = ["Score", "Grade", "Route", "Probability", "Reasons", "Scored At"]
    assert leads[0] == list(sample_data.LEAD_COLUMNS) + outputs
    assert len(leads) == 2001
    scores = api.score_leads(leads, _table_values(committed, "Rules"), _table_values(committed, "Settings"))
    expected = scores.to_rows(("Score", "Grade", "Route"))
    assert [r[-5:-3] for r in leads[1:]] == [e[1:] for e in expected]
    assert [r[-6] for r in leads[1:]] == pytest.approx([e[0] for e in expected], rel=1e-14)  # via XML text
    assert all(r[-1] == build_template.FIXED_TIME for r in leads[1:])
    probabilities = [r[-3] for r in leads[1:] if r[-3] is not None]
    assert len(probabilities) == 2000  # a blank Budget has its missing-indicator term: every lead gets one
    assert all(0.0 < p < 1.0 for p in probabilities)
    assert len(committed["Report"]._charts) >= 5  # native charts, made by the refresh


def test_sample_has_the_columns_the_issue_lists(committed: openpyxl.Workbook) -> None:
    wanted = ["Job Title", "Company Size", "Industry", "Region", "Annual Revenue", "Budget", "Lead Source",
              "Pricing Page Visits", "Emails Opened", "Emails Clicked", "Whitepaper Downloads", "Webinar Attended",
              "Demo Requested", "Free Trial", "Unsubscribed", "Competitor Domain", "Last Activity Date",
              "Created Date"]  # fmt: skip
    deals = _table_values(committed, "Deals")
    assert len(deals) == 5001
    assert set(wanted) <= set(_table_values(committed, "Leads")[0])
    assert set(wanted + ["Won", "Deal Amount"]) <= set(deals[0])
    won = [r[deals[0].index("Won")] for r in deals[1:]]
    assert set(won) == {True, False}
    assert 0.08 < sum(won) / len(won) < 0.25
    assert min(r[deals[0].index("Deal Amount")] for r in deals[1:]) > 0


def test_settings_rules_caps_and_bands(committed: openpyxl.Workbook) -> None:
    settings = _table_values(committed, "Settings")
    assert settings[0] == ["Setting", "Value"]
    parsed = read_settings(settings)
    assert parsed.get("Outcome column") == "Won"
    assert [b.min_score for b in parsed.scoring.bands][:2] == [65.0, 50.0]
    assert parsed.scoring.cap("Fit")[1] == 60 and parsed.scoring.cap("Engagement")[1] == 40
    rules = parse_rules(_table_values(committed, "Rules")).rules
    assert {r.group for r in rules} == {"Fit", "Engagement"}
    assert any(r.half_life for r in rules) and any(r.op == "within" for r in rules)
    assert any(r.disqualify for r in rules) and any(r.points < 0 for r in rules)
    negatives = {r.attribute for r in rules if r.points < 0}
    assert {"Unsubscribed", "Competitor Domain"} <= negatives


def test_starter_rules_rank_won_deals_above_lost_ones(committed: openpyxl.Workbook) -> None:
    deals = _table_values(committed, "Deals")
    won = np.array([r[deals[0].index("Won")] for r in deals[1:]])
    scores = api.score_leads(deals, _table_values(committed, "Rules"), _table_values(committed, "Settings"))
    total = np.nan_to_num(scores.total)
    ranks = total.argsort().argsort().astype(float)  # ties are rare enough for this bound
    pos = won.sum()
    auc = (ranks[won].sum() - pos * (pos - 1) / 2) / (pos * (~won).sum())
    assert auc > 0.7  # measured 0.78 on the committed sample
    grades = np.array(scores.grades())
    rates = [won[grades == g].mean() for g in ("High value", "MQL", "Nurture", "Cold")]
    assert rates == sorted(rates, reverse=True)


def test_deals_follow_the_documented_ground_truth() -> None:
    """A logit on all the deals' columns recovers GROUND_TRUTH within 3.5 standard errors."""
    sm = pytest.importorskip("statsmodels.api")
    data = sample_data.make_sample(10, 5000)
    head, rows = data.deals[0], data.deals[1:]
    col = {name: np.array([r[head.index(name)] for r in rows], dtype=object) for name in head}
    terms: dict[str, np.ndarray] = {}
    for name, effect in sample_data.GROUND_TRUTH.items():
        if isinstance(effect, dict):
            for level in effect:
                terms[f"{name}: {level}"] = (col[name] == level).astype(float)
    terms["Budget >= 50000"] = np.array([(b or 0) >= 50000 for b in col["Budget"]], dtype=float)
    for name in ("Pricing Page Visits", "Emails Opened", "Emails Clicked", "Whitepaper Downloads", "Webinar Attended",
                 "Demo Requested", "Free Trial", "Unsubscribed", "Competitor Domain"):  # fmt: skip
        terms[name] = col[name].astype(float)
    as_of = sample_data.AS_OF
    terms["Days since last activity"] = np.array([(as_of - d).days for d in col["Last Activity Date"]], dtype=float)
    terms["Days since created"] = np.array([(as_of - d).days for d in col["Created Date"]], dtype=float)
    x = sm.add_constant(np.column_stack(list(terms.values())))
    fit = sm.Logit(col["Won"].astype(float), x).fit(disp=0)
    truth = [sample_data.GROUND_TRUTH["Intercept"]] + [
        sample_data.GROUND_TRUTH[t.split(": ")[0]][t.split(": ")[1]] if ": " in t else sample_data.GROUND_TRUTH[t]
        for t in terms
    ]
    z = (fit.params - np.array(truth)) / fit.bse
    assert np.abs(z).max() < 3.5, dict(zip(["Intercept", *terms], np.round(z, 2)))


def test_sample_is_deterministic_and_rows_are_unique() -> None:
    a, b = sample_data.make_sample(50, 80), sample_data.make_sample(50, 80)
    assert a == b
    companies = [r[1] for r in a.leads[1:] + a.deals[1:]]
    assert len(set(companies)) == len(companies)


def test_no_data_cell_looks_like_a_formula(committed: openpyxl.Workbook) -> None:
    for sheet in DATA_SHEETS:
        assert not [c.coordinate for row in committed[sheet].iter_rows() for c in row if c.data_type == "f"], sheet
    operators = [r[3] for r in _table_values(committed, "Rules")[1:]]
    assert "=" in operators  # the operator "=" is text, not a formula


def _called(formula: str) -> str:
    """The function a formula calls, inside the IFERROR that gives the saved values without Python."""
    return "=" + formula.removeprefix("=").removeprefix("IFERROR(").split("(")[0]


def test_analysis_formulas_cover_the_leads_with_room_to_grow(committed: openpyxl.Workbook) -> None:
    ws = committed["Analysis"]
    arrays = {_called(ws[anchor].value.text): ref for anchor, ref in ws.array_formulae.items()}
    assert arrays["=LEADSCORES"] == "B5:E2504"  # 2,000 leads plus 500 blank rows
    assert ws["B5"].value.text.endswith(",'Analysis values'!B5:E2504)")  # without Python: the build's values
    assert "=LEADEXPLAIN" in arrays
    plain = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert {_called(f) for f in plain} >= {"=LEADSCORE", "=LEADGRADE", "=LEADMATRIX", "=COUNTIF"}
    grades = collections.Counter(str(r.sqref) for r in ws.conditional_formatting)
    assert "C5:C2504" in grades


def test_builder_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert build_template.main(["--leads", "5", "--deals", "20", "--output", str(first)]) == 0
    assert build_template.main(["--leads", "5", "--deals", "20", "--output", str(second)]) == 0
    assert "5 leads, 20 deals" in capsys.readouterr().out
    assert first.read_bytes() == second.read_bytes()
    with pytest.raises(SystemExit):
        build_template.main(["--deals", "3", "--output", str(first)])
    assert "need at least 1 lead and 10 deals" in capsys.readouterr().err
