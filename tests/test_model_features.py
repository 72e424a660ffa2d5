"""Columns that are not features stay out of the model (issue 10 §4): high-cardinality text,
e-mail and URL columns, the Amount column; probable leaks; Settings naming absent columns."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import leadscore_udfs
import xlharness
from leadscore_xl.errors import DroppedColumnWarning, LeakWarning, SeparationWarning
from leadscore_xl.model.fit import fit_logit
from leadscore_xl.refresh.run import fit_model
from leadscore_xl.settings import column_notes, read_settings
from leadscore_xl.sheet.table import read_table

SURNAMES = [f"Name{i}" for i in range(220)]


def hubspot(n: int = 240, seed: int = 2) -> list[list[object]]:
    """A HubSpot-style export: Last Name (many repeats, but more values than half the rows),
    Company (over 200 values), Email and Website (identifier-shaped, with repeats), and real
    features Industry and Visits."""
    rng = np.random.default_rng(seed)
    rows: list[list[object]] = [["Record ID", "Last Name", "Company", "Email", "Website", "Industry", "Visits", "Won"]]
    for i in range(n):
        industry = ["Software", "Retail", "Health"][int(rng.integers(3))]
        visits = float(rng.integers(0, 6))
        won = rng.random() < 1 / (1 + np.exp(-(-1 + 0.3 * visits + 0.5 * (industry == "Software"))))
        name = SURNAMES[int(rng.integers(len(SURNAMES)))]
        company = f"Firm {i % 230}"
        rows.append([f"R{i}", name, company, f"{name.lower()}@firm.com", f"www.firm{i % 230}.com", industry,
                     visits, "Won" if won else "Lost"])  # fmt: skip
    return rows


def test_high_cardinality_and_identifier_shaped_columns_are_left_out_with_a_note() -> None:
    rows = hubspot()
    result = fit_logit(rows, "Won")
    assert {v.name for v in result.variables} == {"Industry", "Visits"}
    notes = [str(w) for w in result.warnings if isinstance(w, DroppedColumnWarning)]
    many = next(n for n in notes if "Last Name" in n)
    assert '"Last Name" (' in many and '"Company" (230 values)' in many and "list it under Features" in many
    assert any('"Email" was left out: it holds e-mail addresses' in n for n in notes)
    assert any('"Website" was left out: it holds web addresses' in n for n in notes)
    forced = fit_logit(rows, "Won", features="Industry; Visits; Last Name", min_level_count=3)
    assert "Last Name" in {v.name for v in forced.variables}


def test_the_refresh_leaves_out_shared_high_cardinality_columns_too() -> None:
    deals = read_table(hubspot(), "Deals")
    fit = fit_model(deals, read_settings(None), 46112.0, ["Last Name", "Company", "Industry", "Visits"],
                    dt.datetime(2026, 4, 1))  # fmt: skip
    assert fit.result is not None and {v.name for v in fit.result.variables} == {"Industry", "Visits"}
    assert any("Last Name" in str(w) and "list it under Features" in str(w) for w in fit.result.warnings)


def leaky(n: int = 200, seed: int = 4) -> list[list[object]]:
    rng = np.random.default_rng(seed)
    rows: list[list[object]] = [["Industry", "Visits", "Lifecycle Stage", "Won"]]
    for _ in range(n):
        won = bool(rng.random() < 0.35)
        stage = "Customer" if won else ["Lead", "MQL", "Opportunity"][int(rng.integers(3))]
        rows.append([["Software", "Retail"][int(rng.integers(2))], float(rng.integers(0, 6)), stage, won])
    return rows


def test_a_feature_that_alone_separates_is_a_probable_leak_named_before_the_separation() -> None:
    result = fit_logit(leaky(), "Won")
    kinds = [type(w) for w in result.warnings]
    assert LeakWarning in kinds and SeparationWarning in kinds
    assert kinds.index(LeakWarning) < kinds.index(SeparationWarning)
    leak = str(next(w for w in result.warnings if isinstance(w, LeakWarning)))
    assert leak.startswith('Probable leak: "Lifecycle Stage" alone separates won from lost (level "Customer" holds')
    assert 'Leave "Lifecycle Stage" out of the features' in leak
    assert result.method == "Firth" and np.isfinite(result.params).all()  # the fit still runs
    rows = dict((r[0], r[1]) for r in result.diagnostic_rows()[1:])
    assert rows["Probable leak"] == leak
    clean = fit_logit(leaky(), "Won", features="Industry; Visits")
    assert not any(isinstance(w, LeakWarning) for w in clean.warnings)


def test_a_number_that_alone_separates_is_a_probable_leak() -> None:
    rows = [["Visits", "Amount paid", "Won"]] + [[float(i % 5), 100.0 + i if i % 3 == 0 else 0.0, i % 3 == 0]
                                                  for i in range(60)]  # fmt: skip
    leaks = [str(w) for w in fit_logit(rows, "Won", features="Visits; Amount paid").warnings if isinstance(w, LeakWarning)]
    assert leaks == ['Probable leak: "Amount paid" alone separates won from lost (every won deal is above 0, every '
                     'lost one at or below it): a value known only once a deal is decided, such as the outcome under '
                     'another name? Leave "Amount paid" out of the features']  # fmt: skip


def test_settings_naming_absent_columns_are_noted_with_a_did_you_mean() -> None:
    settings = read_settings([["Setting", "Value"], ["Amount column", "Deal Amt"], ["Source column", "Lead Sorce"],
                              ["Features", "Job Title; Company Sise"]])  # fmt: skip
    headers = ["Deal ID", "Job Title", "Company Size", "Lead Source", "Won", "Deal Amount"]
    assert column_notes(settings, headers) == (
        'Settings row 2: Amount column "Deal Amt" is not a Deals column; did you mean "Deal Amount"?; until it is '
        "fixed, the Report's expected-value cut-off has no deal values",
        'Settings row 3: Source column "Lead Sorce" is not a Deals column; did you mean "Lead Source"?; until it is '
        "fixed, the Report has no channel report",
        'Settings row 4: Features "Company Sise" is not a Deals column; did you mean "Company Size"?; until it is '
        "fixed, the model is fitted without it",
    )  # fmt: skip


def test_the_refresh_fits_without_an_absent_settings_feature_and_names_it(tmp_path) -> None:
    from leadscore_xl.refresh.book_file import open_book
    from leadscore_xl.refresh.run import RefreshOptions, refresh
    from test_refresh_support import SETTINGS, build_workbook, save

    wb = build_workbook()
    ws = wb["Settings"]
    for row in (["Features", "Job Title; Company Sise; Demo Requested"], ["Amount column", "Deal Amt"]):
        ws.append(row)
    ws.tables["Settings"].ref = f"A1:B{len(SETTINGS) + 2}"
    src = save(wb, tmp_path / "book.xlsx")
    result = refresh(open_book(src, tmp_path / "out.xlsx"), RefreshOptions(now=dt.datetime(2026, 4, 1)))
    assert result.model_fitted
    assert any('Features "Company Sise" is not a Deals column; did you mean "Company Size"?' in n for n in result.notes)
    assert any('Amount column "Deal Amt" is not a Deals column' in n for n in result.notes)


@pytest.fixture(scope="module")
def sample_deals() -> list[list[object]]:
    from workbook.sample_data import make_sample

    return make_sample(50, 800).deals


def test_logitfit_on_the_sample_deals_does_not_take_the_deal_amount(sample_deals) -> None:
    """=LOGITFIT(Deals[#All], "Won") with no Settings: "Deal Amount" is the Amount column by default."""
    sheet = xlharness.call(leadscore_udfs.LOGITFIT, sample_deals, "Won")
    terms = [r[1] for r in sheet[1:] if r[0]]
    assert "Deal Amount" not in terms[: terms.index("Type")] and "Budget" in terms
    assert any('"Deal Amount" was left out: it is the Amount column' in str(r[1]) for r in sheet)
    leads = make_leads()
    out = xlharness.call(leadscore_udfs.LEADPROBS, sheet, leads)
    assert all(isinstance(r[0], float) for r in out)
    renamed = xlharness.call(leadscore_udfs.LOGITFIT, sample_deals, "Won", xlharness.MISSING, xlharness.MISSING,
                             xlharness.MISSING, [["Setting", "Value"], ["Amount column", "Budget"]])  # fmt: skip
    assert "Deal Amount" in [r[1] for r in renamed[1:] if r[0]]  # another Amount column: Deal Amount is a feature


def make_leads() -> list[list[object]]:
    from workbook.sample_data import make_sample

    return make_sample(20, 100).leads


def test_leadprobs_says_how_to_refit_without_a_variable_leads_lack(sample_deals) -> None:
    sheet = xlharness.call(leadscore_udfs.LOGITFIT, sample_deals, "Won", "Job Title; Deal Amount")
    out = xlharness.call(leadscore_udfs.LEADPROBS, sheet, make_leads())
    text = out[0][0] if isinstance(out, list) else out
    assert 'model variable "Deal Amount" is not a Leads column' in text
    assert 'refit the model without "Deal Amount"' in text and "features" in text
