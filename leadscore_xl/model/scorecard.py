"""Scorecard points from a fitted logit: the coefficient table becomes a Rules table.

Score = Offset + Factor × ln(odds of winning), so higher points always mean more
likely to win (credit scoring uses the opposite sign). Each term gives
points = Factor × coefficient (× the value, for a number):

* a dummy ``Industry: Software`` -> rule ``Industry = Software``; the reference level (not
  a row of the table) and levels the model never saw get 0 points and no rule; the level
  "(blank)" -> ``is blank``; "Other" -> ``in`` the levels the Variables block (which
  LOGITFIT spills below the coefficients) lists as pooled into it. The table is read by
  :func:`leadscore_xl.model.coefficients.read_model`, exactly as LEADPROBS reads it;
* a boolean column -> ``= TRUE``;
* a number or date column -> one rule per bin of the deals (quantile bins, or the user's
  edges, exactly as in CLOSERATES), worth Factor × coefficient × the median of the deals
  in that bin (for dates: the median age in days at the as-of date). A salesperson reads
  "Employees 50 to 199: +12". A variable with a blank filled value (the missing-indicator
  method: its "(blank)" term, and "Blank filled with" in the Variables block) gets a rule
  ``is blank`` worth Factor × (slope × fill + the "(blank)" coefficient), exactly what
  LEADPROBS adds for a blank cell; without it a blank number gets 0 points (the model
  itself cannot score such a lead);
* the intercept: ``Base points`` = Offset + Factor × intercept, given to every scored
  lead by one rule with the operator ``always``.

Two scalings:

* **linear** (default): the lowest and the highest ln(odds) the rules can give are mapped
  onto 0 and 100, so the score fits the default score range.
* **PDO** (points to double the odds): Factor = PDO ÷ ln 2 and Offset = base score −
  Factor × ln(base odds). With 600 points at odds 50:1 and PDO 20, odds 100:1 score 620
  and odds 25:1 score 580. Set Score min / Score max in Settings to hold such scores.

Points are rounded to whole points (``decimals`` changes that).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from leadscore_xl.closerates.binning import Binning, parse_bins, split_column
from leadscore_xl.closerates.rates import RULES_HEADER
from leadscore_xl.model.coefficients import CoefModel, read_model
from leadscore_xl.sheet.dates import resolve_as_of
from leadscore_xl.model.design import BLANK_LEVEL, OTHER_LEVEL, Variable
from leadscore_xl.errors import InputError, ModelError, ModelTableError, quote
from leadscore_xl.sheet.table import Kind, Table, canonical_text, cell_parts, float_or_nan, is_blank, norm, read_table

__all__ = ["Scaling", "Scorecard", "parse_scaling", "pdo_scaling", "scorecard"]


@dataclass(frozen=True)
class Scaling:
    """How ln(odds) becomes points: "linear" onto 0-100, or "pdo"."""

    method: str = "linear"
    base_score: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0


def pdo_scaling(base_score: float, base_odds: float, pdo: float) -> tuple[float, float]:
    """(Factor, Offset): Factor = PDO / ln 2, Offset = base score - Factor × ln(base odds)."""
    factor = pdo / math.log(2.0)
    return factor, base_score - factor * math.log(base_odds)


def parse_scaling(method: Any = None, base_score: Any = None, base_odds: Any = None, pdo: Any = None) -> Scaling:
    """The scaling arguments; giving any PDO number without a method means PDO."""
    numbers = {"Base score": base_score, "Base odds": base_odds, "PDO": pdo}
    given = {k: _number(k, v) for k, v in numbers.items() if not is_blank(v)}
    key = "pdo" if is_blank(method) and given else norm(str(method or "linear"))
    if key in ("linear", "0-100", "0 to 100"):
        return Scaling("linear")
    if key != "pdo":
        raise InputError(f'Scaling {quote(method)} is not known; use "linear" (0-100) or "PDO"')
    scaling = Scaling("pdo", given.get("Base score", 600.0), given.get("Base odds", 50.0), given.get("PDO", 20.0))
    if not (scaling.base_odds > 0 and scaling.pdo > 0):
        raise InputError("Base odds and PDO must be above 0, e.g. base odds 50 (50:1) and PDO 20")
    return scaling


def _number(what: str, value: Any) -> float:
    number = cell_parts(value)[0] if not isinstance(value, str) else float_or_nan(value)
    if not math.isfinite(number) or isinstance(value, bool):
        raise InputError(f"{what} {quote(value)} is not a number; type e.g. 600, 50 or 20")
    return number


# ---- points ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Piece:
    """One rule before scaling: its condition and its ln(odds) contribution."""

    variable: str
    label: str
    op: str
    value: Any
    logit: float


@dataclass(frozen=True)
class Scorecard:
    """The scorecard as a Rules table, with the scaling that made it."""

    rows: tuple[tuple[Any, ...], ...]
    factor: float
    offset: float
    base: float
    scaling: Scaling = field(default_factory=Scaling)

    def to_rows(self) -> list[list[Any]]:
        return [list(RULES_HEADER)] + [list(r) for r in self.rows]


def _coefficients(cm: CoefModel) -> dict[tuple[str, str | None], float]:
    return {(norm(t.variable), None if t.level is None else norm(t.level)): float(b) for t, b in zip(cm.terms, cm.coef)}


def _pieces(cm: CoefModel, deals: Table | None, binning: Binning, as_of: float) -> list[_Piece]:
    coef = _coefficients(cm)
    pieces: list[_Piece] = []
    for var in cm.variables:
        if var.kind != "categories":
            slope = coef.get((norm(var.name), None))
            if slope is not None:
                pieces += _slope_pieces(var.name, slope, deals, binning, as_of)
            pieces += _blank_piece(var, slope or 0.0, coef.get((norm(var.name), norm(BLANK_LEVEL))))
            continue
        for level in var.levels:
            b = coef[(norm(var.name), norm(level))]
            if norm(level) == norm(BLANK_LEVEL):
                pieces.append(_Piece(var.name, "blank", "is blank", None, b))
            elif norm(level) == norm(OTHER_LEVEL) and var.pooled:
                op = "in" if len(var.pooled) > 1 else "="
                pieces.append(_Piece(var.name, f"{level} ({', '.join(var.pooled)})", op, "; ".join(var.pooled), b))
            elif ";" in level:
                raise ModelTableError(f'Model: level "{level}" of "{var.name}" holds a ";", which a rule Value cannot; rename it')
            else:
                pieces.append(_Piece(var.name, level, "=", level, b))
    return pieces


def _blank_piece(var: Variable, slope: float, indicator: float | None) -> list[_Piece]:
    """The ``is blank`` rule of a number with a blank filled value (see the module docstring)."""
    if var.fill is None and indicator is not None and slope:
        raise ModelTableError(
            f'Model variable "{var.name}" has a "(blank)" term but no "Blank filled with" value; include the '
            "Variables block that LOGITFIT spills below the coefficients in the model range"
        )
    if var.fill is None and indicator is None:
        return []
    return [_Piece(var.name, "blank", "is blank", None, slope * (var.fill or 0.0) + (indicator or 0.0))]


def _slope_pieces(name: str, coef: float, deals: Table | None, binning: Binning, as_of: float) -> list[_Piece]:
    """A number, date or yes/no variable: one piece per bin (or value) of the deals."""
    if deals is None:
        raise InputError(
            f'Model variable "{name}" is a number, date or yes/no column; pass the Deals table as deals '
            "so that it can be binned into points"
        )
    col = deals.column(deals.index(name, "model variable"))
    if col.kind not in (Kind.NUMBER, Kind.DATE, Kind.BOOL):
        raise ModelTableError(
            f'Model variable "{name}" has a coefficient without a Level, but Deals column "{col.name}" holds '
            f"{col.kind.value} values; use the model fitted on this Deals table"
        )
    split = split_column(col, binning, as_of)
    return [
        _Piece(name, _text(level.label), level.op, level.value, coef * level.center)
        for level in split.levels
        if math.isfinite(level.center)
    ]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return canonical_text(value) if isinstance(value, float) else str(value)


def _factor_offset(scaling: Scaling, intercept: float, pieces: list[_Piece]) -> tuple[float, float]:
    if scaling.method == "pdo":
        return pdo_scaling(scaling.base_score, scaling.base_odds, scaling.pdo)
    low = high = intercept
    for variable in dict.fromkeys(p.variable for p in pieces):
        values = [0.0] + [p.logit for p in pieces if p.variable == variable]
        low, high = low + min(values), high + max(values)
    if not high > low:
        raise ModelError("Every coefficient of the model is 0, so no lead scores above another; refit the model")
    factor = 100.0 / (high - low)
    return factor, -factor * low


def scorecard(model: Any, deals: Any = None, scaling: Scaling | None = None, bins: Any = None,
              as_of: Any = None, decimals: int = 0) -> Scorecard:  # fmt: skip
    """The Rules table of a coefficient table (see the module docstring)."""
    scaling = scaling or Scaling()
    cm = model if isinstance(model, CoefModel) else read_model(model)
    intercept = _coefficients(cm)[("intercept", None)]
    if not cm.variables:
        raise ModelTableError("The model has only an Intercept, so every lead gets the same score; fit it with attributes")
    table = None if deals is None or isinstance(deals, Table) else read_table(deals, "Deals")
    table = deals if isinstance(deals, Table) else table
    binning = bins if isinstance(bins, Binning) else parse_bins(bins)
    pieces = _pieces(cm, table, binning, resolve_as_of(None if is_blank(as_of) else as_of))
    factor, offset = _factor_offset(scaling, intercept, pieces)
    base = round(offset + factor * intercept, decimals) + 0.0
    rows: list[tuple[Any, ...]] = [("Base points", "Base", "", "always", None, base)] if base else []
    for p in pieces:
        points = round(factor * p.logit, decimals) + 0.0
        if points:
            rows.append((f"{p.variable}: {p.label}", "Model", p.variable, p.op, p.value, points))
    return Scorecard(tuple(rows), factor, offset, base, scaling)
