"""Deterministic synthetic B2B leads and past deals, drawn from a known logistic model.

The sample workbook needs data that looks like a CRM export and carries a signal the
rules and the regression can find. Every row is drawn from :data:`GROUND_TRUTH`, a
logistic model on the lead's own columns::

    logit P(Won) = intercept + title + size + industry + region + source
                   + budget >= 50,000 + per-visit, per-email, per-download effects
                   + webinar + demo + trial + unsubscribed + competitor
                   + days since last activity + days since created

so a test (or an analyst) can check that ``LOGITFIT`` on the Deals sheet recovers the
signs and rough sizes of these coefficients. Open leads are drawn from the same feature
distribution; their outcome is unknown.

Reproducible on any machine: numpy's legacy ``RandomState`` (whose streams numpy keeps
fixed across versions) with a fixed seed, values rounded to what a cell shows, and
dates counted from the pinned :data:`AS_OF` date.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "AS_OF",
    "DEAL_COLUMNS",
    "FEATURE_COLUMNS",
    "GROUND_TRUTH",
    "LEAD_COLUMNS",
    "SampleData",
    "make_sample",
]

AS_OF = dt.datetime(2026, 3, 31)
SEED = 20260331

TITLES = ("CEO", "CFO", "CTO", "VP Sales", "VP Marketing", "Director", "Manager", "Analyst",
          "Consultant", "Student")  # fmt: skip
TITLE_SHARE = (0.03, 0.03, 0.04, 0.06, 0.06, 0.16, 0.25, 0.18, 0.12, 0.07)
SIZES = ("1-49", "50-199", "200-999", "1000-4999", "5000+")
SIZE_SHARE = (0.30, 0.27, 0.22, 0.13, 0.08)
SIZE_EMPLOYEES = (20, 110, 480, 2200, 9000)  # a typical head count per band
INDUSTRIES = ("Software", "Financial Services", "Healthcare", "Manufacturing", "Retail",
              "Education", "Government")  # fmt: skip
INDUSTRY_SHARE = (0.24, 0.15, 0.14, 0.16, 0.13, 0.10, 0.08)
REGIONS = ("North America", "EMEA", "APAC", "LATAM")
REGION_SHARE = (0.42, 0.31, 0.18, 0.09)
SOURCES = ("Organic Search", "Paid Search", "Referral", "Webinar", "Trade Show", "Social",
           "Purchased List", "Partner")  # fmt: skip
SOURCE_SHARE = (0.22, 0.20, 0.08, 0.10, 0.09, 0.13, 0.10, 0.08)

FEATURE_COLUMNS = (
    "Job Title", "Company Size", "Industry", "Region", "Annual Revenue", "Budget", "Lead Source",
    "Pricing Page Visits", "Emails Opened", "Emails Clicked", "Whitepaper Downloads",
    "Webinar Attended", "Demo Requested", "Free Trial", "Unsubscribed", "Competitor Domain",
    "Last Activity Date", "Created Date",
)  # fmt: skip
LEAD_COLUMNS = ("Lead ID", "Company", "Email", *FEATURE_COLUMNS)
DEAL_COLUMNS = ("Deal ID", "Company", *FEATURE_COLUMNS, "Won", "Deal Amount")

# The model the deals are drawn from (log-odds; text levels not listed are the reference).
GROUND_TRUTH: dict[str, Any] = {
    "Intercept": -3.1,
    "Job Title": {"CEO": 0.9, "CFO": 0.9, "CTO": 0.9, "VP Sales": 0.8, "VP Marketing": 0.8,
                  "Director": 0.6, "Manager": 0.2, "Consultant": -0.3, "Student": -1.8},
    "Company Size": {"1-49": -0.6, "200-999": 0.4, "1000-4999": 0.6, "5000+": 0.3},
    "Industry": {"Software": 0.5, "Financial Services": 0.3, "Healthcare": 0.1, "Retail": -0.2,
                 "Education": -0.5, "Government": -0.4},
    "Region": {"North America": 0.1, "APAC": -0.1, "LATAM": -0.3},
    "Lead Source": {"Organic Search": 0.2, "Referral": 0.7, "Webinar": 0.3, "Trade Show": 0.1,
                    "Social": -0.2, "Purchased List": -0.9, "Partner": 0.4},
    "Budget >= 50000": 0.5,
    "Pricing Page Visits": 0.25,
    "Emails Opened": 0.03,
    "Emails Clicked": 0.15,
    "Whitepaper Downloads": 0.1,
    "Webinar Attended": 0.3,
    "Demo Requested": 1.2,
    "Free Trial": 0.8,
    "Unsubscribed": -1.0,
    "Competitor Domain": -2.5,
    "Days since last activity": -0.01,
    "Days since created": -0.001,
}  # fmt: skip

_PREFIX = ("North", "Blue", "Silver", "Bright", "Iron", "Clear", "Summit", "Harbor", "Pine",
           "Red", "Granite", "Swift", "Cedar", "Atlas", "Nova", "Vertex", "Oak", "Polar",
           "Copper", "Lumen", "Echo", "Apex", "Crescent", "Maple", "Orbit", "Delta", "Falcon",
           "Sterling", "Willow", "Zenith")  # fmt: skip
_CORE = ("wind", "stone", "field", "bridge", "gate", "point", "wave", "ridge", "crest", "brook",
         "light", "path", "forge", "line", "peak", "vale", "port", "mark", "works", "view",
         "shore", "spring", "core", "leaf", "hill", "star", "bay", "rock", "wood", "sky")  # fmt: skip
_SUFFIX = ("Analytics", "Systems", "Labs", "Group", "Partners", "Holdings", "Logistics",
           "Health", "Capital", "Software", "Industries", "Retail", "Foods", "Energy")  # fmt: skip
_FIRST = ("anna", "ben", "carla", "david", "elena", "felix", "grace", "hugo", "ines", "jonas",
          "kate", "liam", "maya", "nils", "olga", "paul", "rosa", "sam", "tara", "umar")  # fmt: skip
_LAST = ("meyer", "smith", "garcia", "chen", "novak", "okafor", "rossi", "tanaka", "berg",
         "silva", "kowalski", "dubois", "patel", "jensen", "murphy", "larsen")  # fmt: skip
_COMPETITORS = ("rivalscore.com", "leadpilot.io")


@dataclass(frozen=True)
class SampleData:
    """Header rows plus data rows, as they go onto the Leads and Deals sheets."""

    leads: list[list[Any]]
    deals: list[list[Any]]
    as_of: dt.datetime = AS_OF


def make_sample(n_leads: int = 2000, n_deals: int = 5000, seed: int = SEED) -> SampleData:
    """Draw the open leads and the past deals (deals first, then leads, from one stream)."""
    rng = np.random.RandomState(seed)
    names = _company_names(rng, n_leads + n_deals)
    deals = _features(rng, n_deals, max_age=730)
    won = rng.random_sample(n_deals) < _probability(deals)
    amount = _deal_amount(rng, deals["Company Size"])
    leads = _features(rng, n_leads, max_age=365)
    deal_rows = [
        [f"D-{i + 1:05d}", names[n_leads + i], *_row(deals, i), bool(won[i]), float(amount[i])]
        for i in range(n_deals)
    ]
    lead_rows = [
        [f"L-{i + 1:05d}", names[i], _email(rng, names[i], leads["Competitor Domain"][i]), *_row(leads, i)]
        for i in range(n_leads)
    ]
    return SampleData([list(LEAD_COLUMNS), *lead_rows], [list(DEAL_COLUMNS), *deal_rows])


def _pick(rng: np.random.RandomState, labels: tuple[str, ...], share: tuple[float, ...], n: int) -> np.ndarray:
    cumulative = np.cumsum(share) / sum(share)
    return np.array(labels, dtype=object)[np.searchsorted(cumulative, rng.random_sample(n), side="right")]


def _features(rng: np.random.RandomState, n: int, max_age: int) -> dict[str, np.ndarray]:
    """One column per feature; behaviour follows a latent interest per lead."""
    interest = rng.gamma(2.0, 0.5, n)  # mean 1: how engaged the buyer is
    f: dict[str, np.ndarray] = {
        "Job Title": _pick(rng, TITLES, TITLE_SHARE, n),
        "Company Size": _pick(rng, SIZES, SIZE_SHARE, n),
        "Industry": _pick(rng, INDUSTRIES, INDUSTRY_SHARE, n),
        "Region": _pick(rng, REGIONS, REGION_SHARE, n),
    }
    employees = np.array([SIZE_EMPLOYEES[SIZES.index(s)] for s in f["Company Size"]], dtype=float)
    employees *= rng.lognormal(0.0, 0.5, n)
    f["Annual Revenue"] = np.round(employees * rng.lognormal(np.log(150_000), 0.4, n), -3)
    budget = np.round(np.sqrt(f["Annual Revenue"]) * rng.lognormal(2.8, 0.6, n), -3)
    f["Budget"] = np.where(rng.random_sample(n) < 0.15, np.nan, np.maximum(budget, 1000.0))
    f["Lead Source"] = _pick(rng, SOURCES, SOURCE_SHARE, n)
    f["Pricing Page Visits"] = rng.poisson(0.8 * interest)
    f["Emails Opened"] = rng.poisson(1.5 + 3.0 * interest)
    f["Emails Clicked"] = rng.binomial(f["Emails Opened"], np.minimum(0.1 + 0.15 * interest, 0.9))
    f["Whitepaper Downloads"] = rng.poisson(0.5 * interest)
    f["Webinar Attended"] = rng.random_sample(n) < 0.08 + 0.12 * np.minimum(interest, 2.5)
    f["Demo Requested"] = rng.random_sample(n) < 0.03 + 0.09 * np.minimum(interest, 2.5)
    f["Free Trial"] = rng.random_sample(n) < 0.02 + 0.07 * np.minimum(interest, 2.5)
    f["Unsubscribed"] = rng.random_sample(n) < 0.09 / (1.0 + interest)
    f["Competitor Domain"] = rng.random_sample(n) < 0.02
    created_age = rng.randint(1, max_age + 1, n)
    idle = np.minimum(np.floor(rng.exponential(60.0 / (0.3 + interest), n)), created_age)
    f["Days since created"] = created_age.astype(float)
    f["Days since last activity"] = idle
    return f


def _probability(f: dict[str, np.ndarray]) -> np.ndarray:
    """P(Won) under GROUND_TRUTH for every row of a feature dict."""
    eta = np.full(len(f["Job Title"]), GROUND_TRUTH["Intercept"])
    for name, value in GROUND_TRUTH.items():
        if isinstance(value, dict):
            eta += np.array([value.get(v, 0.0) for v in f[name]])
        elif name == "Budget >= 50000":
            eta += value * (np.nan_to_num(f["Budget"]) >= 50_000)
        elif name != "Intercept":
            eta += value * f[name].astype(float)
    return 1.0 / (1.0 + np.exp(-eta))


def _deal_amount(rng: np.random.RandomState, sizes: np.ndarray) -> np.ndarray:
    base = {"1-49": 8_000, "50-199": 20_000, "200-999": 45_000, "1000-4999": 90_000, "5000+": 160_000}
    typical = np.array([base[s] for s in sizes], dtype=float)
    return np.round(typical * rng.lognormal(0.0, 0.4, len(sizes)), -2)


def _day(age: float) -> dt.datetime:
    return AS_OF - dt.timedelta(days=int(age))


def _row(f: dict[str, np.ndarray], i: int) -> list[Any]:
    """Row i in FEATURE_COLUMNS order, as cell values (None for a blank budget)."""
    out: list[Any] = []
    for name in FEATURE_COLUMNS:
        if name == "Last Activity Date":
            out.append(_day(f["Days since last activity"][i]))
        elif name == "Created Date":
            out.append(_day(f["Days since created"][i]))
        else:
            value = f[name][i]
            if isinstance(value, (bool, np.bool_)):
                out.append(bool(value))
            elif isinstance(value, str):
                out.append(value)
            else:
                number = float(value)
                out.append(None if math.isnan(number) else number)
    return out


def _company_names(rng: np.random.RandomState, n: int) -> list[str]:
    """n distinct company names (unique per row, as in a CRM export)."""
    combos = len(_PREFIX) * len(_CORE) * len(_SUFFIX)
    picks = rng.permutation(combos)[:n] if n <= combos else np.arange(n)
    names = []
    for k in picks.tolist():
        p, rest = divmod(k, len(_CORE) * len(_SUFFIX))
        c, s = divmod(rest, len(_SUFFIX))
        base = f"{_PREFIX[p]}{_CORE[c]} {_SUFFIX[s]}"
        names.append(base if k < combos else f"{base} {k // combos + 1}")
    return names


def _email(rng: np.random.RandomState, company: str, competitor: bool) -> str:
    first = _FIRST[rng.randint(len(_FIRST))]
    last = _LAST[rng.randint(len(_LAST))]
    domain = _COMPETITORS[rng.randint(2)] if competitor else company.split()[0].lower() + ".com"
    return f"{first}.{last}@{domain}"
