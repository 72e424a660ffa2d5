"""Close-rate functions: CLOSERATES, SUGGESTRULES, ICP and SCORECARD."""

from __future__ import annotations

from typing import Any

import xlwings as xw

from leadscore_xl.closerates import rates as cr
from leadscore_xl.model import scorecard as sc

from ._excel import CATEGORY, excel_args, excel_function, grid

__all__ = ["CLOSERATES", "ICP", "SCORECARD", "SUGGESTRULES"]

_DEALS = "The Deals table with its header row, e.g. Deals[#All]"
_OUTCOME = 'The outcome column\'s header, e.g. "Outcome" (Won/Lost, Yes/No, TRUE/FALSE, 1/0, Converted/Not converted)'
_ATTRIBUTES = 'Optional columns to use, e.g. "Industry; Employees" or a range of headers (default: all but IDs)'
_BINS = 'Optional: quantile bins for numbers and dates (default 5), or edges: "Employees: 10; 50; 200 | Age: 30; 90"'
_AS_OF = "Optional as-of date for the age of date columns (default today)"
_MIN_LEADS = "Optional: leave out values held by fewer deals than this (default 10)"
_DEAL_ARGS = excel_args("deals", "outcome", "attributes", "bins", "as_of", docs={
    "deals": (True, _DEALS), "outcome": (False, _OUTCOME), "attributes": (True, _ATTRIBUTES),
    "bins": (True, _BINS), "as_of": (False, _AS_OF),
})  # fmt: skip


@xw.func(category=CATEGORY)
@_DEAL_ARGS
@excel_function
def CLOSERATES(deals: Any, outcome: Any, attributes: Any = None, bins: Any = None, as_of: Any = None) -> Any:
    """Spills per attribute value: leads, won, close rate, lift, points by lift, WOE and IV, with Missing and Total rows."""
    return grid(cr.close_rates(deals, outcome, attributes, bins, as_of).to_rows())


@xw.func(category=CATEGORY)
@_DEAL_ARGS
@xw.arg("min_leads", doc=_MIN_LEADS)
@xw.arg("top", doc="Optional: the number of attributes to use, by information value (default all with IV >= 0.02)")
@excel_function
def SUGGESTRULES(deals: Any, outcome: Any, attributes: Any = None, bins: Any = None, as_of: Any = None,
                 min_leads: Any = None, top: Any = None) -> Any:  # fmt: skip
    """Spills a Rules table (Rule, Group, Attribute, Operator, Value, Points) suggested from the deals' close rates."""
    rates = cr.close_rates(deals, outcome, attributes, bins, as_of)
    minimum = cr.whole_number(min_leads, "Min leads", 10)
    suggestion = cr.suggest_rules(rates, minimum, cr.whole_number(top, "Top", 0))
    return grid(suggestion.to_rows())


@xw.func(category=CATEGORY)
@_DEAL_ARGS
@xw.arg("min_leads", doc=_MIN_LEADS)
@xw.arg("top", doc="Optional: values listed per attribute (default 3)")
@excel_function
def ICP(deals: Any, outcome: Any, attributes: Any = None, bins: Any = None, as_of: Any = None,
        min_leads: Any = None, top: Any = None) -> Any:  # fmt: skip
    """Spills the ideal-customer profile: per attribute, the values most over-represented among won deals."""
    rates = cr.close_rates(deals, outcome, attributes, bins, as_of)
    minimum = cr.whole_number(min_leads, "Min leads", 10)
    return grid(cr.ideal_profile(rates, cr.whole_number(top, "Top", 3), minimum).to_rows())


@xw.func(category=CATEGORY)
@xw.arg("model", ndim=2, doc="The coefficient table with its header row (Term, Variable, Level, Coef, ...), e.g. from LOGITFIT")
@xw.arg("deals", ndim=2, doc="The Deals table: needed to bin number and date variables into points")
@xw.arg("scaling", doc='Optional: "linear" (0-100, the default) or "PDO"')
@xw.arg("base_score", doc="Optional PDO base score (default 600)")
@xw.arg("base_odds", doc="Optional PDO base odds of winning, e.g. 50 for 50:1 (default 50)")
@xw.arg("pdo", doc="Optional PDO: points that double the odds (default 20)")
@xw.arg("bins", ndim=2, doc=_BINS)
@xw.arg("as_of", doc=_AS_OF)
@excel_function
def SCORECARD(model: Any, deals: Any = None, scaling: Any = None, base_score: Any = None, base_odds: Any = None,
              pdo: Any = None, bins: Any = None, as_of: Any = None) -> Any:  # fmt: skip
    """Spills a Rules table of scorecard points from a fitted logit: points = factor x coefficient, higher = more likely to win."""
    how = sc.parse_scaling(scaling, base_score, base_odds, pdo)
    return grid(sc.scorecard(model, deals, how, bins, as_of).to_rows())
