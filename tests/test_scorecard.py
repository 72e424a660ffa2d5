"""Scorecard points from a coefficient table (leadscore_xl.model.scorecard)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm
from test_closerates import AS_OF, auc, synthetic_deals

from leadscore_xl.rules import api
from leadscore_xl.closerates.binning import parse_bins, split_column
from leadscore_xl.closerates.rates import RULES_HEADER
from leadscore_xl.sheet.dates import to_serial
from leadscore_xl.errors import InputError, ModelError, ModelTableError, TableError
from leadscore_xl.model.fit import fit_logit
from leadscore_xl.model.scorecard import Scaling, parse_scaling, pdo_scaling, scorecard
from leadscore_xl.sheet.table import read_table

HEADER = ["Term", "Variable", "Level", "Coef", "Std. Err.", "z", "P>|z|", "CI 2.5 %", "CI 97.5 %",
          "Odds ratio", "OR CI low", "OR CI high"]  # fmt: skip
WIDE = [["Setting", "Value"], ["Score min", -1000.0], ["Score max", 1000.0]]


def coefficient_table(terms: list[tuple[str, str, str | None, float]]) -> list[list[object]]:
    return [HEADER] + [[t, v, lv, c] + [None] * 8 for t, v, lv, c in terms]


def test_pdo_600_points_at_odds_50_to_1_with_pdo_20() -> None:
    """The issue's example (the usual one in Siddiqi, Credit Risk Scorecards, 2006): Factor =
    20 / ln 2, Offset = 600 - Factor ln 50; odds 100:1 -> 620, 25:1 -> 580."""
    factor, offset = pdo_scaling(600.0, 50.0, 20.0)
    assert factor == pytest.approx(20 / math.log(2), rel=1e-15)
    assert offset + factor * math.log(50) == pytest.approx(600.0, abs=1e-12)
    assert offset + factor * math.log(100) == pytest.approx(620.0, abs=1e-12)
    assert offset + factor * math.log(25) == pytest.approx(580.0, abs=1e-12)


def test_pdo_scorecard_scores_620_and_580_through_the_rules_engine() -> None:
    """Intercept ln 50 (odds 50:1), Referral doubles the odds, Cold halves them."""
    model = coefficient_table([("Intercept", "Intercept", None, math.log(50)),
                               ("Source: Referral", "Source", "Referral", math.log(2)),
                               ("Source: Cold", "Source", "Cold", -math.log(2))])  # fmt: skip
    card = scorecard(model, scaling=parse_scaling("PDO"))
    assert card.to_rows() == [
        list(RULES_HEADER),
        ["Base points", "Base", "", "always", None, 600.0],
        ["Source: Referral", "Model", "Source", "=", "Referral", 20.0],
        ["Source: Cold", "Model", "Source", "=", "Cold", -20.0],
    ]
    leads = [["Source"], ["Referral"], ["cold"], ["Web"], [None]]
    scores = api.score_leads(leads, card.to_rows(), WIDE).total.tolist()
    assert scores[:3] == [620.0, 580.0, 600.0] and math.isnan(scores[3])  # all-blank lead: UNSCORED


def _fitted() -> tuple[list[list[object]], np.ndarray, list[list[object]], sm.discrete.discrete_model.BinaryResultsWrapper]:
    """A statsmodels logit on the synthetic deals, written as the coefficient table."""
    deals, won = synthetic_deals(1500, seed=11)
    body = deals[1:]
    industry = [r[2] or "Finance" for r in body]
    age = np.array([to_serial(AS_OF) - to_serial(r[6]) for r in body])
    x = np.column_stack([[i == "Software" for i in industry], [i == "Gov" for i in industry],
                         [r[3] for r in body], [r[4] for r in body], age]).astype(float)  # fmt: skip
    fit = sm.Logit(won.astype(float), sm.add_constant(x)).fit(disp=0)
    names = [("Intercept", "Intercept", None), ("Industry: Software", "Industry", "Software"),
             ("Industry: Gov", "Industry", "Gov"), ("Employees", "Employees", None),
             ("Newsletter", "Newsletter", None), ("Created", "Created", None)]  # fmt: skip
    ci, p = fit.conf_int(), fit.params
    model = [HEADER] + [
        [t, v, lv, p[i], fit.bse[i], fit.tvalues[i], fit.pvalues[i], ci[i, 0], ci[i, 1],
         math.exp(p[i]), math.exp(ci[i, 0]), math.exp(ci[i, 1])]
        for i, (t, v, lv) in enumerate(names)
    ]  # fmt: skip
    return deals, won, model, fit


def test_linear_scorecard_from_a_statsmodels_fit() -> None:
    deals, won, model, fit = _fitted()
    card = scorecard(model, deals, Scaling("linear"), as_of=AS_OF)
    rows = {r[0]: r for r in card.rows}
    factor = card.factor
    assert rows["Industry: Software"][3:] == ("=", "Software", round(factor * fit.params[1]))
    assert rows["Industry: Gov"][5] == round(factor * fit.params[2]) < 0
    assert rows["Newsletter: TRUE"][3:] == ("=", True, round(factor * fit.params[4]))
    table = read_table(deals, "Deals")
    split = split_column(table.column("Employees"), parse_bins(None), to_serial(AS_OF))
    for level in split.levels:  # points per bin = factor x coef x median of the bin
        expected = round(factor * fit.params[3] * level.center)
        assert rows.get(f"Employees: {level.label}", (0,) * 6)[5] == expected
    assert rows["Base points"][5] == card.base
    by_variable: dict[str, list[float]] = {}
    for r in card.rows[1:]:
        by_variable.setdefault(r[2], []).append(r[5])
    best = card.base + sum(max([0.0] + p) for p in by_variable.values())
    worst = card.base + sum(min([0.0] + p) for p in by_variable.values())
    assert abs(best - 100) <= len(by_variable) and abs(worst) <= len(by_variable)  # 0-100 up to rounding
    scores = api.score_leads(deals, card.to_rows(), as_of=AS_OF).total
    assert 0 <= scores.min() and scores.max() <= 100
    assert auc(scores, won) > 0.65
    assert auc(scores, won) == pytest.approx(auc(fit.fittedvalues, won), abs=0.02)


def test_blank_and_pooled_other_levels_from_the_variables_block() -> None:
    """LOGITFIT spills a Variables block below the coefficients; "Other" stands for the
    pooled levels and "(blank)" for blank cells."""
    model = coefficient_table([("Intercept", "Intercept", None, -1.0), ("Industry: Software", "Industry", "Software", 0.5),
                               ("Industry: Other", "Industry", "Other", 0.25), ("Industry: (blank)", "Industry", "(blank)", -0.25)])
    model += [[None] * 12, ["Variable", "Type", "Reference level", "Pooled into Other", "Counted as reference"] + [None] * 7,
              ["Industry", "categories", "Retail", "Mining; Farming", None] + [None] * 7]  # fmt: skip
    card = scorecard(model)  # linear: ln(odds) from -1.25 to -0.5 -> factor 100 / 0.75, base 33
    assert card.factor == pytest.approx(100 / 0.75)
    assert [r[3:] for r in card.rows] == [("always", None, 33.0), ("=", "Software", 67.0),
                                          ("in", "Mining; Farming", 33.0), ("is blank", None, -33.0)]  # fmt: skip
    leads = [["Industry"], ["software"], ["Farming"], [None], ["Retail"], ["Unseen"]]
    scores = api.score_leads(leads, card.to_rows()).total.tolist()
    assert scores[:2] + scores[3:] == [100.0, 66.0, 33.0, 33.0]  # unseen levels count as the reference
    assert math.isnan(scores[2])  # every rule attribute blank: UNSCORED, as the engine defines it


def test_scorecard_of_a_logitfit_model_ranks_like_its_probabilities() -> None:
    """The real LOGITFIT core (leadscore_xl.model.fit) on the synthetic deals, then its rows."""
    deals, won = synthetic_deals(1500, seed=5)
    fit = fit_logit(deals, "Outcome", as_of=AS_OF, features="Industry; Employees; Newsletter; Created")
    card = scorecard(fit.model_rows(), deals, Scaling("pdo"), as_of=AS_OF)
    assert card.base == round(card.offset + card.factor * fit.params[0])
    rows = {r[0]: r[5] for r in card.rows}
    software = [i for i, t in enumerate(fit.terms) if t.level == "Software"][0]
    assert rows["Industry: Software"] == round(20 / math.log(2) * fit.params[software])
    scores = api.score_leads(deals, card.to_rows(), WIDE, as_of=AS_OF).total
    probabilities = fit.predict(deals)
    usable = ~np.isnan(probabilities)
    assert auc(scores[usable], won[usable]) == pytest.approx(auc(probabilities[usable], won[usable]), abs=0.02)


def small(*terms: tuple[str, str, str | None, object]) -> list[list[object]]:
    return coefficient_table([("Intercept", "Intercept", None, 1.0), *terms])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: scorecard([["Term", "Variable", "Level", "Estimate"], ["Intercept", "Intercept", None, 1.0]]),
         ModelTableError, 'The model range has no "Coef" column'),
        (lambda: scorecard(small(("A: x", "A", "x", "big"))), ModelTableError, 'Model row 3 ("A"): Coef "big" is not a number'),
        (lambda: scorecard(coefficient_table([("A: x", "A", "x", 1.0)])), ModelTableError, 'has no "Intercept" row'),
        (lambda: scorecard(small()), ModelTableError, "The model has only an Intercept, so every lead gets the same score"),
        (lambda: scorecard(small(("A: x", "A", "x", 0.0))), ModelError, "Every coefficient of the model is 0"),
        (lambda: scorecard(small(("Employees", "Employees", None, 0.1))), InputError,
         'Model variable "Employees" is a number, date or yes/no column; pass the Deals table as deals'),
        (lambda: scorecard(small(("Region", "Region", None, 0.1)), synthetic_deals(30)[0]), ModelTableError,
         'Model variable "Region" has a coefficient without a Level, but Deals column "Region" holds text values'),
        (lambda: scorecard(small(("Staff", "Staff", None, 0.1)), synthetic_deals(30)[0]), TableError,
         'model variable "Staff" is not a Deals column'),
        (lambda: scorecard(small(("A: x; y", "A", "x; y", 0.1))), ModelTableError, 'level "x; y" of "A" holds a ";"'),
        (lambda: parse_scaling("log"), InputError, 'Scaling "log" is not known; use "linear" (0-100) or "PDO"'),
        (lambda: parse_scaling(None, None, 0.0), InputError, "Base odds and PDO must be above 0"),
        (lambda: parse_scaling("PDO", "high"), InputError, 'Base score "high" is not a number; type e.g. 600, 50 or 20'),
    ],
)  # fmt: skip
def test_errors_say_what_where_and_how(call, error, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as raised:
        call()
    assert message in str(raised.value)


def test_pdo_numbers_imply_pdo_scaling() -> None:
    assert parse_scaling(None, None, None, 40.0) == Scaling("pdo", 600.0, 50.0, 40.0)
    assert parse_scaling(None) == Scaling("linear") == parse_scaling("0-100")
