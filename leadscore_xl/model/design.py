"""The design matrix built from a Deals table, one numpy pass per column.

Numeric and yes/no columns enter as numbers, date columns as the age in days at the
as-of date, text columns (and numeric columns declared categorical) as one 0/1 dummy
per level except the reference level (the most frequent one unless chosen). Levels
rarer than the minimum count are pooled into "Other". Which columns are features is
decided in :mod:`leadscore_xl.model.features`.

Blanks (the missing-indicator method, on by default): a number, yes/no or date column
with blanks among the rows used gets its blanks filled with the median of its filled
cells in those rows (:attr:`Variable.fill`, for a date the median age in days) and a
0/1 term ``Term(column, "(blank)")``, named "<column> (blank)", that is 1 where the cell
was blank. A blank text cell is the level "(blank)" (``blank_as_level``, on by
default). With either switched off, rows with a blank in such a column are left out
and counted, as are rows with a blank outcome. Constant and exactly collinear columns are
found on the small X'X and left out, each with a reason. The options are described in
:mod:`leadscore_xl.model.fit`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from leadscore_xl.errors import (
    DataQualityWarning, DroppedColumnWarning, InputError, LeadScoreWarning, ModelError,
    quote, row_list,
)  # fmt: skip
from leadscore_xl.model.features import AS_TEXT, feature_columns, numbers_as_text
from leadscore_xl.sheet.outcome import outcome_vector
from leadscore_xl.sheet.table import Column, Kind, Table, canonical_text, levels, norm

__all__ = [
    "BLANK_LEVEL", "OTHER_LEVEL", "Design", "ModelOptions", "Term", "Variable",
    "build_design", "drop_redundant", "level_order",
]  # fmt: skip

BLANK_LEVEL = "(blank)"
OTHER_LEVEL = "Other"


@dataclass(frozen=True)
class ModelOptions:
    """What to fit: the outcome column, the features and how text columns are coded."""

    outcome: str
    features: tuple[str, ...] | None = None
    categorical: tuple[str, ...] = ()
    reference: Mapping[str, str] | None = None
    min_level_count: int = 10
    blank_as_level: bool = True
    missing_indicator: bool = True
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Variable:
    """One Deals column as the model uses it. ``kind`` is number, yes/no, date or categories.
    ``fill``: the value a blank cell of a number, yes/no or date column enters as (for a
    date, an age in days), with the term ``Term(name, "(blank)")``; None: a blank is unscorable."""

    name: str
    kind: str
    reference: str | None = None
    levels: tuple[str, ...] = ()
    pooled: tuple[str, ...] = ()
    merged: tuple[str, ...] = ()
    fill: float | None = None


@dataclass(frozen=True)
class Term:
    """One coefficient: the intercept, a numeric variable, or one level of a text variable."""

    variable: str
    level: str | None = None

    @property
    def name(self) -> str:
        if self.level is None:
            return self.variable
        return f"{self.variable} {BLANK_LEVEL}" if norm(self.level) == norm(BLANK_LEVEL) else f"{self.variable}: {self.level}"


@dataclass(frozen=True, eq=False)
class Design:
    """The float64 design matrix (intercept first), the 0/1 outcome, and what was left out."""

    X: np.ndarray
    y: np.ndarray
    terms: tuple[Term, ...]
    variables: tuple[Variable, ...]
    n_dropped: int
    warnings: tuple[LeadScoreWarning, ...]


def build_design(table: Table, opts: ModelOptions, as_of: float) -> Design:
    """Outcome, features, rows to drop, levels, then X filled one column (block) at a time."""
    y_all, outcome_name = outcome_vector(table, opts.outcome)
    notes: list[LeadScoreWarning] = []
    columns = feature_columns(table, opts, outcome_name, notes)
    keep = ~np.isnan(y_all)
    reasons = [f"outcome blank in {len(table) - int(keep.sum())}"] if not keep.all() else []
    encoders = []
    for col in columns:
        enc = _encoder(table, col, opts)
        missing = keep & ~enc.present
        if missing.any():
            reasons.append(f'"{col.name}" blank in {int(missing.sum())}')
        keep &= enc.present
        encoders.append(enc)
    n_used = int(keep.sum())
    if n_used == 0:
        raise ModelError(
            f"No {table.name} row has an outcome and every feature filled in ({', '.join(reasons)} rows); "
            'fill in the blanks, leave those features out, or set "Blank as level" and "Missing indicator" to Yes'
        )
    y = y_all[keep]
    _check_classes(y, outcome_name, table.name)
    rows = None if n_used == len(table) else np.flatnonzero(keep)
    if rows is not None:
        notes.append(DataQualityWarning(
            f"{len(table) - n_used} of {len(table)} {table.name} rows were left out: {', '.join(reasons)} rows"
        ))  # fmt: skip
    pairs = []
    for enc in encoders:
        var = enc.finish(rows, opts, as_of)
        if var.kind == "categories" and not var.levels:
            notes.append(DroppedColumnWarning(
                f'{table.name} column "{var.name}" was left out: every row used has the level "{var.reference}"'
            ))  # fmt: skip
        elif var.fill is not None and math.isnan(var.fill):
            notes.append(DroppedColumnWarning(f'{table.name} column "{var.name}" was left out: it is blank in every row used'))
        else:
            pairs.append((enc, var))
    if not pairs:
        raise ModelError(f"No {table.name} feature column varies across the rows used; a model needs at least one")
    encs, variables = [p[0] for p in pairs], [p[1] for p in pairs]
    return _fill(y, rows, n_used, encs, variables, as_of, len(table) - n_used, notes)


def drop_redundant(design: Design) -> tuple[Design, np.ndarray]:
    """Leave out constant and exactly collinear columns, checked once on the small X'X.

    Returns the design without them and its X'X. A dropped dummy's level is then
    counted as the reference level ("merged").
    """
    X, terms = design.X, design.terms
    xtx = X.T @ X
    n = len(X)
    scale = np.sqrt(np.maximum(np.diag(xtx), 1e-300))
    corr = xtx / np.outer(scale, scale)
    keep, notes = [0], list(design.warnings)
    for j in range(1, len(terms)):
        mean = xtx[0, j] / n
        if xtx[j, j] / n - mean * mean <= 1e-12 * max(1.0, mean * mean):
            notes.append(DroppedColumnWarning(
                f'"{terms[j].name}" was left out: it is {canonical_text(float(mean))} in every row used (constant)'
            ))  # fmt: skip
            continue
        coef = np.linalg.solve(corr[np.ix_(keep, keep)], corr[keep, j])
        if corr[j, j] - corr[keep, j] @ coef < 1e-9:
            partners = ", ".join(f'"{terms[k].name}"' for k, c in zip(keep, coef) if abs(c) > 1e-6)
            notes.append(DroppedColumnWarning(
                f'"{terms[j].name}" was left out: it is an exact linear combination of {partners} (collinear)'
            ))  # fmt: skip
            continue
        keep.append(j)
    if len(keep) == len(terms):
        return design, xtx
    gone = {terms[j] for j in range(len(terms)) if j not in keep}
    variables = []
    for var in design.variables:
        if var.kind != "categories":
            if Term(var.name) not in gone or (var.fill is not None and Term(var.name, BLANK_LEVEL) not in gone):
                variables.append(var)
            continue
        merged = tuple(lv for lv in var.levels if Term(var.name, lv) in gone)
        levels = tuple(lv for lv in var.levels if lv not in merged)
        if levels:
            variables.append(replace(var, levels=levels, merged=merged))
    kept = Design(np.asfortranarray(X[:, keep]), design.y, tuple(terms[j] for j in keep), tuple(variables),
                  design.n_dropped, tuple(notes))  # fmt: skip
    return kept, xtx[np.ix_(keep, keep)]


def _check_classes(y: np.ndarray, outcome: str, sheet: str) -> None:
    won = int(np.count_nonzero(y))
    if won == 0 or won == len(y):
        which = "won (1)" if won else "lost (0)"
        raise ModelError(
            f'Every {sheet} row used has the outcome {which} in column "{outcome}" ({len(y)} rows); '
            "a model needs both won and lost deals"
        )


def _fill(y: np.ndarray, rows: np.ndarray | None, n: int, encoders: list[_Encoder], variables: list[Variable],
          as_of: float, n_dropped: int, notes: list[LeadScoreWarning]) -> Design:  # fmt: skip
    terms = [Term("Intercept")]
    for var in variables:
        if var.kind == "categories":
            terms.extend(Term(var.name, lv) for lv in var.levels)
        else:
            terms.extend([Term(var.name)] + ([Term(var.name, BLANK_LEVEL)] if var.fill is not None else []))
    X = np.zeros((n, len(terms)), order="F")
    X[:, 0] = 1.0
    j = 1
    for enc, var in zip(encoders, variables):
        j = enc.fill(X, j, rows, var, as_of)
    return Design(X, y, tuple(terms), tuple(variables), n_dropped, tuple(notes))


class _Encoder:
    """Turns one typed column into its model columns; keeps the per-row level codes."""

    def __init__(self, col: Column, kind: str, present: np.ndarray, codes: np.ndarray | None = None,
                 names: list[str] | None = None) -> None:  # fmt: skip
        self.col, self.kind, self.present = col, kind, present
        self.codes, self.names = codes, names or []
        self.dummy: np.ndarray | None = None

    def finish(self, rows: np.ndarray | None, opts: ModelOptions, as_of: float) -> Variable:
        """Decide the levels from the rows used: pool rare ones, choose the reference;
        for a number or date column with blanks in those rows, the value blanks are filled with."""
        if self.kind != "categories":
            present = self.col.present if rows is None else self.col.present[rows]
            if present.all():
                return Variable(self.col.name, self.kind)
            values = self.col.numbers if rows is None else self.col.numbers[rows]
            filled = values[present]
            fill = float(np.median(as_of - filled if self.kind == "date" else filled)) if filled.size else math.nan
            return Variable(self.col.name, self.kind, fill=fill)
        assert self.codes is not None
        used = self.codes if rows is None else self.codes[rows]
        counts = np.bincount(used, minlength=len(self.names))
        ref_text = (opts.reference or {}).get(norm(self.col.name))
        ref = _find_level(self.names, ref_text, self.col.name) if ref_text is not None else None
        if ref is not None and counts[ref] == 0:
            raise InputError(
                f'Reference level "{ref_text}" of column "{self.col.name}" occurs in no row used for the fit; '
                "choose a level that occurs"
            )
        rare = [i for i, c in enumerate(counts) if 0 < c < opts.min_level_count and i != ref]
        group = {i: i for i in range(len(self.names)) if counts[i] > 0}
        pooled: list[str] = []
        if rare:
            other = next((i for i, n in enumerate(self.names) if norm(n) == norm(OTHER_LEVEL)), None)
            if other is None:
                other = len(self.names)
                self.names.append(OTHER_LEVEL)
                counts = np.append(counts, 0)
            for i in rare:
                if i != other:
                    group[i], counts[other] = other, counts[other] + counts[i]
                    pooled.append(self.names[i])
            group[other] = other
        kept = sorted({g for g in group.values()}, key=lambda i: level_order(self.names[i]))
        if ref is None:
            ref = max(kept, key=lambda i: (counts[i], -kept.index(i)))
        levels = [i for i in kept if i != ref]
        position = {lv: d for d, lv in enumerate(levels)}
        lut = np.full(len(self.names) + 1, -1, dtype=np.int64)
        for i, g in group.items():
            lut[i] = position.get(g, -1)
        self.dummy = lut
        return Variable(self.col.name, "categories", self.names[ref],
                        tuple(self.names[i] for i in levels), tuple(sorted(pooled, key=level_order)))  # fmt: skip

    def fill(self, X: np.ndarray, j: int, rows: np.ndarray | None, var: Variable, as_of: float) -> int:
        if self.kind == "categories":
            assert self.dummy is not None and self.codes is not None
            d = self.dummy[self.codes if rows is None else self.codes[rows]]
            hit = np.flatnonzero(d >= 0)
            flat = X.reshape(-1, order="F")  # a view: X is Fortran-ordered
            flat[(j + d[hit]) * len(X) + hit] = 1.0
            return j + len(var.levels)
        values = self.col.num if rows is None else self.col.num[rows]  # type: ignore[index]
        X[:, j] = (as_of - values) if self.kind == "date" else values
        if var.fill is None:
            return j + 1
        blank = np.isnan(values)
        X[blank, j] = var.fill
        X[:, j + 1] = blank
        return j + 2


def level_order(name: str) -> tuple[int, float, str]:
    """Numbers in numeric order, then text alphabetically; "Other" last."""
    if norm(name) == norm(OTHER_LEVEL):
        return (2, 0.0, "")
    try:
        return (0, float(name), "")
    except ValueError:
        return (1, 0.0, norm(name))


def _find_level(names: Sequence[str], wanted: str, column: str) -> int:
    keys = [norm(n) for n in names]
    if norm(wanted) in keys:
        return keys.index(norm(wanted))
    shown = ", ".join(f'"{n}"' for n in sorted(names, key=level_order)[:12])
    raise InputError(
        f'Reference level "{wanted}" does not occur in column "{column}"; its levels are {shown}'
    )


def _encoder(table: Table, col: Column, opts: ModelOptions) -> _Encoder:
    declared = norm(col.name) in {norm(c) for c in opts.categorical}
    if not declared and numbers_as_text(col):
        raise InputError(f'{table.name} column "{col.name}" {AS_TEXT[3:]}')
    if col.kind is Kind.TEXT or declared:
        if col.kind is Kind.DATE:
            raise InputError(f'{table.name} column "{col.name}" holds dates; dates enter as age in days, '
                             "so leave it out of the categorical columns")  # fmt: skip
        return _categories(col, opts.blank_as_level)
    if col.kind is Kind.MIXED:
        rows = np.flatnonzero(col.codes >= 0)  # type: ignore[operator]
        raise InputError(
            f'{table.name} column "{col.name}" mixes numbers and text ({row_list([table.row_number(i) for i in rows])}: '
            f"{quote(col.value(int(rows[0])))}); make it all numbers (blank for unknown) or list it under "
            "categorical columns"
        )
    if col.kind is Kind.EMPTY:
        raise InputError(f'{table.name} column "{col.name}" is blank in every row; fill it in or leave it out')
    kind = {Kind.DATE: "date", Kind.BOOL: "yes/no"}.get(col.kind, "number")
    return _Encoder(col, kind, np.ones(len(col), dtype=bool) if opts.missing_indicator else col.present)


def _categories(col: Column, blank_as_level: bool) -> _Encoder:
    """Per-row level codes: text matched trimmed and case-insensitively, numbers as text."""
    codes, values = levels(col)
    names = [v if isinstance(v, str) else canonical_text(v) for v in values]
    present = codes >= 0
    if blank_as_level and not present.all():
        keys = [norm(n) for n in names]
        blank = keys.index(norm(BLANK_LEVEL)) if norm(BLANK_LEVEL) in keys else len(names)
        if blank == len(names):
            names.append(BLANK_LEVEL)
        codes[~present] = blank
        present = np.ones(len(col), dtype=bool)
    return _Encoder(col, "categories", present, codes, names)


