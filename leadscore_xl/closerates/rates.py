"""Close rates per attribute value, points from them, suggested rules, the ideal profile.

For each attribute (a Deals column) and each of its values or bins (see
:mod:`leadscore_xl.closerates.binning`), over the deals with a known outcome:

* **Close rate** = won ÷ leads with that value; **Lift** = close rate ÷ overall close rate.
* **Points by lift** = the lift, rounded to one decimal: the guides' method, where a value
  closing at 15 % against 1 % overall is worth 15 points.
* **WOE** (weight of evidence) = ln(share of all won deals ÷ share of all lost deals).
  Smoothing: when any value of an attribute (the Missing row included) has no won or no
  lost deals, 0.5 is added to the won and the lost count of *every* value of that
  attribute before the shares are taken, so every WOE is finite. An attribute without
  such an empty cell keeps its raw counts, so its WOE is exactly the log odds ratio
  against the overall odds (a one-variable logit on it has slope 1, intercept ln(won/lost)).
* **IV** (information value): each value's (share of won − share of lost) × WOE; the
  Total row holds their sum, the attribute's IV (below 0.02 not predictive, 0.02-0.1
  weak, 0.1-0.3 medium, above 0.3 strong).

Every attribute ends with a Missing row (for blank cells, if any) and a Total row that
equals the overall close rate. Text columns with a different value on most rows (more
than 10 distinct values covering more than half of the filled rows: IDs, e-mails) and
number columns headed "ID" are skipped unless named in ``attributes``.

:func:`suggest_rules` turns the close rates into a Rules table; :func:`ideal_profile`
lists the values most over-represented among won deals. The close-rate table and the
profile show their diagnostics (blank outcomes left out, identifier columns skipped) below
the table: a blank row, then one ``Warning | text`` row each; with no attribute left they
are one line saying why. The suggested Rules table carries none, so it stays pasteable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from leadscore_xl.closerates.binning import MISSING, Binning, Level, Split, parse_bins, split_column
from leadscore_xl.sheet.dates import resolve_as_of
from leadscore_xl.closerates.dealcols import pick_attributes, read_outcomes, whole_number
from leadscore_xl.errors import DataQualityWarning, LeadScoreWarning, ModelError
from leadscore_xl.sheet.table import Kind, Table, canonical_text, is_blank, read_table

__all__ = [
    "CLOSERATES_HEADER", "PROFILE_HEADER", "RULES_HEADER", "AttributeRates", "CloseRates", "LevelRate",
    "Profile", "Suggestion", "close_rates", "ideal_profile", "read_outcomes", "suggest_rules", "warning_rows",
    "whole_number", "woe_iv",
]  # fmt: skip

CLOSERATES_HEADER = ("Attribute", "Value", "Leads", "Won", "Close rate", "Lift", "Points by lift", "WOE", "IV")
RULES_HEADER = ("Rule", "Group", "Attribute", "Operator", "Value", "Points")
PROFILE_HEADER = ("Attribute", "Value", "Won", "Leads", "Share of won", "Share of all",
                  "Over-representation", "Attribute IV")  # fmt: skip
SMOOTHING = 0.5
MIN_IV = 0.02


@dataclass(frozen=True)
class LevelRate:
    """The counts and statistics of one value or bin of an attribute."""

    level: Level
    leads: int
    won: int
    overall: float
    woe: float
    iv: float

    @property
    def rate(self) -> float:
        return self.won / self.leads if self.leads else math.nan

    @property
    def lift(self) -> float:
        return self.rate / self.overall

    @property
    def points(self) -> float:
        """Points by lift: the lift rounded to one decimal (15 % vs 1 % -> 15)."""
        return round(self.lift, 1)

    def row(self, attribute: str) -> list[Any]:
        return [attribute, self.level.label, self.leads, self.won, self.rate, self.lift,
                self.points, self.woe, self.iv]  # fmt: skip


@dataclass(frozen=True)
class AttributeRates:
    """One attribute: its values (then Missing, if any blanks), IV and whether smoothed."""

    name: str
    kind: Kind
    levels: tuple[LevelRate, ...]
    iv: float
    smoothed: bool


@dataclass(frozen=True)
class CloseRates:
    """Close rates of every attribute, with the overall counts and any diagnostics."""

    attributes: tuple[AttributeRates, ...]
    leads: int
    won: int
    warnings: tuple[LeadScoreWarning, ...] = ()
    outcome: str = "Outcome"
    skipped: tuple[str, ...] = ()

    @property
    def overall(self) -> float:
        return self.won / self.leads

    def ranked(self) -> list[AttributeRates]:
        """Attributes by information value, highest first (ties keep column order)."""
        return sorted(self.attributes, key=lambda a: -a.iv)

    def why_empty(self) -> str:
        """Why no attribute is left (one line), or empty text when there are attributes."""
        if self.attributes:
            return ""
        if self.skipped:
            return (f'No attribute to compare: every column besides the outcome "{self.outcome}" is empty or looks '
                    "like an identifier; name the columns to compare in the attributes argument")  # fmt: skip
        return (f'No attribute to compare: the Deals table has no filled column besides the outcome "{self.outcome}"; '
                "add columns such as Industry or Source")  # fmt: skip

    def to_rows(self) -> list[list[Any]]:
        """The table, then a blank row and one Warning row per diagnostic; one line when no attribute is left."""
        if not self.attributes:
            return [[self.why_empty(), None]] + warning_rows(self.warnings, 2)
        rows: list[list[Any]] = [list(CLOSERATES_HEADER)]
        for attribute in self.attributes:
            rows += [lr.row(attribute.name) for lr in attribute.levels]
            rows.append([attribute.name, "Total", self.leads, self.won, self.overall, 1.0, 1.0, 0.0, attribute.iv])
        return rows + warning_rows(self.warnings, len(CLOSERATES_HEADER))


def warning_rows(warnings: Sequence[LeadScoreWarning], width: int) -> list[list[Any]]:
    """Below a table: a blank row, then ``Warning | text`` per diagnostic (nothing without any)."""
    if not warnings:
        return []
    return [[None] * width] + [["Warning", str(w)] + [None] * (width - 2) for w in warnings]


# ---- statistics -----------------------------------------------------------------------
def woe_iv(won: np.ndarray, lost: np.ndarray, smoothing: float = SMOOTHING) -> tuple[np.ndarray, np.ndarray, bool]:
    """WOE and IV part of each cell; smoothed (see the module docstring) only when a cell
    has no won or no lost deals. Returns (woe, iv, smoothed)."""
    won, lost = np.asarray(won, dtype=float), np.asarray(lost, dtype=float)
    smoothed = bool(smoothing > 0 and (np.any(won == 0) or np.any(lost == 0)))
    add = smoothing if smoothed else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        share_won = (won + add) / (won.sum() + add * won.size)
        share_lost = (lost + add) / (lost.sum() + add * lost.size)
        woe = np.log(share_won / share_lost)
        iv = (share_won - share_lost) * woe
    return woe, iv, smoothed


def _attribute_rates(split: Split, y: np.ndarray, overall: float, smoothing: float) -> AttributeRates:
    k = len(split.levels)
    codes = np.where(split.codes < 0, k, split.codes)
    leads = np.bincount(codes, minlength=k + 1)
    won = np.bincount(codes, weights=y, minlength=k + 1).round().astype(np.int64)
    levels = list(split.levels) + [MISSING]
    keep = [i for i in range(k + 1) if i < k or leads[k] > 0]
    woe, iv, smoothed = woe_iv(won[keep], leads[keep] - won[keep], smoothing)
    rates = tuple(
        LevelRate(levels[i], int(leads[i]), int(won[i]), overall, float(w), float(v))
        for i, w, v in zip(keep, woe, iv)
    )
    return AttributeRates(split.name, split.kind, rates, float(np.sum(iv)), smoothed)


def close_rates(deals: Any, outcome: Any, attributes: Any = None, bins: Any = None,
                as_of: Any = None, smoothing: float = SMOOTHING) -> CloseRates:  # fmt: skip
    """Close rates of every attribute of a Deals range (with its header row)."""
    table = deals if isinstance(deals, Table) else read_table(deals, "Deals")
    binning = bins if isinstance(bins, Binning) else parse_bins(bins)
    outcome_index, y = read_outcomes(table, outcome)
    for name in binning.names.values():
        table.index(name, "bins attribute")
    known = ~np.isnan(y)
    warnings: list[LeadScoreWarning] = []
    if not known.all():
        blanks = int(np.count_nonzero(~known[: table.filled]))
        if blanks:
            warnings.append(DataQualityWarning(f"{blanks} deals with a blank outcome (still open?) were left out"))
        table, y = table.select(known), y[known]
    _check_outcomes(table, y, outcome_index)
    picked, skipped = pick_attributes(table, outcome_index, attributes)
    if skipped:
        warnings.append(DataQualityWarning(
            "Skipped as identifiers (a different value on most rows): " + ", ".join(f'"{s}"' for s in skipped)
            + "; name them in the attributes argument to include them"
        ))  # fmt: skip
    day = resolve_as_of(None if is_blank(as_of) else as_of)
    overall = float(y.mean())
    rates = tuple(
        _attribute_rates(split_column(table.column(i), binning, day), y, overall, smoothing) for i in picked
    )
    return CloseRates(rates, len(y), int(y.sum()), tuple(warnings), table.headers[outcome_index], tuple(skipped))


def _check_outcomes(table: Table, y: np.ndarray, outcome_index: int) -> None:
    name = table.headers[outcome_index]
    if not len(y):
        raise ModelError(f'No deal has an outcome in column "{name}"; fill it with Won or Lost')
    if y.min() == y.max():
        which = "Won" if y[0] == 1.0 else "Lost"
        raise ModelError(
            f'Every deal in column "{name}" is {which}; close rates compare won with lost deals, '
            "so the Deals table needs both"
        )


# ---- suggested rules ------------------------------------------------------------------
@dataclass(frozen=True)
class Suggestion:
    """A Rules table (exactly the rules engine's columns) and the points per unit of WOE."""

    rows: tuple[tuple[Any, ...], ...]
    factor: float

    def to_rows(self) -> list[list[Any]]:
        return [list(RULES_HEADER)] + [list(r) for r in self.rows]


def _expressible(level: Level) -> bool:
    """A text value holding ';' cannot be written as a rule Value (';' separates lists)."""
    return not (isinstance(level.label, str) and level.op == "=" and ";" in level.label)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return canonical_text(value) if isinstance(value, float) else str(value)


def _attribute_rules(a: AttributeRates, kept: Sequence[LevelRate], factor: float) -> list[tuple[Any, ...]]:
    """Rules of one attribute: text values with equal points share one ``in`` rule."""
    points = [round(factor * lr.woe) for lr in kept]
    out: list[tuple[Any, ...]] = []
    merge_text = a.kind in (Kind.TEXT, Kind.MIXED)
    done: set[int] = set()
    for i, lr in enumerate(kept):
        if i in done or points[i] == 0:
            continue
        level = lr.level
        same = [j for j in range(i, len(kept)) if merge_text and level.op == kept[j].level.op == "="
                and points[j] == points[i]]  # fmt: skip
        if len(same) > 1:
            done.update(same)
            shown = [_text(kept[j].level.label) for j in same]
            out.append((f"{a.name}: {', '.join(shown)}", "Suggested", a.name, "in", "; ".join(shown), points[i]))
            continue
        label = "blank" if level is MISSING else _text(level.label)
        out.append((f"{a.name}: {label}", "Suggested", a.name, level.op, level.value, points[i]))
    return out


def suggest_rules(rates: CloseRates, min_leads: int = 10, top: int = 0,
                  min_iv: float = MIN_IV) -> Suggestion:  # fmt: skip
    """A Rules table from close rates.

    Attributes with an IV of at least ``min_iv`` are taken by IV, highest first (at most
    ``top``; 0 = all). A value fires a rule only if at least ``min_leads`` deals have it. Points =
    factor × WOE, rounded to whole points, so values that close below average get
    negative points; factor = 100 ÷ (best − worst), the sums over the chosen attributes of
    their highest and lowest WOE (0 when none is above or below). A "Baseline" rule
    (operator ``always``) adds −worst × factor to every scored lead, so that a lead with
    the best value of every attribute scores 100 and one with the worst scores 0, rather
    than every below-average lead being clamped to 0. Values rounding to 0 points get no rule.
    """
    chosen = [a for a in rates.ranked() if a.iv >= min_iv][: top if top else None]
    kept = {a.name: [lr for lr in a.levels if lr.leads >= min_leads and _expressible(lr.level)] for a in chosen}
    best = sum(max([0.0] + [lr.woe for lr in kept[a.name]]) for a in chosen)
    if best <= 0:
        raise ModelError(
            f"No attribute value closes above average in at least {min_leads} deals with an information value "
            f"of at least {min_iv:g}; add deals, lower min_leads, or bin numbers differently"
        )
    worst = sum(min([0.0] + [lr.woe for lr in kept[a.name]]) for a in chosen)
    factor = 100.0 / (best - worst)
    base = round(-worst * factor)
    baseline = [("Baseline", "Suggested", "", "always", "", base)] if base else []
    rows = baseline + [r for a in chosen for r in _attribute_rules(a, kept[a.name], factor)]
    return Suggestion(tuple(rows), factor)


# ---- ideal-customer profile -----------------------------------------------------------
@dataclass(frozen=True)
class Profile:
    """Per attribute (by IV), the values most over-represented among won deals."""

    rows: tuple[tuple[Any, ...], ...]
    warnings: tuple[LeadScoreWarning, ...] = ()
    why_empty: str = ""

    def to_rows(self) -> list[list[Any]]:
        """The profile, then a blank row and one Warning row per diagnostic; one line when it is empty."""
        if not self.rows:
            return [[self.why_empty or "No value is over-represented among won deals", None]] + warning_rows(
                self.warnings, 2)  # fmt: skip
        table = [list(PROFILE_HEADER)] + [list(r) for r in self.rows]
        return table + warning_rows(self.warnings, len(PROFILE_HEADER))


def ideal_profile(rates: CloseRates, top: int = 3, min_leads: int = 10, min_iv: float = MIN_IV) -> Profile:
    """Share of won ÷ share of all deals (which equals the lift) for the values with at
    least ``min_leads`` deals that are more common among won deals; ``top`` per attribute,
    for the attributes with an IV of at least ``min_iv``, by IV. Missing is never part of
    a profile."""
    rows = []
    for a in (a for a in rates.ranked() if a.iv >= min_iv):
        over = [lr for lr in a.levels if lr.level is not MISSING and lr.leads >= min_leads and lr.lift > 1.0]
        over.sort(key=lambda lr: -lr.lift)
        for lr in over[:top]:
            rows.append((a.name, lr.level.label, lr.won, lr.leads, lr.won / rates.won,
                         lr.leads / rates.leads, lr.lift, a.iv))  # fmt: skip
    return Profile(tuple(rows), rates.warnings, "" if rows else _why_no_profile(rates, min_leads, min_iv))


def _why_no_profile(rates: CloseRates, min_leads: int, min_iv: float) -> str:
    if not rates.attributes:
        return rates.why_empty()
    best = rates.ranked()[0]
    if best.iv < min_iv:
        return (f"No attribute tells won from lost deals: the highest information value is {best.iv:.3f} "
                f'("{best.name}"), below {min_iv:g}; add deals or attributes')  # fmt: skip
    return (f"No value held by at least {min_leads} deals is more common among won deals; "
            "lower min_leads or add deals")  # fmt: skip
