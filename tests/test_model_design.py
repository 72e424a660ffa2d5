"""Design matrix, options and error paths of the logit (leadscore_xl.model.design / model)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadscore_xl.errors import (
    DataQualityWarning, DroppedColumnWarning, FewEventsWarning, InputError, ModelError, OutcomeError,
    TableError,
)  # fmt: skip
from leadscore_xl.model.fit import fit_logit, model_options, parse_names, parse_pairs
from leadscore_xl.settings import read_settings

RNG = np.random.default_rng(3)


def deals(n: int = 200, seed: int = 3) -> list[list[object]]:
    """Lead ID, Email (identifiers), Industry (text), Employees (number), Partner (bool), Outcome."""
    rng = np.random.default_rng(seed)
    industries = np.array(["Software", "Retail", "Finance", "Health"], dtype=object)
    ind = rng.choice(4, n, p=[0.4, 0.3, 0.2, 0.1])
    emp = rng.normal(50, 15, n)
    partner = rng.random(n) < 0.3
    eta = -1 + 0.8 * (ind == 1) - 0.5 * (ind == 2) + 0.02 * (emp - 50) + 0.7 * partner
    won = rng.random(n) < 1 / (1 + np.exp(-eta))
    rows: list[list[object]] = [["Lead ID", "Email", "Industry", "Employees", "Partner", "Outcome"]]
    for i in range(n):
        rows.append([f"L{i:04d}", f"lead{i}@example.com", industries[ind[i]], float(emp[i]), bool(partner[i]),
                     "Won" if won[i] else "Lost"])  # fmt: skip
    return rows


def test_default_features_skip_identifiers_and_dummies_use_the_most_frequent_reference() -> None:
    result = fit_logit(deals(), "Outcome")
    assert [t.name for t in result.terms] == ["Intercept", "Industry: Finance", "Industry: Health",
                                             "Industry: Retail", "Employees", "Partner"]  # fmt: skip
    skipped = [str(w) for w in result.warnings if isinstance(w, DroppedColumnWarning)]
    assert any('"Lead ID" was left out' in w and "identifier" in w for w in skipped)
    assert any('"Email" was left out' in w for w in skipped)
    assert result.variables[0].reference == "Software"
    block = result.variable_rows()
    assert block[0] == ["Variable", "Type", "Reference level", "Pooled into Other", "Counted as reference",
                        "Blank filled with"]
    assert block[1][:3] == ["Industry", "categories", "Software"] and block[3][:2] == ["Partner", "yes/no"]


def test_coefficients_equal_statsmodels_on_the_same_dummies() -> None:
    rows = deals()
    result = fit_logit(rows, "Outcome", features=["Industry", "Employees", "Partner"], reference="Industry=Retail")
    body = rows[1:]
    X = np.column_stack([np.ones(len(body))] + [[r[2] == lv for r in body] for lv in ("Finance", "Health", "Software")]
                        + [[r[3] for r in body], [float(r[4]) for r in body]]).astype(float)  # fmt: skip
    y = np.array([r[5] == "Won" for r in body], dtype=float)
    ref = sm.Logit(y, X).fit(disp=0)
    np.testing.assert_allclose(result.params, ref.params, rtol=1e-7)
    np.testing.assert_allclose(result.bse, ref.bse, rtol=1e-6)


@pytest.mark.parametrize(
    "won, lost",
    [("Won", "Lost"), ("yes", "NO"), (True, False), (1.0, 0.0), ("Converted", "not converted"), (" TRUE ", "false")],
)
def test_every_outcome_spelling_gives_the_same_model(won: object, lost: object) -> None:
    base = fit_logit(deals(), "Outcome").params
    rows = [r[:5] + [won if r[5] == "Won" else lost] for r in deals()[1:]]
    np.testing.assert_allclose(fit_logit([deals()[0]] + rows, "outcome").params, base, rtol=1e-12)


def rows_with(change: dict[int, dict[int, object]]) -> list[list[object]]:
    rows = [list(r) for r in deals(40)]
    for i, cells in change.items():
        for j, v in cells.items():
            rows[i][j] = v
    return rows


ERRORS = [
    ("three outcome values", rows_with({3: {5: "Maybe"}, 8: {5: "maybe"}}), {}, OutcomeError,
     'Deals rows 4, 9: outcome "Maybe" in column "Outcome" is not an outcome; use Won/Lost, Yes/No, '
     "TRUE/FALSE, 1/0 or Converted/Not converted (leave open deals blank)"),
    ("one class only", [deals(40)[0]] + [r[:5] + ["Won"] for r in deals(40)[1:]], {}, ModelError,
     'Every Deals row used has the outcome won (1) in column "Outcome" (40 rows); a model needs both'),
    ("no usable rows", rows_with({i: {2 + i % 2: None} for i in range(1, 41)}),
     {"features": "Industry; Employees", "blank_as_level": False, "missing_indicator": "No"},
     ModelError, 'No Deals row has an outcome and every feature filled in ("Industry" blank in 20, "Employees" blank '
     'in 20 rows); fill in the blanks, leave those features out, or set "Blank as level" and "Missing indicator" '
     "to Yes"),
    ("feature all blank", deals(40)[:1] + [r[:3] + [None] + r[4:] for r in deals(40)[1:]], {"features": "Employees"}, InputError,
     'Deals column "Employees" is blank in every row; fill it in or leave it out of the features'),
    ("unknown outcome column", deals(40), {"outcome": "Outcom"}, TableError,
     'outcome column "Outcom" is not a Deals column; did you mean "Outcome"?'),
    ("no outcome given", deals(40), {"outcome": None}, InputError, "No outcome column given"),
    ("unknown reference level", deals(40), {"reference": "Industry=Mining"}, InputError,
     'Reference level "Mining" does not occur in column "Industry"; its levels are "Finance", "Health"'),
    ("bad reference syntax", deals(40), {"reference": "Industry: Retail"}, InputError,
     'Reference "Industry: Retail" is not a column=level pair; write e.g. "rank=1; Source=Web"'),
    ("mixed column", rows_with({5: {3: "n/a"}}), {"features": "Employees"}, InputError,
     'Deals column "Employees" mixes numbers and text (row 6: "n/a"); make it all numbers'),
    ("bad min level count", deals(40), {"min_level_count": "ten"}, InputError, 'Min level count "ten" is not a number'),
    ("bad blank as level", deals(40), {"blank_as_level": "perhaps"}, InputError,
     'Blank as level "perhaps" is not TRUE or FALSE'),
]  # fmt: skip


@pytest.mark.parametrize("what, rows, kwargs, error, message", ERRORS, ids=[e[0] for e in ERRORS])
def test_error_paths(what: str, rows: list[list[object]], kwargs: dict[str, object], error: type, message: str) -> None:
    kwargs = {"outcome": "Outcome", **kwargs}
    outcome = kwargs.pop("outcome")
    with pytest.raises(error) as info:
        fit_logit(rows, outcome, **kwargs)
    assert message in str(info.value)


def test_rows_with_missing_features_are_dropped_and_counted() -> None:
    rows = rows_with({2: {3: None}, 5: {3: "#N/A"}, 7: {5: None}})
    result = fit_logit(rows, "Outcome", features="Industry; Employees", missing_indicator=False)
    stats = dict(result.stats_rows()[1:])
    assert stats["N used"] == 37 and stats["N dropped"] == 3
    note = next(str(w) for w in result.warnings if isinstance(w, DataQualityWarning))
    assert note == '3 of 40 Deals rows were left out: outcome blank in 1, "Employees" blank in 2 rows'


def test_blank_as_level_keeps_rows_with_blank_text() -> None:
    rows = rows_with({i: {2: None} for i in range(1, 12)})
    dropped = fit_logit(rows, "Outcome", features="Industry", min_level_count=1, blank_as_level=False)
    kept = fit_logit(rows, "Outcome", features="Industry", min_level_count=1)
    assert dropped.n_used == 29 and kept.n_used == 40
    var = kept.variables[0]
    assert "(blank)" in (*var.levels, var.reference) and "(blank)" not in (*dropped.variables[0].levels,
                                                                         dropped.variables[0].reference)


def test_rare_levels_are_pooled_into_other() -> None:
    rows = rows_with({1: {2: "Mining"}, 2: {2: "Energy"}})
    result = fit_logit(rows, "Outcome", features="Industry", min_level_count=3)
    var = result.variables[0]
    assert var.pooled == ("Energy", "Mining") and "Other" in var.levels
    assert result.variable_rows()[1][3] == "Energy; Mining"


def test_constant_and_collinear_columns_are_dropped_with_reasons() -> None:
    rows = [r + ([1.0, r[3] * 2 if isinstance(r[3], float) else r[3]]) for r in deals(60)]
    rows[0][-2:] = ["Region flag", "Employees x2"]
    result = fit_logit(rows, "Outcome", features="Employees; Region flag; Employees x2; Partner")
    notes = [str(w) for w in result.warnings if isinstance(w, DroppedColumnWarning)]
    assert '"Region flag" was left out: it is 1 in every row used (constant)' in notes
    assert '"Employees x2" was left out: it is an exact linear combination of "Employees" (collinear)' in notes
    assert [t.name for t in result.terms] == ["Intercept", "Employees", "Partner"]


def test_a_text_column_with_one_level_is_left_out() -> None:
    rows = [r[:2] + ["Software"] + r[3:] for r in deals(30)]
    rows[0][2] = "Industry"
    result = fit_logit(rows, "Outcome", features="Industry; Employees")
    assert any('"Industry" was left out: every row used has the level "Software"' in str(w) for w in result.warnings)


def test_few_events_per_variable_is_a_warning_not_an_error() -> None:
    result = fit_logit(deals(60), "Outcome")
    assert any(isinstance(w, FewEventsWarning) for w in result.warnings)
    assert result.diagnostic_rows()[0] == ["Diagnostic", "Message"]
    assert "Few events" in [r[0] for r in result.diagnostic_rows()]


def test_audit_block_has_fingerprint_versions_and_it_ignores_row_order() -> None:
    rows = deals()
    a = fit_logit(rows, "Outcome", as_of=dt.date(2026, 3, 31))
    b = fit_logit([rows[0]] + rows[1:][::-1], "Outcome")
    c = fit_logit(rows_with({4: {3: 99.0}}), "Outcome")
    assert a.fingerprint == b.fingerprint and a.fingerprint != c.fingerprint
    audit = dict(a.audit_rows()[1:])
    assert audit["Input fingerprint"] == f"blake2b:{a.fingerprint}" and audit["Deals rows"] == 200
    assert audit["As-of date"] == dt.datetime(2026, 3, 31) and isinstance(audit["Fitted at"], dt.datetime)
    assert {"statsmodels", "numpy", "scipy", "leadscore-xl", "Python"} <= set(audit)


def test_option_parsing_and_settings_keys() -> None:
    assert parse_names("a; b, c") == ("a", "b", "c") and parse_names([["a"], ["b"]]) == ("a", "b")
    assert parse_pairs("rank=1; Source = Web") == {"rank": "1", "source": "Web"}
    assert parse_pairs([["rank", 1.0]]) == {"rank": "1"}
    cfg = read_settings([["Outcome column", "Won?"], ["Features", "a; b"], ["Categorical columns", "rank"],
                         ["Reference rank", 2.0], ["Min level count", 5.0], ["Blank as level", "yes"]])  # fmt: skip
    opts = model_options(settings=cfg)
    assert (opts.outcome, opts.features, opts.categorical, dict(opts.reference or {})) == (
        "Won?", ("a", "b"), ("rank",), {"rank": "2"})
    assert opts.min_level_count == 5 and opts.blank_as_level is True
    assert model_options("Outcome", reference="rank=3", settings=cfg).reference == {"rank": "3"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=30, max_value=120))
def test_maximum_likelihood_fits_reproduce_the_event_rate_overall_and_per_level(seed: int, n: int) -> None:
    """With an intercept and dummies, the ML score equations make the mean fitted probability equal
    the event rate, overall and within every level of a text variable."""
    rows = deals(n, seed)
    result = fit_logit(rows, "Outcome", features="Industry; Employees", min_level_count=1)
    if result.method != "Newton":
        return
    p = result.predict(rows)
    y = np.array([r[5] == "Won" for r in rows[1:]], dtype=float)
    assert p.mean() == pytest.approx(y.mean(), abs=1e-6)
    industry = np.array([r[2] for r in rows[1:]])
    for level in set(industry):
        assert p[industry == level].mean() == pytest.approx(y[industry == level].mean(), abs=1e-6)


def test_numbers_stored_as_text_are_named_not_mistaken_for_identifiers() -> None:
    """A CSV import leaves "100", "107" ... as text: say so instead of a puzzling message."""
    rows = [["Employees", "Industry", "Won"]] + [[str(100 + 7 * i), "A" if i % 3 else "B", "Won" if i % 2 else "Lost"]
                                               for i in range(30)]  # fmt: skip
    result = fit_logit(rows, "Won", min_level_count=1)
    assert any('"Employees" was left out: it holds numbers stored as text' in str(w) for w in result.warnings)
    with pytest.raises(InputError, match='Deals column "Employees" holds numbers stored as text; convert them'):
        fit_logit(rows, "Won", features="Employees; Industry")
    as_levels = fit_logit(rows, "Won", features="Employees", categorical="Employees", min_level_count=1)
    assert as_levels.variables[0].kind == "categories"
