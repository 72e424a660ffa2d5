"""Score leads: rules that fire -> decayed points -> group caps -> clamp -> grade.

For a lead, each rule that fires contributes its points; a rule with a half-life
contributes ``points * 0.5 ** (age / half_life)``, where ``age`` is the whole days from
the event date (the rule's Date attribute, or its own attribute) to the as-of date.
An event after the as-of date, or with a blank date, contributes nothing. Each
group's sum is held within its cap, the groups are added, and the total is clamped to
the score range. A lead whose every rule attribute is blank is UNSCORED, not 0.

:meth:`CompiledRules.score_table` scores a whole table column-wise with numpy (the
``LEADSCORES`` fast path); :meth:`CompiledRules.explain_row` works on one row of raw
cells (``LEADSCORE``, ``LEADEXPLAIN``). Both share the same predicates and totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import RuleError
from .predicates import CellTest, cell_test, column_mask, whole_days
from .results import Contribution, Explanation, Scores
from .rules import Rule, RuleSet
from .settings import ScoringConfig
from .table import Table, cell_parts, norm, suggest

__all__ = ["ALWAYS", "CompiledRules"]

ALWAYS = -1  # the position of an "always" rule, which reads no column
BLANK_PARTS = (float("nan"), None)


@dataclass(frozen=True, eq=False)
class CompiledRules:
    """Rules bound to one Leads header row: column positions resolved, tests built."""

    ruleset: RuleSet
    headers: tuple[str, ...]
    positions: tuple[int, ...]
    date_positions: tuple[int | None, ...]
    tests: tuple[CellTest, ...]
    group_of: tuple[int, ...]
    groups: tuple[str, ...]
    used: tuple[int, ...]
    plan: tuple[tuple[CellTest, int, int, float, bool], ...]
    plain: tuple[tuple[CellTest, int, int, float], ...]
    decaying: tuple[int, ...]

    @classmethod
    def build(cls, ruleset: RuleSet, headers: tuple[str, ...]) -> CompiledRules:
        index = {norm(h): i for i, h in enumerate(headers)}
        groups = ruleset.groups
        group_index = {g: i for i, g in enumerate(groups)}
        positions, dates = [], []
        for rule in ruleset.rules:
            always = rule.op == "always"
            positions.append(ALWAYS if always else _position(rule, rule.attribute, index, headers, "attribute"))
            dates.append(_date_position(rule, index, headers, positions[-1]))
        used = tuple(p for p in dict.fromkeys(positions) if p != ALWAYS)
        slot = {p: i for i, p in enumerate(used)} | {ALWAYS: len(used)}  # an always rule reads a blank
        tests = tuple(cell_test(r) for r in ruleset.rules)
        plan = tuple(
            (tests[j], slot[positions[j]], group_index[r.group],
             0.0 if r.disqualify else r.points, r.half_life is None)
            for j, r in enumerate(ruleset.rules)
        )  # fmt: skip
        scoring = [j for j, r in enumerate(ruleset.rules) if r.points and not r.disqualify]
        return cls(
            plain=tuple(plan[j][:4] for j in scoring if plan[j][4]),
            decaying=tuple(j for j in scoring if not plan[j][4]),
            ruleset=ruleset,
            headers=headers,
            positions=tuple(positions),
            date_positions=tuple(dates),
            tests=tests,
            group_of=tuple(group_index[r.group] for r in ruleset.rules),
            groups=groups,
            used=used,
            plan=plan,
        )

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self.ruleset.rules

    # ---- whole table ---------------------------------------------------------------
    def contributions(self, table: Table, as_of: float) -> tuple[np.ndarray, np.ndarray]:
        """Per-rule points given (n x rules) and where each rule fired (n x rules)."""
        n = len(table)
        points = np.zeros((n, len(self.rules)))
        fired = np.zeros((n, len(self.rules)), dtype=bool)
        for j, rule in enumerate(self.rules):
            mask = self._mask(j, table, as_of)
            fired[:, j] = mask
            points[:, j] = self._given(j, mask, table, as_of)
        return points, fired

    def score_table(self, table: Table, config: ScoringConfig, as_of: float) -> Scores:
        """Score every row of a Leads table (column-wise; the ``LEADSCORES`` path)."""
        n = len(table)
        group_points = np.zeros((n, len(self.groups)))
        disqualified = np.zeros(n, dtype=bool)
        for j, rule in enumerate(self.rules):
            mask = self._mask(j, table, as_of)
            if rule.disqualify:
                disqualified |= mask
            elif rule.half_life is None and rule.points:
                np.add(group_points[:, self.group_of[j]], rule.points, where=mask,
                       out=group_points[:, self.group_of[j]])  # fmt: skip
            elif rule.points:
                group_points[:, self.group_of[j]] += self._given(j, mask, table, as_of)
        scored = np.zeros(n, dtype=bool)
        for i in self.used:
            scored |= table.column(i).present
        return self._finish(group_points, scored, disqualified, config, table.filled)

    def _mask(self, j: int, table: Table, as_of: float) -> np.ndarray:
        if self.positions[j] == ALWAYS:
            return np.ones(len(table), dtype=bool)
        return column_mask(self.rules[j], table.column(self.positions[j]), as_of)

    def _given(self, j: int, mask: np.ndarray, table: Table, as_of: float) -> np.ndarray:
        rule = self.rules[j]
        if rule.disqualify:
            return np.zeros(len(mask))
        if rule.half_life is None:
            return np.where(mask, rule.points, 0.0)
        days = table.column(self.date_positions[j]).numbers  # type: ignore[arg-type]
        with np.errstate(invalid="ignore"):
            age = whole_days(as_of, days)
            live = mask & (age >= 0)
            return np.where(live, rule.points * np.power(0.5, np.where(live, age, 0) / rule.half_life), 0.0)

    def _finish(self, group_points: np.ndarray, scored: np.ndarray,
                disqualified: np.ndarray, config: ScoringConfig, filled: int) -> Scores:  # fmt: skip
        capped = group_points.copy()
        for g, name in enumerate(self.groups):
            low, high = config.cap(name)
            np.clip(capped[:, g], low, high, out=capped[:, g])
        total = np.clip(capped.sum(axis=1), config.score_min, config.score_max)
        total[~scored] = np.nan
        return Scores(total, scored, disqualified, self.groups, capped, config, filled)

    # ---- one row ---------------------------------------------------------------------
    def _parts(self, row: Sequence[Any]) -> list[tuple[float, str | None]]:
        """``cell_parts`` of each cell the rules read, in ``used`` order."""
        return [*map(cell_parts, map(row.__getitem__, self.used)), BLANK_PARTS]

    def row_score(self, row: Sequence[Any], config: ScoringConfig, as_of: float) -> float | None:
        """The score of one row of raw cells, or None when it is UNSCORED (fast path)."""
        parts = self._parts(row)
        if not any(k is not None or x == x for x, k in parts[:-1]):
            return None
        sums = [0.0] * len(self.groups)
        for test, slot, group, points in self.plain:
            x, k = parts[slot]
            if test(x, k, as_of):
                sums[group] += points
        for j in self.decaying:
            test, slot, group, points, _ = self.plan[j]
            if test(*parts[slot], as_of):
                sums[group] += self._decayed(j, points, row, as_of)[0]
        return self._total(sums, config)[0]

    def _decayed(self, j: int, points: float, row: Sequence[Any], as_of: float) -> tuple[float, float, float | None]:
        """(points given, decay factor, age in days) for a rule that fired."""
        half_life = self.rules[j].half_life
        if half_life is None:
            return points, 1.0, None
        day = cell_parts(row[self.date_positions[j]])[0]  # type: ignore[index]
        if day != day:
            return 0.0, 0.0, None
        age = float(whole_days(as_of, day))
        if age < 0:
            return 0.0, 0.0, age
        factor = 0.5 ** (age / half_life)
        return points * factor, factor, age

    def _total(self, sums: list[float], config: ScoringConfig) -> tuple[float, list[float]]:
        capped = sums
        if config.caps:
            capped = [min(max(s, low), high) for s, (low, high) in zip(sums, map(config.cap, self.groups))]
        total = min(max(sum(capped), config.score_min), config.score_max)
        return total, capped

    def explain_row(self, row: Sequence[Any], config: ScoringConfig, as_of: float) -> Explanation:
        """Every rule that fired with its points, then caps and clamp, then the total."""
        parts = self._parts(row)
        items: list[Contribution] = []
        sums = [0.0] * len(self.groups)
        disqualified = False
        for j, (test, slot, group, _, _) in enumerate(self.plan):
            rule = self.rules[j]
            if not test(*parts[slot], as_of):
                continue
            disqualified |= rule.disqualify
            given, factor, age = self._decayed(j, rule.points, row, as_of)
            sums[group] += given
            value = None if self.positions[j] == ALWAYS else row[self.positions[j]]
            items.append(Contribution(rule, value, given, factor, age,
                                      _note(rule, factor, age)))  # fmt: skip
        scored = any(k is not None or x == x for x, k in parts[:-1])
        total, capped = self._total(sums, config)
        return Explanation(tuple(items), self.groups, tuple(sums), tuple(capped),
                           total if scored else None, disqualified, config)  # fmt: skip


def _note(rule: Rule, factor: float, age: float | None) -> str:
    if rule.disqualify:
        return "disqualifies the lead"
    if rule.half_life is None:
        return ""
    if age is None:
        return f"no points: {rule.date_attribute or rule.attribute} is blank"
    if age < 0:
        return "no points: the event is dated after the as-of date"
    return f"half-life {rule.half_life:g} days"


def _position(rule: Rule, name: str, index: dict[str, int], headers: tuple[str, ...], role: str) -> int:
    i = index.get(norm(name))
    if i is None:
        guess = suggest(name, headers)
        hint = f'did you mean "{guess}"?' if guess else "check the spelling against the Leads headers"
        raise RuleError(f'Rules row {rule.row}: {role} "{name}" is not a Leads column; {hint}')
    return i


def _date_position(rule: Rule, index: dict[str, int], headers: tuple[str, ...], own: int) -> int | None:
    if rule.half_life is None:
        return None
    if rule.date_attribute:
        return _position(rule, rule.date_attribute, index, headers, "date attribute")
    if own == ALWAYS:
        raise RuleError(f'Rules row {rule.row}: an "always" rule with a half-life needs a Date attribute to age from')
    return own
