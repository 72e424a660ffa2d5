"""Monitoring tables: conversion by band or grade, channel quality, disagreement flags.

* **Conversion by band.** Leads, won and close rate per score band (from the Settings
  bands) or per grade text, plus the lead-to-customer conversion of qualified leads:
  won qualified / all qualified. By default the qualified bands are those routed to
  Sales (High value and MQL with the default bands).
* **Channel report.** Per lead source: leads, won, close rate, lift against the
  overall close rate, mean score and mean probability.
* **Disagreements.** Leads whose rule grade and model probability disagree strongly:
  a hot grade (default: bands routed to Sales) with a probability below ``low``
  (default 5 %), or a cold grade (default: the lowest band) above ``high`` (default 50 %).

Rows without an outcome are left out of the conversion tables and counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from leadscore_xl.evaluation.discrimination import excluded_warning
from leadscore_xl.errors import InputError, LeadScoreWarning, quote
from leadscore_xl.settings import ScoringConfig
from leadscore_xl.sheet.table import norm

__all__ = [
    "BAND_HEADER", "CHANNEL_HEADER", "DISAGREEMENT_HEADER", "BandConversion", "ChannelReport", "Disagreements",
    "Groups", "band_labels", "channel_report", "conversion_by_band", "disagreements", "hot_and_cold",
]  # fmt: skip

BAND_HEADER = ["Band", "From score", "Leads", "Won", "Close rate", "Lift", "Share of leads", "Share of won", "Qualified"]
CHANNEL_HEADER = ["Source", "Leads", "Won", "Close rate", "Lift", "Mean score", "Mean probability"]
DISAGREEMENT_HEADER = ["Row", "ID", "Grade", "Probability", "Flag"]
UNSCORED_BAND = "Unscored"
BLANK = "(blank)"


@dataclass(frozen=True, eq=False)
class Groups:
    """A label per row as codes into ``labels`` (-1 = blank), like a table Column."""

    codes: np.ndarray
    labels: tuple[str, ...]


def band_labels(scores: np.ndarray, config: ScoringConfig) -> tuple[Groups, tuple[float, ...]]:
    """The band grade of each score (highest band first); NaN scores are "Unscored"."""
    mins = np.array([b.min_score for b in config.bands])
    grades = [b.grade for b in config.bands]
    index = np.searchsorted(-mins, -np.nan_to_num(scores, nan=-np.inf), side="left")
    index = np.minimum(index, len(grades) - 1)
    codes = np.where(np.isnan(scores), len(grades), index).astype(np.int64)
    return Groups(codes, tuple(grades) + (UNSCORED_BAND,)), tuple(mins.tolist()) + (float("nan"),)


@dataclass(frozen=True, eq=False)
class BandConversion:
    """Conversion per band, then the qualified and total rows."""

    bands: tuple[str, ...]
    from_score: tuple[float | None, ...]
    leads: np.ndarray
    won: np.ndarray
    qualified: tuple[str, ...]
    n_excluded: int
    warnings: tuple[LeadScoreWarning, ...] = ()

    @property
    def overall_rate(self) -> float:
        return float(self.won.sum() / self.leads.sum())

    def qualified_rate(self) -> float:
        """Lead-to-customer conversion of qualified leads: won qualified / all qualified."""
        q = np.array([b in self.qualified for b in self.bands])
        return float(self.won[q].sum() / self.leads[q].sum()) if self.leads[q].sum() else float("nan")

    def _row(self, band: str, start: float | None, leads: int, won: int, mark: str) -> list[Any]:
        rate = won / leads if leads else None
        lift = None if rate is None or not self.overall_rate else rate / self.overall_rate
        return [band, start, leads, won, rate, lift, leads / self.leads.sum(), won / max(self.won.sum(), 1), mark]

    def _qualified_label(self) -> str:
        if self.qualified:
            return "Qualified: " + ", ".join(self.qualified)
        return ("Qualified: none (no band of these leads is routed to Sales in the Settings; "
                'list the qualified bands in the qualified argument, e.g. "A; B")')  # fmt: skip

    def to_rows(self) -> list[list[Any]]:
        rows = [list(BAND_HEADER)]
        for band, start, leads, won in zip(self.bands, self.from_score, self.leads.tolist(), self.won.tolist()):
            rows.append(self._row(band, start, int(leads), int(won), "yes" if band in self.qualified else "no"))
        q = np.array([b in self.qualified for b in self.bands])
        rows.append(self._row(self._qualified_label(), None, int(self.leads[q].sum()), int(self.won[q].sum()), ""))
        rows.append(self._row("All", None, int(self.leads.sum()), int(self.won.sum()), ""))
        return rows


def _order(groups: Groups, preferred: Sequence[str]) -> list[int]:
    """Label positions: preferred labels (case-insensitive) in that order, then the rest as met."""
    keys = [norm(label) for label in groups.labels]
    first = [keys.index(norm(p)) for p in preferred if norm(p) in keys]
    return first + [i for i in range(len(keys)) if i not in first]


def conversion_by_band(y: np.ndarray, groups: Groups, config: ScoringConfig,
                       from_score: Sequence[float | None] | None = None,
                       qualified: Sequence[str] | None = None) -> BandConversion:  # fmt: skip
    """Leads, won and close rate per band label; ``qualified`` defaults to Sales bands."""
    keep = ~np.isnan(y)
    excluded = int(y.size - np.count_nonzero(keep))
    codes = np.where(groups.codes >= 0, groups.codes, len(groups.labels))[keep]
    labels = groups.labels + (BLANK,)
    leads = np.bincount(codes, minlength=len(labels))
    won = np.bincount(codes, weights=y[keep], minlength=len(labels))
    if not leads.sum():
        raise InputError("No lead has an outcome; pass the outcome column of the deals")
    order = [i for i in _order(Groups(codes, labels), [b.grade for b in config.bands]) if leads[i]]
    bands = tuple(labels[i] for i in order)
    starts = tuple((from_score[i] if from_score is not None and i < len(from_score) else None) for i in order)
    starts = tuple(None if s is None or s != s or s == -np.inf else s for s in starts)
    return BandConversion(bands, starts, leads[order], won[order].astype(np.int64),
                          _qualified(bands, config, qualified), excluded, excluded_warning(excluded, "outcome"))  # fmt: skip


def _qualified(bands: tuple[str, ...], config: ScoringConfig, qualified: Sequence[str] | None) -> tuple[str, ...]:
    keys = {norm(b): b for b in bands}
    if qualified is None:
        sales = {norm(b.grade) for b in config.bands if norm(b.route) == "sales"}
        return tuple(b for b in bands if norm(b) in sales)
    unknown = [q for q in qualified if norm(q) not in keys]
    if unknown:
        raise InputError(
            f"Qualified band {quote(unknown[0])} is not among the bands of these leads ({', '.join(bands)}); "
            'list qualified bands separated by ";", e.g. "High value; MQL"'
        )
    return tuple(keys[norm(q)] for q in qualified)


@dataclass(frozen=True, eq=False)
class ChannelReport:
    """Per lead source: leads, won, close rate, lift, mean score and mean probability."""

    rows: tuple[tuple[Any, ...], ...]
    n_excluded: int
    warnings: tuple[LeadScoreWarning, ...] = ()

    def to_rows(self) -> list[list[Any]]:
        return [list(CHANNEL_HEADER)] + [list(r) for r in self.rows]


def _means(values: np.ndarray | None, codes: np.ndarray, size: int) -> np.ndarray:
    if values is None:
        return np.full(size + 1, np.nan)
    have = ~np.isnan(values)
    sums = np.bincount(codes[have], weights=values[have], minlength=size)
    counts = np.bincount(codes[have], minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        per = sums / counts
    total = values[have].mean() if have.any() else np.nan
    return np.r_[per, total]


def channel_report(y: np.ndarray, sources: Groups, scores: np.ndarray | None = None,
                   probabilities: np.ndarray | None = None) -> ChannelReport:  # fmt: skip
    """One row per lead source (most leads first), then the total row."""
    keep = ~np.isnan(y)
    excluded = int(y.size - np.count_nonzero(keep))
    labels = sources.labels + (BLANK,)
    codes = np.where(sources.codes >= 0, sources.codes, len(sources.labels))[keep]
    y = y[keep]
    leads = np.bincount(codes, minlength=len(labels))
    if not leads.sum():
        raise InputError("No lead has an outcome; pass the outcome column of the deals")
    won = np.bincount(codes, weights=y, minlength=len(labels))
    mean_s = _means(None if scores is None else scores[keep], codes, len(labels))
    mean_p = _means(None if probabilities is None else probabilities[keep], codes, len(labels))
    overall = won.sum() / leads.sum()
    order = sorted(np.flatnonzero(leads).tolist(), key=lambda i: (-leads[i], norm(labels[i])))
    rows = []
    for i in order + [-1]:
        n, w = (int(leads[i]), int(won[i])) if i >= 0 else (int(leads.sum()), int(won.sum()))
        lift = (w / n) / overall if overall else None
        rows.append((labels[i] if i >= 0 else "All", n, w, w / n, lift, float(mean_s[i]), float(mean_p[i])))
    return ChannelReport(tuple(rows), excluded, excluded_warning(excluded, "outcome"))


def hot_and_cold(config: ScoringConfig) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Default hot labels (grades routed to Sales, and "Sales") and cold (the lowest band)."""
    hot = tuple(b.grade for b in config.bands if norm(b.route) == "sales") + ("Sales",)
    return hot, (config.bands[-1].grade,)


@dataclass(frozen=True, eq=False)
class Disagreements:
    """The flagged leads: range row, ID, grade, probability and why."""

    rows: tuple[tuple[Any, ...], ...]
    low: float
    high: float

    def to_rows(self) -> list[list[Any]]:
        if not self.rows:
            return [list(DISAGREEMENT_HEADER),
                    [None, None, None, None, f"no disagreements at {self.low:.0%} / {self.high:.0%}"]]  # fmt: skip
        return [list(DISAGREEMENT_HEADER)] + [list(r) for r in self.rows]


def disagreements(grades: Sequence[str | None], p: np.ndarray, row_numbers: Sequence[int],
                  ids: Sequence[Any] | None = None, hot: Sequence[str] = (), cold: Sequence[str] = (),
                  low: float = 0.05, high: float = 0.5) -> Disagreements:  # fmt: skip
    """Leads with a hot grade and p < ``low``, or a cold grade and p > ``high``."""
    if not 0.0 <= low < high <= 1.0:
        raise InputError(f"The probability limits must satisfy 0 <= low < high <= 1, not low {low:g} and high {high:g}")
    hot_keys, cold_keys = {norm(h) for h in hot}, {norm(c) for c in cold}
    rows = []
    for i, (grade, prob) in enumerate(zip(grades, p.tolist())):
        if grade is None or prob != prob:
            continue
        key = norm(grade)
        if key in hot_keys and prob < low:
            flag = f"grade {grade} but probability {prob:.1%} is below {low:.0%}"
        elif key in cold_keys and prob > high:
            flag = f"grade {grade} but probability {prob:.1%} is above {high:.0%}"
        else:
            continue
        rows.append((row_numbers[i], None if ids is None else ids[i], grade, prob, flag))
    return Disagreements(tuple(rows), low, high)
