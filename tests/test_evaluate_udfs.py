"""The evaluation Excel functions through xlwings' real decorators and conversion."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
import xlharness
from xlharness import MISSING

import leadscore_udfs
from leadscore_xl.evaluation.calibration import calibration
from leadscore_xl.evaluation.compare import compare_scores
from leadscore_xl.evaluation.discrimination import auc, lift_table

F = leadscore_udfs
call = xlharness.call

RNG = np.random.default_rng(42)
N = 60
Y = (RNG.random(N) < 0.4).astype(float)
S = np.round(50 + 25 * Y + RNG.normal(0, 20, N))
P = np.round(1 / (1 + np.exp(-(S - 60) / 12)), 4)
WORDS = {1.0: ["Won", "YES", "converted", "1"], 0.0: ["Lost", "no", "Not converted", "0"]}


def column(header: str | None, values: list[Any]) -> list[list[Any]]:
    return ([[header]] if header is not None else []) + [[v] for v in values]


def outcomes(header: str | None = "Outcome") -> list[list[Any]]:
    return column(header, [WORDS[y][i % 4] for i, y in enumerate(Y.tolist())])


def scores(header: str | None = "Score") -> list[list[Any]]:
    return column(header, S.tolist())


def test_leadauc_number_and_details_equal_the_core() -> None:
    ref = auc(Y, S)
    assert call(F.LEADAUC, outcomes(), scores()) == [[pytest.approx(ref.auc, abs=1e-12)]]
    assert call(F.LEADAUC, outcomes(None), scores(None)) == [[pytest.approx(ref.auc, abs=1e-12)]]
    rows = call(F.LEADAUC, outcomes(), scores(), True)
    assert rows[0] == ["Statistic", "Value"] and rows[2][0] == "Std. err. (DeLong)"
    assert rows[3][1] == pytest.approx(ref.ci_low) and rows[4][1] == pytest.approx(ref.ci_high)
    assert rows[5:8] == [["Leads", N], ["Won", int(Y.sum())], ["Lost", N - int(Y.sum())]]


def test_leadauc_leaves_out_blanks_errors_and_unscored() -> None:
    y = [True, False, True, None, False, "Won", "lost"]
    s = [9.0, 1.0, "#N/A", 4.0, "UNSCORED", 3.0, None]
    rows = call(F.LEADAUC, column("Won?", y), column("Score", s), "TRUE")
    assert rows[1][1] == pytest.approx(auc(np.array([1.0, 0, 1]), np.array([9.0, 1, 3])).auc)
    assert rows[8] == ["Left out (blank or unscored)", 4]
    one_row = call(F.LEADAUC, [["Won", "Lost", "Won"]], [[3.0, 1.0, 2.0]])  # horizontal ranges
    assert one_row == [[1.0]]


def test_whole_column_blanks_and_a_header_titled_won() -> None:
    won = column("Won", [True, False, True, None] + [None] * 500)  # whole-column reference
    score = column("Score", [3.0, 1.0, 2.0, 5.0] + [None] * 500)
    rows = call(F.LEADAUC, won, score, True)
    assert rows[1][1] == 1.0 and rows[5][1] == 3
    assert rows[8] == ["Left out (blank or unscored)", 1]  # row 5 has a score but no outcome
    features = [["x"]] + [[float(i % 7)] for i in range(40)] + [[None]] * 100
    outs = column("Converted", [["Yes", "No"][i % 2] for i in range(40)] + [None] * 100)
    cv = {r[0]: r[1] for r in call(F.CVAUC, features, outs, 2)}
    assert cv["Leads"] == 40 and cv["Left out (blank cells)"] == 0


def test_rocpoints_and_lifttable() -> None:
    roc = call(F.ROCPOINTS, outcomes(), scores())
    assert roc[0] == ["Cut-off (score >=)", "False positive rate", "True positive rate", "Leads worked"]
    assert roc[1] == ["", 0.0, 0.0, 0] and roc[-1][1:] == [1.0, 1.0, N]
    assert len(call(F.ROCPOINTS, outcomes(), scores(), 5)) == 6
    lift = call(F.LIFTTABLE, outcomes(), scores(), 5)
    ref = lift_table(Y, S, 5)
    assert [r[4] for r in lift[1:]] == ref.won.tolist() and lift[-1][10] == pytest.approx(1.0)


def test_calibration_equals_the_core() -> None:
    rows = call(F.CALIBRATION, outcomes(), column("Probability", P.tolist()), 6)
    ref = calibration(Y, P, 6)
    assert [r[7] for r in rows[1:7]] == ref.won.tolist()
    stats_rows = {r[0]: r[1] for r in rows[8:]}
    assert stats_rows["Hosmer-Lemeshow chi2"] == pytest.approx(ref.hl_chi2)
    assert stats_rows["Hosmer-Lemeshow df (groups - 2)"] == 4
    assert stats_rows["Brier score"] == pytest.approx(ref.brier)


def test_conversionbyband_from_scores_with_settings_and_from_grades() -> None:
    settings = [["Setting", "Value"], ["Band hot", "70; Hot; Sales"], ["Band warm", "40; Warm; Nurture"],
                ["Band cold", "0; Cold; Marketing"]]  # fmt: skip
    rows = call(F.CONVERSIONBYBAND, column("Outcome", ["Won", "Lost", "Won", "Lost", "Lost"]),
                column("Score", [90.0, 75.0, 50.0, 10.0, "UNSCORED"]), settings)  # fmt: skip
    assert [r[:5] for r in rows[1:]] == [
        ["Hot", 70.0, 2, 1, 0.5], ["Warm", 40.0, 1, 1, 1.0], ["Cold", "", 1, 0, 0.0], ["Unscored", "", 1, 0, 0.0],
        ["Qualified: Hot", "", 2, 1, 0.5], ["All", "", 5, 2, 0.4]]  # fmt: skip
    grades = call(F.CONVERSIONBYBAND, column(None, ["Won", "Lost", "Won", "Lost"]),
                  column(None, ["mql", "High value", "MQL", "Cold"]), MISSING, "MQL")  # fmt: skip
    assert [r[:5] for r in grades[1:]] == [
        ["High value", "", 1, 0, 0.0], ["mql", "", 2, 2, 1.0], ["Cold", "", 1, 0, 0.0],
        ["Qualified: mql", "", 2, 2, 1.0], ["All", "", 4, 2, 0.5]]  # fmt: skip


def test_conversionbyband_with_custom_grades_and_no_qualified_list_says_none_is_routed_to_sales() -> None:
    rows = call(F.CONVERSIONBYBAND, column("Outcome", ["Won", "Lost", "Won", "Lost", "Won", "Lost"]),
                column("Grade", ["A", "B", "A", "B", "C", "C"]))  # fmt: skip
    assert rows[-2][:4] == ['Qualified: none (no band of these leads is routed to Sales in the Settings; '
                            'list the qualified bands in the qualified argument, e.g. "A; B")', "", 0, 0]  # fmt: skip
    assert [r[8] for r in rows[1:4]] == ["no", "no", "no"]


def test_lifttable_caps_groups_at_the_number_of_leads() -> None:
    """4 scored leads in 1000 groups: 4 groups labelled 1-4, exactly as bins=4 (not 1, 251, 501, 751)."""
    outcomes = column("Outcome", ["Won", "Lost", "Won", "Lost", "Won"])
    scores = column("Score", [80.0, 20.0, 60.0, 40.0, None])
    rows = call(F.LIFTTABLE, outcomes, scores, 1000.0)
    assert [r[0] for r in rows[1:5]] == [1, 2, 3, 4]
    assert rows == call(F.LIFTTABLE, outcomes, scores, 4.0)


def test_threshold_with_period_dates_and_amount_column() -> None:
    y = ["Won", "Won", "Lost", "Won", "Lost", "Won", "Lost", "Lost", "Lost", "Lost"]
    s = [10.0, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    created = [dt.datetime(2026, 1, 1) + dt.timedelta(days=i) for i in range(10)]
    created[3] = dt.datetime(2026, 1, 14)  # 1 to 14 January: 14 days = 2 weeks -> 5 leads a week
    amounts = [100.0, 100, None, 100, None, 100, None, None, None, None]
    rows = call(F.THRESHOLD, column("Outcome", y), column("Score", s), 2, MISSING,
                column("Created", created), column("Amount", amounts), 30)  # fmt: skip
    by = {r[0]: r for r in rows[1:]}
    cap = by["Capacity 2 leads a week"]
    assert cap[1:5] == [7.0, 4, 0.4, 3]  # 2 a week of 5 a week: 40 % of leads
    assert cap[9:11] == [pytest.approx(2.0), pytest.approx(1.5)]
    assert by["Expected value"][1] == 5.0 and by["Expected value"][11] == pytest.approx(400 - 180)
    scalar = call(F.THRESHOLD, column("Outcome", y), column("Score", s), MISSING, MISSING, 5, 100)
    assert [r[0] for r in scalar[1:]] == ["Best F1", "Best Youden J", "Expected value"]
    assert scalar[3][12] == pytest.approx(400 * 10 / 5 / 10)


def test_comparescores_names_from_headers() -> None:
    rng = np.random.default_rng(9)
    y = (rng.random(150) < 0.4).astype(float)
    good, poor = (y + rng.normal(0, 0.7, 150)).round(2), (y + rng.normal(0, 3, 150)).round(2)
    out = column("Outcome", ["Won" if v else "Lost" for v in y])
    rows = call(F.COMPARESCORES, out, column("Model", good.tolist()), column("Rules v1", poor.tolist()),
                MISSING, MISSING, MISSING, 200, 4)  # fmt: skip
    ref = compare_scores(y, good, poor, resamples=200, seed=4, names=("Model", "Rules v1"))
    assert rows[0][1:3] == ["Model", "Rules v1"]
    assert rows[1][4] == pytest.approx(ref.measures[0].ci_low) and rows[1][7] == "Model"
    same = call(F.COMPARESCORES, out, column("A", good.tolist()), column("A", good.tolist()), 0.3, MISSING,
                MISSING, 100)  # fmt: skip
    assert same[0][1:3] == ["A (A)", "A (B)"] and same[1][7] == same[2][7] == "no winner (CI covers 0)"
    cut = call(F.COMPARESCORES, out, column("A", good.tolist()), column("B", poor.tolist()), MISSING, 0.5, 0.5, 100)
    assert cut[5][1:3] == [0.5, 0.5]


def test_channelreport_and_disagreements() -> None:
    rows = call(F.CHANNELREPORT, column("Source", ["Web", "web ", "Event", None]),
                column("Outcome", ["Won", "Lost", "Won", "Lost"]), column("Score", [80.0, 20, 50, 10]))  # fmt: skip
    assert rows[1] == ["Web", 2, 1, 0.5, 1.0, 50.0, ""]
    assert rows[-1][:3] == ["All", 4, 2]
    years = call(F.CHANNELREPORT, column("Campaign", [2024.0, "Webinar", 2024.0, 2025.0]),
                 column("Outcome", ["Won", "Lost", "Lost", "Won"]))  # fmt: skip
    assert [r[:4] for r in years[1:]] == [["2024", 2, 1, 0.5], ["2025", 1, 1, 1.0], ["Webinar", 1, 0, 0.0],
                                          ["All", 4, 2, 0.5]]  # fmt: skip
    flags = call(F.DISAGREEMENTS, column("Grade", ["High value", "Cold", "MQL"]),
                 column("Probability", [0.02, 0.9, 0.3]), column("Lead", ["L1", "L2", "L3"]))  # fmt: skip
    assert [r[:4] for r in flags[1:]] == [[2, "L1", "High value", 0.02], [3, "L2", "Cold", 0.9]]
    by_score = call(F.DISAGREEMENTS, column(None, [90.0, 5.0]), column(None, [0.3, 0.6]), MISSING, 0.4, 0.55)
    assert [r[:3] for r in by_score[1:]] == [[1, "", "High value"], [2, "", "Cold"]]


def test_cvauc() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(80, 2))
    y = ["Won" if v else "Lost" for v in (rng.random(80) < 1 / (1 + np.exp(-2 * X[:, 0])))]
    rows = call(F.CVAUC, [["x1", "x2"]] + X.tolist(), column("Outcome", y), 4, 1)
    values = {r[0]: r[1] for r in rows}
    assert values["Folds (stratified)"] == 4 and values["Seed"] == 1 and values["Leads"] == 80
    assert values["Cross-validated AUC (pooled held-out scores)"] > 0.7
    assert rows == call(F.CVAUC, [["x1", "x2"]] + X.tolist(), column("Outcome", y), 4, 1)


OUT4 = column("Outcome", ["Won", "Lost", "Won", "Lost"])
SC4 = column("Score", [4.0, 3, 2, 1])
ERRORS = [
    (F.LEADAUC, (column("Outcome", ["Won", "Maybe", "Lost", "maybe", "Won"]), column("S", [1.0] * 5)),
     'Column "Outcome" rows 3, 5: outcome "Maybe" is not an outcome; use Won/Lost, Yes/No, TRUE/FALSE, 1/0 or '
     "Converted/Not converted"),
    (F.LEADAUC, (column(None, ["Won", 2.0]), column(None, [1.0, 2.0])),
     'The outcomes range row 2: outcome "2" is not an outcome'),
    (F.LEADAUC, (OUT4, column("Score", [4.0, "high", 2, 1])),
     'Column "Score" row 3: "high" is not a number; pass the scores column (blank and UNSCORED cells are left out)'),
    (F.LEADAUC, (OUT4, column(None, [4.0, 3, 2, 1])),
     'The outcomes range starts with a header ("Outcome") but the scores range does not; select every range with its header row or every range without'),
    (F.LEADAUC, (OUT4, column("Score", [4.0, 3, 2])),
     "The ranges must have the same number of rows, but they have outcomes 4, scores 3"),
    (F.LEADAUC, ([["Outcome", "Score"], ["Won", 1.0]], SC4),
     "The outcomes range has 2 columns; select a single column"),
    (F.LEADAUC, (column("Outcome", ["Won", "Won"]), column("Score", [1.0, 2.0])),
     "AUC needs won and lost deals, but no deal with a score is lost (2 won, 0 lost)"),
    (F.LEADAUC, (column("Outcome", []), column("Score", [])), "The ranges hold no data rows"),
    (F.LEADAUC, (OUT4, SC4, "maybe"), 'Details must be TRUE or FALSE, not "maybe"'),
    (F.LIFTTABLE, (OUT4, SC4, 2.5), 'Bins must be a whole number of at least 2, not "2.5"'),
    (F.LIFTTABLE, (OUT4, SC4, "ten"), 'Bins "ten" is not a number; type a number or leave it out'),
    (F.CALIBRATION, (OUT4, column("P", [0.5, 72.0, 0.2, 0.1])),
     'Column "P" row 3: "72" is not a probability between 0 and 1; pass conversion probabilities'),
    (F.CONVERSIONBYBAND, (OUT4, column("Grade", ["A", "B", "A", "B"]), MISSING, "A; Z"),
     'Qualified band "Z" is not among the bands of these leads (A, B)'),
    (F.THRESHOLD, (OUT4, SC4, 5), "A capacity needs the weekly lead volume"),
    (F.THRESHOLD, (OUT4, SC4, MISSING, MISSING, column("Created", ["x", "y", "z", "w"])),
     "Period must be a number of weeks, or a column of dates"),
    (F.THRESHOLD, (OUT4, SC4, MISSING, MISSING, MISSING, MISSING, 10), "A cost per lead needs a deal value"),
    (F.COMPARESCORES, (OUT4, SC4, SC4, MISSING, 3), "Give both cut-offs (one per score) or neither"),
    (F.COMPARESCORES, (OUT4, SC4, SC4, "150%"), "The share of leads worked must be above 0 and at most 1"),
    (F.COMPARESCORES, (OUT4, SC4, SC4, MISSING, MISSING, MISSING, 50), "Resamples must be a whole number of at least 100"),
    (F.COMPARESCORES, (OUT4, SC4, SC4, MISSING, MISSING, MISSING, 1e7),
     "Use at most 100,000 bootstrap resamples (1000 is usual, 10,000 steadier), not 10,000,000; "
     "more would keep Excel busy for minutes"),
    (F.THRESHOLD, (OUT4, SC4, 2, MISSING, column("Created", [dt.datetime(2026, 1, 5, h) for h in (9, 10, 11, 17)])),
     "Period: every date falls on 2026-01-05; pass a column of dates spanning more than one day (e.g. Deals[Created]), "
     "or the number of weeks the deals cover"),
    (F.CALIBRATION, (OUT4, column("P", [80.0, 20.0, 0.5, 60.0])),
     'Column "P" rows 2, 3, 5: "80", "20", "60" are not probabilities between 0 and 1; pass conversion probabilities'),
    (F.LEADAUC, (OUT4, column("Score", ["high", "low", 2.0, "high"])),
     'Column "Score" rows 2, 3, 5: "high", "low" are not numbers; pass the scores column'),
    (F.DISAGREEMENTS, (column("G", ["Cold"]), column("P", [0.3]), MISSING, 0.6, 0.5),
     "The probability limits must satisfy 0 <= low < high <= 1"),
    (F.CVAUC, ([["x", "Industry"], [1.0, "SaaS"], [2.0, "Retail"], [3.0, "SaaS"], [4.0, "Retail"]], OUT4),
     'Features column "Industry" holds text values; CVAUC takes numeric columns'),
    (F.CVAUC, ([["x"], [1.0], [2.0], [3.0]], OUT4), "The features have 3 rows below their header but the outcomes 4"),
    (F.CVAUC, ([["x"], [1.0], [2.0], [3.0], [4.0]], OUT4, 3), "Folds must be a whole number from 2 to 2"),
]  # fmt: skip


@pytest.mark.parametrize(("func", "args", "message"), ERRORS, ids=[f"{e[0].__name__}-{i}" for i, e in enumerate(ERRORS)])
def test_errors_are_one_line_messages(func: Any, args: tuple[Any, ...], message: str) -> None:
    result = call(func, *args)
    text = result[0][0] if isinstance(result, list) else result
    assert isinstance(text, str) and message in text, text
    assert "Traceback" not in text and "\n" not in text


def test_functions_are_registered_for_excel() -> None:
    for name in ("LEADAUC", "ROCPOINTS", "LIFTTABLE", "CALIBRATION", "CONVERSIONBYBAND", "THRESHOLD",
                 "COMPARESCORES", "CHANNELREPORT", "DISAGREEMENTS", "CVAUC"):  # fmt: skip
        info = getattr(F, name).__xlfunc__
        assert info["name"] == name and info["category"] == "LeadScore XL"


def test_a_header_above_numbers_means_every_column_has_its_header() -> None:
    """The sample's own column names: Deals' "Won" (TRUE/FALSE below it) and "Score". "Won" is
    also an outcome value, so the header is decided from the Score column: text above numbers."""
    from workbook.build_template import SETTINGS  # the sample's Settings (bands 65 / 50 / 20)
    from workbook.sample_data import make_sample

    settings = [["Setting", "Value"], *([k, v] for k, v, _ in SETTINGS)]
    deals = make_sample(20, 200).deals
    won = [[r[deals[0].index("Won")]] for r in deals]
    assert won[0] == ["Won"] and {r[0] for r in won[1:]} == {True, False}
    score = [["Score"]] + [[float(10 * (i % 10))] for i in range(200)]
    rows = call(F.CONVERSIONBYBAND, won, score, settings)
    total = rows[-1]
    assert total[:4] == ["All", "", 200, sum(r[0] is True for r in won[1:])]
    assert [r[0] for r in rows[1:5]] == ["High value", "MQL", "Nurture", "Cold"]
    as_text = [["Won"]] + [["Won" if r[0] else "Lost"] for r in won[1:]]  # "Won" above Won/Lost text
    assert call(F.CONVERSIONBYBAND, as_text, score, settings)[-1][:4] == total[:4]
