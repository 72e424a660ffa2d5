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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from leadscore_xl.errors import RuleError
from leadscore_xl.rules.predicates import CellTest, cell_test, column_mask, row_parts, unary_test, whole_days
from leadscore_xl.rules.results import Contribution, Explanation, Scores
from leadscore_xl.rules.rule import Rule
from leadscore_xl.settings import ScoringConfig
from leadscore_xl.sheet.sums import add_up
from leadscore_xl.sheet.table import Kind, Table, cell_parts, norm, not_a_column

if TYPE_CHECKING:  # the rule set compiles itself with this module; no import back at run time
    from leadscore_xl.rules.ruleset import RuleSet

__all__ = ["ALWAYS", "CompiledRules"]

ALWAYS = -1  # the position of an "always" rule, which reads no column
BLANK_PARTS = (float("nan"), None)


@dataclass(frozen=True, eq=False)
class CompiledRules:
    """Rules bound to one Leads header row: column positions resolved, tests built.

    ``used`` are the columns the rules read; ``counted`` those of rules that give points
    or disqualify (a lead is UNSCORED when all of these are blank, so a 0-point rule
    changes nothing). ``plan`` holds, per rule that gives points, (rule index, cell
    test, number-only test or None, slot in ``used``, group, points, decays)."""

    ruleset: RuleSet
    headers: tuple[str, ...]
    positions: tuple[int, ...]
    date_positions: tuple[int | None, ...]
    group_of: tuple[int, ...]
    groups: tuple[str, ...]
    used: tuple[int, ...]
    counted: tuple[int, ...]
    counted_slots: tuple[int, ...]
    rule_slots: tuple[int, ...]
    tests: tuple[CellTest, ...]
    plan: tuple[tuple[int, CellTest, Callable[[float], bool] | None, int, int, float, bool], ...]

    @classmethod
    def build(cls, ruleset: RuleSet, headers: tuple[str, ...]) -> CompiledRules:
        index = {norm(h): i for i, h in enumerate(headers)}
        group_index = {g: i for i, g in enumerate(ruleset.groups)}
        positions: list[int] = []
        dates: list[int | None] = []
        for rule in ruleset.rules:
            always = rule.op == "always"
            positions.append(ALWAYS if always else _position(rule, rule.attribute, index, headers, "attribute"))
            dates.append(_date_position(rule, index, headers, positions[-1]))
        used = tuple(p for p in dict.fromkeys(positions) if p != ALWAYS)
        slot = {p: i for i, p in enumerate(used)} | {ALWAYS: len(used)}  # an always rule reads a blank
        gives = [bool(r.points) and not r.disqualify for r in ruleset.rules]
        counted = tuple(dict.fromkeys(p for p, r, g in zip(positions, ruleset.rules, gives)
                                      if p != ALWAYS and (g or r.disqualify)))  # fmt: skip
        tests = tuple(cell_test(r) for r in ruleset.rules)
        group_of = tuple(group_index[r.group] for r in ruleset.rules)
        plan = tuple((j, tests[j], unary_test(r), slot[positions[j]], group_of[j], r.points, r.half_life is not None)
                     for j, r in enumerate(ruleset.rules) if gives[j])  # fmt: skip
        return cls(ruleset, headers, tuple(positions), tuple(dates), group_of, ruleset.groups, used, counted,
                   tuple(slot[p] for p in counted), tuple(slot[p] for p in positions), tests, plan)  # fmt: skip

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self.ruleset.rules

    # ---- whole table ---------------------------------------------------------------
    def contributions(self, table: Table, as_of: float) -> tuple[np.ndarray, np.ndarray]:
        """Per-rule points given (n x rules) and where each rule fired (n x rules)."""
        n = len(table)
        points = np.zeros((n, len(self.rules)))
        fired = np.zeros((n, len(self.rules)), dtype=bool)
        for j in range(len(self.rules)):
            fired[:, j] = self._mask(j, table, as_of)
            points[:, j] = self._given(j, fired[:, j], table, as_of)
        return points, fired

    def score_table(self, table: Table, config: ScoringConfig, as_of: float,
                    contributions: tuple[np.ndarray, np.ndarray] | None = None) -> Scores:  # fmt: skip
        """Score every row of a Leads table (column-wise; the ``LEADSCORES`` path).
        Pass :meth:`contributions` when they were computed already."""
        n = len(table)
        sums = np.zeros((n, len(self.groups)))
        disqualified = np.zeros(n, dtype=bool)
        for j, rule in enumerate(self.rules):
            if not (rule.points or rule.disqualify):
                continue
            mask = contributions[1][:, j] if contributions else self._mask(j, table, as_of)
            g = self.group_of[j]
            if rule.disqualify:
                disqualified |= mask
            elif contributions:
                sums[:, g] += contributions[0][:, j]
            elif rule.half_life is None:
                np.add(sums[:, g], rule.points, where=mask, out=sums[:, g])
            else:
                sums[:, g] += self._given(j, mask, table, as_of)
        scored = np.zeros(n, dtype=bool)
        for i in self.counted:
            scored |= table.column(i).present
        return self._finish(sums, scored, disqualified, config, table.filled)

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
        dates = table.column(self.date_positions[j])  # type: ignore[arg-type]
        if dates.kind is Kind.TEXT:
            raise RuleError(_not_dates(rule))
        with np.errstate(invalid="ignore"):
            age = whole_days(as_of, dates.numbers)
            live = mask & (age >= 0)
        given = np.zeros(len(mask))
        days, where = np.unique(age[live], return_inverse=True)  # whole days: few distinct ages
        factors = np.array([decay_factor(d, rule.half_life) for d in days.tolist()])
        given[live] = rule.points * factors[where]
        return given

    def _finish(self, sums: np.ndarray, scored: np.ndarray,
                disqualified: np.ndarray, config: ScoringConfig, filled: int) -> Scores:  # fmt: skip
        capped = sums.copy()
        total = np.zeros(len(sums))
        for g, name in enumerate(self.groups):  # added in group order, as add_up does
            low, high = config.cap(name)
            np.clip(capped[:, g], low, high, out=capped[:, g])
            total += capped[:, g]
        total = np.clip(total, config.score_min, config.score_max)
        total[~scored] = np.nan
        return Scores(total, scored, disqualified, self.groups, capped, config, filled)

    # ---- one row ---------------------------------------------------------------------
    def _parts(self, row: Sequence[Any]) -> list[tuple[float, str | None]]:
        """``cell_parts`` of each cell the rules read, in ``used`` order, then a blank."""
        parts = [(v, None) if type(v) is float else row_parts(v) for v in map(row.__getitem__, self.used)]
        parts.append(BLANK_PARTS)
        return parts

    def _scored(self, parts: list[tuple[float, str | None]]) -> bool:
        return any(parts[s][1] is not None or parts[s][0] == parts[s][0] for s in self.counted_slots)

    def row_score(self, row: Sequence[Any], config: ScoringConfig, as_of: float) -> float | None:
        """The score of one row of raw cells, or None when it is UNSCORED (fast path)."""
        parts = self._parts(row)
        if not self._scored(parts):
            return None
        sums = [0.0] * len(self.groups)
        for j, test, unary, slot, group, points, decays in self.plan:  # rule order, as score_table adds
            x, k = parts[slot]
            if unary(x) if unary else test(x, k, as_of):
                sums[group] += self._decayed(j, points, row, as_of)[0] if decays else points
        return self._total(sums, config)[0]

    def _decayed(self, j: int, points: float, row: Sequence[Any], as_of: float) -> tuple[float, float, float | None]:
        """(points given, decay factor, age in days) for a rule that fired; the age is
        None when the event date is blank or not a date."""
        half_life = self.rules[j].half_life
        if half_life is None:
            return points, 1.0, None
        day, text = cell_parts(row[self.date_positions[j]])  # type: ignore[index]
        if day != day or text is not None:
            return 0.0, 0.0, None
        age = float(whole_days(as_of, day))
        if age < 0:
            return 0.0, 0.0, age
        factor = decay_factor(age, half_life)
        return points * factor, factor, age

    def _total(self, sums: list[float], config: ScoringConfig) -> tuple[float, list[float]]:
        capped = sums
        if config.caps:
            capped = [min(max(s, low), high) for s, (low, high) in zip(sums, map(config.cap, self.groups))]
        return min(max(add_up(capped), config.score_min), config.score_max), capped

    def explain_row(self, row: Sequence[Any], config: ScoringConfig, as_of: float) -> Explanation:
        """Every rule that fired with its points, then caps and clamp, then the total."""
        parts = self._parts(row)
        items: list[Contribution] = []
        sums = [0.0] * len(self.groups)
        disqualified = False
        for j, rule in enumerate(self.rules):
            if not self.tests[j](*parts[self.rule_slots[j]], as_of):
                continue
            position = self.positions[j]
            disqualified |= rule.disqualify
            given, factor, age = self._decayed(j, rule.points, row, as_of)
            sums[self.group_of[j]] += given
            value = None if position == ALWAYS else row[position]
            date = None if self.date_positions[j] is None else row[self.date_positions[j]]  # type: ignore[index]
            items.append(Contribution(rule, value, given, factor, age, _note(rule, age, date)))
        total, capped = self._total(sums, config)
        return Explanation(tuple(items), self.groups, tuple(sums), tuple(capped),
                           total if self._scored(parts) else None, disqualified, config)  # fmt: skip


def decay_factor(age: float, half_life: float) -> float:
    """0.5 ** (age / half-life), computed by Python on both paths so that they agree exactly."""
    return 0.5 ** (age / half_life)


def _not_dates(rule: Rule) -> str:
    name = rule.date_attribute or rule.attribute
    return (f'Rules row {rule.row}: "{name}" holds text, not dates, but a half-life needs the date of the event; '
            "name a date column in Date attribute")  # fmt: skip


def _note(rule: Rule, age: float | None, date: object) -> str:
    if rule.disqualify:
        return "disqualifies the lead"
    if rule.half_life is None:
        return ""
    if age is None:
        name = rule.date_attribute or rule.attribute
        return f"no points: {name} is blank" if cell_parts(date)[1] is None else f"no points: {name} holds text, not a date"
    if age < 0:
        return "no points: the event is dated after the as-of date"
    return f"half-life {rule.half_life:g} days"


def _position(rule: Rule, name: str, index: dict[str, int], headers: tuple[str, ...], role: str) -> int:
    i = index.get(norm(name))
    if i is None:
        raise RuleError(f"Rules row {rule.row}: {not_a_column(name, headers, 'Leads', role)}")
    return i


def _date_position(rule: Rule, index: dict[str, int], headers: tuple[str, ...], own: int) -> int | None:
    if rule.half_life is None:
        return None
    if rule.date_attribute:
        return _position(rule, rule.date_attribute, index, headers, "date attribute")
    if own == ALWAYS:
        raise RuleError(f'Rules row {rule.row}: an "always" rule with a half-life needs a Date attribute to age from')
    return own
