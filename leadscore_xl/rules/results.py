"""Frozen results of scoring, each with ``.to_rows()`` ready for a sheet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from leadscore_xl.rules.rule import Rule
from leadscore_xl.sheet.sums import add_up
from leadscore_xl.settings import UNSCORED, ScoringConfig
from leadscore_xl.sheet.table import no_gc, norm

__all__ = ["Contribution", "Explanation", "OUTPUTS", "Scores", "engagement_digit", "fit_letter", "group_points", "matrix_label"]

OUTPUTS = ("Score", "Grade", "Route", "Matrix")
EXPLAIN_HEADER = ["Rule", "Group", "Condition", "Lead value", "Points", "Decay factor",
                  "Age (days)", "Contribution", "Note"]  # fmt: skip


def fit_letter(points: float, cuts: tuple[float, ...]) -> str:
    """A from the first cut, B from the second, C from the third, else D."""
    for letter, cut in zip("ABC", cuts):
        if points >= cut:
            return letter
    return "D"


def engagement_digit(points: float, cuts: tuple[float, ...]) -> str:
    """1 from the first cut, 2 from the second, 3 from the third, else 4."""
    for digit, cut in zip("123", cuts):
        if points >= cut:
            return digit
    return "4"


def matrix_label(fit: float, engagement: float, cfg: ScoringConfig) -> str:
    """The fit x engagement cell, e.g. "A1"."""
    return fit_letter(fit, cfg.fit_cuts) + engagement_digit(engagement, cfg.engagement_cuts)


def group_points(groups: tuple[str, ...], points: Any, name: str) -> Any:
    """The column (or value) of ``points`` for the group called ``name``; 0 if absent."""
    keys = [norm(g) for g in groups]
    if norm(name) not in keys:
        return 0.0 if isinstance(points, tuple) else np.zeros(len(points))
    g = keys.index(norm(name))
    return points[g] if isinstance(points, tuple) else points[:, g]


@dataclass(frozen=True, eq=False)
class Scores:
    """The scores of a table of leads; NaN in ``total`` where a lead is UNSCORED."""

    total: np.ndarray
    scored: np.ndarray
    disqualified: np.ndarray
    groups: tuple[str, ...]
    group_points: np.ndarray
    config: ScoringConfig
    filled: int | None = None

    def __len__(self) -> int:
        return len(self.total)

    def grades(self) -> list[str]:
        return [self.config.band(s).grade if ok else "Unscored" for s, ok in zip(self.total.tolist(), self.scored)]

    def routes(self) -> list[str]:
        out = []
        for s, ok, dq in zip(self.total.tolist(), self.scored.tolist(), self.disqualified.tolist()):
            out.append(self.config.disqualified_route if dq else self.config.band(s).route if ok else "Review")
        return out

    def matrix(self) -> list[str]:
        """Fit letter and engagement digit per lead, e.g. "A1"; UNSCORED where unscored."""
        cfg = self.config
        fit = group_points(self.groups, self.group_points, cfg.fit_group).tolist()
        engagement = group_points(self.groups, self.group_points, cfg.engagement_group).tolist()
        return [
            matrix_label(f, e, cfg) if ok else UNSCORED
            for f, e, ok in zip(fit, engagement, self.scored.tolist())
        ]

    def matrix_counts(self) -> list[list[Any]]:
        """Leads per fit x engagement cell (A-D by 1-4) with totals, for the Report sheet.

        The cells add up to the number of scored leads; unscored leads are counted on
        their own row, and trailing blank rows not at all."""
        filled = len(self) if self.filled is None else self.filled
        labels = self.matrix()[:filled]
        counts = {label: labels.count(label) for label in set(labels)}
        rows: list[list[Any]] = [["Fit \\ Engagement", "1", "2", "3", "4", "Total"]]
        for letter in "ABCD":
            cells = [counts.get(letter + digit, 0) for digit in "1234"]
            rows.append([letter, *cells, sum(cells)])
        totals = [sum(r[i] for r in rows[1:]) for i in range(1, 6)]
        rows.append(["Total", *totals])
        rows.append([UNSCORED, None, None, None, None, counts.get(UNSCORED, 0)])
        return rows

    def column(self, name: str) -> list[Any]:
        """One output column as a list: Score, Grade, Route or Matrix."""
        key = norm(name)
        if key == "score":
            values: list[Any] = self.total.tolist()
            for i in np.flatnonzero(~self.scored).tolist():
                values[i] = UNSCORED
            return values
        if key == "grade":
            return self.grades()
        if key == "route":
            return self.routes()
        if key == "matrix":
            return self.matrix()
        raise ValueError(name)

    def to_rows(self, outputs: tuple[str, ...] = ("Score",), header: bool = False,
                blank: Any = None) -> list[list[Any]]:  # fmt: skip
        """One row per lead with the asked outputs (a spilled column for one output);
        rows after the last non-blank lead row hold ``blank``."""
        columns = [self.column(o) for o in outputs]
        with no_gc():
            rows = [list(r) for r in zip(*columns)] if len(columns) > 1 else [[v] for v in columns[0]]
            filled = len(rows) if self.filled is None else self.filled
            rows[filled:] = [[blank] * len(outputs) for _ in range(len(rows) - filled)]
        return ([list(outputs)] + rows) if header else rows


@dataclass(frozen=True)
class Contribution:
    """A rule that fired for one lead."""

    rule: Rule
    value: object
    given: float
    factor: float
    age: float | None
    note: str


@dataclass(frozen=True)
class Explanation:
    """Why one lead has its score: the rows add up exactly to ``total``."""

    items: tuple[Contribution, ...]
    groups: tuple[str, ...]
    raw: tuple[float, ...]
    capped: tuple[float, ...]
    total: float | None
    disqualified: bool
    config: ScoringConfig

    @property
    def score(self) -> float | str:
        return UNSCORED if self.total is None else self.total

    def matrix(self) -> str:
        """The fit x engagement cell of this lead, e.g. "A1", or UNSCORED."""
        if self.total is None:
            return UNSCORED
        cfg = self.config
        return matrix_label(group_points(self.groups, self.capped, cfg.fit_group),
                            group_points(self.groups, self.capped, cfg.engagement_group), cfg)  # fmt: skip

    def adjustments(self) -> list[tuple[str, str, float, str]]:
        """(label, group, points, note) for each cap that bit and for the clamp."""
        out = []
        for group, raw, capped in zip(self.groups, self.raw, self.capped):
            if capped != raw:
                low, high = self.config.cap(group)
                bound = f"max {high:g}" if capped == high else f"min {low:g}"
                out.append((f"Cap {group}", group, capped - raw, f"group held at its {bound}"))
        summed = add_up(self.capped)
        if self.total is not None and self.total != summed:
            cfg = self.config
            out.append(("Clamp", "", self.total - summed,
                        f"total held within {cfg.score_min:g} to {cfg.score_max:g}"))  # fmt: skip
        return out

    def to_rows(self) -> list[list[Any]]:
        """Header, one row per rule that fired, cap and clamp rows, then the total."""
        rows: list[list[Any]] = [list(EXPLAIN_HEADER)]
        if self.total is None:
            rows.append([UNSCORED, "", "", None, None, None, None, None,
                         "every attribute the scoring rules use is blank for this lead"])  # fmt: skip
            return rows
        for c in self.items:
            decay = None if c.rule.half_life is None else c.factor
            rows.append([c.rule.name, c.rule.group, c.rule.condition, c.value,
                         c.rule.points, decay, c.age, c.given, c.note])  # fmt: skip
        for label, group, points, note in self.adjustments():
            rows.append([label, group, "", None, None, None, None, points, note])
        note = "disqualified" if self.disqualified else ""
        rows.append(["Total", "", "", None, None, None, None, self.total, note])
        return rows

