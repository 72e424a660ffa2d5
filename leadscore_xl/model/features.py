"""Which Deals columns are features, and which look like a leak of the outcome.

By default (no features listed) every Deals column except the outcome is a candidate,
and a candidate is left out, with a note saying why and how to force it in, when it is

* blank in every row, or numbers stored as text;
* an identifier: every value different, unique numbers in an "ID" column, e-mail
  addresses or web addresses (``name@firm.com``, ``https://...``, ``www.firm.com``);
* high-cardinality text: more distinct values than half the rows with an outcome, or
  more than :data:`MAX_LEVELS` (surnames, company names: one coefficient per name);
* the Amount column (Settings "Amount column", default "Deal Amount"): a value known
  only once a deal is done, which open leads cannot have.

Columns listed as features are used as they are. After the design is built,
:func:`leak_warnings` names every feature that alone separates won from lost (a level
all of whose deals are won and every other deal lost, or a number whose won and lost
deals do not overlap): most often the outcome under another name ("Lifecycle Stage" =
Customer). It is a warning, not an error: the fit still runs (with Firth under
separation).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from leadscore_xl.errors import DroppedColumnWarning, InputError, LeadScoreWarning, LeakWarning, ModelError
from leadscore_xl.sheet.table import Column, Kind, Table, canonical_text, norm, text_number

if TYPE_CHECKING:
    from leadscore_xl.model.design import Design, ModelOptions

__all__ = ["AS_TEXT", "MAX_LEVELS", "default_features", "feature_columns", "leak_warnings", "numbers_as_text"]

MAX_LEVELS = 200
AS_TEXT = ("it holds numbers stored as text; convert them to numbers (e.g. Data > Text to Columns) "
           "or list it under categorical columns")  # fmt: skip
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
_URL = re.compile(r"^(?:https?://\S+|www\.\S+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/\S*)?)$")


def default_features(table: Table, opts: ModelOptions, among: Sequence[str]) -> tuple[list[str], list[LeadScoreWarning]]:
    """The columns of ``among`` (e.g. the Leads headers) that pass the checks, and the notes
    naming those left out: what the refresh fits when Settings lists no Features."""
    notes: list[LeadScoreWarning] = []
    cols = feature_columns(table, opts, opts.outcome, notes, {norm(a) for a in among})
    return [c.name for c in cols], notes


def feature_columns(table: Table, opts: ModelOptions, outcome: str, notes: list[LeadScoreWarning],
                    among: set[str] | None = None) -> list[Column]:  # fmt: skip
    """The listed features, or the candidates (the columns, or those keyed in ``among``)
    that pass the checks in the module docstring."""
    outcome_key = norm(outcome)
    if opts.features is not None:
        cols = [table.column(table.index(f, "feature")) for f in opts.features]
        cols = [c for c in cols if norm(c.name) != outcome_key]
        for col in cols:
            if col.kind is Kind.EMPTY:
                raise InputError(
                    f'{table.name} column "{col.name}" is blank in every row; fill it in or leave it out of the features'
                )
        if not cols:
            raise InputError("The features list names only the outcome column; list the columns that predict it")
        return cols
    cols, many = [], []
    excluded = {norm(e) for e in opts.exclude}
    n_outcome = int(np.count_nonzero(table.column(table.index(outcome)).present))
    declared = {norm(c) for c in opts.categorical}
    for i, header in enumerate(table.headers):
        key = norm(header)
        if key == outcome_key or (among is not None and key not in among):
            continue
        if key in excluded:
            notes.append(DroppedColumnWarning(
                f'{table.name} column "{header}" was left out: it is the Amount column, a value known only once a '
                "deal is done; list it under Features to use it anyway"
            ))  # fmt: skip
            continue
        col = table.column(i)
        why = _skip_reason(col, key in declared)
        if why:
            notes.append(DroppedColumnWarning(f'{table.name} column "{header}" was left out: {why}'))
        elif col.kind is Kind.TEXT and _too_many_levels(col, n_outcome):
            many.append(col)
        else:
            cols.append(col)
    if many:
        notes.append(_many_levels_note(table.name, many, n_outcome))
    if not cols:
        raise ModelError(f"{table.name} has no usable feature column besides the outcome; add columns that predict it")
    return cols


def numbers_as_text(col: Column) -> bool:
    """A text column whose every value is a number ("100", "107"): a CSV import's numbers."""
    return col.kind is Kind.TEXT and all(not math.isnan(text_number(k)) for k in col.keys)


def _skip_reason(col: Column, categorical: bool) -> str | None:
    if col.kind is Kind.EMPTY:
        return "it is blank in every row"
    if not categorical and numbers_as_text(col):
        return AS_TEXT
    n_present = int(col.present.sum())
    if col.kind is Kind.TEXT and n_present > 2 and len(set(col.keys)) == n_present:
        return "every value is different (an identifier such as an ID or e-mail)"
    if col.kind is Kind.NUMBER and not categorical and "id" in norm(col.name).replace("-", " ").split() \
            and len(np.unique(col.num[col.present])) == n_present:  # fmt: skip
        return "it looks like an identifier (unique numbers in an ID column)"
    if col.kind is Kind.TEXT and _shaped(col, _EMAIL):
        return "it holds e-mail addresses (an identifier); list it under Features to use it anyway"
    if col.kind is Kind.TEXT and _shaped(col, _URL):
        return "it holds web addresses (an identifier); list it under Features to use it anyway"
    return None


def _shaped(col: Column, pattern: re.Pattern[str]) -> bool:
    """Nine in ten of the column's cells (counted per row) look like ``pattern``."""
    assert col.codes is not None
    counts = np.bincount(col.codes[col.codes >= 0], minlength=len(col.keys))
    hits = sum(int(c) for k, c in zip(col.keys, counts) if pattern.match(k))
    return hits >= 0.9 * max(int(counts.sum()), 1)


def _too_many_levels(col: Column, n_rows: int) -> bool:
    distinct = len(set(col.keys))
    return distinct > MAX_LEVELS or distinct > n_rows / 2


def _many_levels_note(sheet: str, cols: Sequence[Column], n_rows: int) -> DroppedColumnWarning:
    names = ", ".join(f'"{c.name}" ({len(set(c.keys)):,} values)' for c in cols)
    word = "column" if len(cols) == 1 else "columns"
    return DroppedColumnWarning(
        f"{sheet} text {word} {names} left out: more distinct values than half the {n_rows:,} rows with an "
        f"outcome or than {MAX_LEVELS} (names or identifiers, one coefficient per value); to use one anyway, "
        "list it under Features (the Features setting or LOGITFIT's features argument)"
    )


def leak_warnings(design: Design) -> tuple[LeadScoreWarning, ...]:
    """A LeakWarning for each feature that alone separates won from lost (see the module docstring)."""
    X, y = design.X, design.y.astype(bool)
    if y.all() or not y.any():
        return ()
    column = {t: j for j, t in enumerate(design.terms)}
    notes: list[LeadScoreWarning] = []
    for var in design.variables:
        if var.kind == "categories":
            cols = [column[t] for t in column if t.variable == var.name and t.level is not None]
            text = _level_leak(X[:, cols], y, [design.terms[j].level or "" for j in cols], var.reference)
            if text:
                notes.append(_leak(var.name, text))
            continue
        for t, j in column.items():
            if t.variable == var.name:
                text = _number_leak(X[:, j], y, t.level)
                if text:
                    notes.append(_leak(var.name, text))
    return tuple(notes)


def _leak(name: str, text: str) -> LeakWarning:
    return LeakWarning(
        f'Probable leak: "{name}" alone separates won from lost ({text}): a value known only once a deal is '
        f'decided, such as the outcome under another name? Leave "{name}" out of the features'
    )


def _level_leak(D: np.ndarray, y: np.ndarray, levels: list[str], reference: str | None) -> str:
    """Every level of the variable (the reference = no dummy set) holds only won or only lost deals."""
    codes = np.where(D.any(axis=1), D.argmax(axis=1), len(levels))
    names = levels + [reference or "the reference level"]
    won = np.bincount(codes[y], minlength=len(names))
    lost = np.bincount(codes[~y], minlength=len(names))
    if np.any((won > 0) & (lost > 0)):
        return ""
    winners = [names[i] for i in np.flatnonzero(won)]
    shown = "; ".join(f'"{n}"' for n in winners[:3]) + (" ..." if len(winners) > 3 else "")
    return f"level {shown} holds every won deal and no lost one"


def _number_leak(x: np.ndarray, y: np.ndarray, level: str | None) -> str:
    won, lost = x[y], x[~y]
    if level is not None:  # the blank indicator of a number column
        if won.min() == won.max() and lost.min() == lost.max() and won[0] != lost[0]:
            return f'the level "{level}": every {"blank" if won[0] else "filled-in"} deal is won, every other lost'
        return ""
    if won.min() > lost.max():
        return f"every won deal is above {canonical_text(float(lost.max()))}, every lost one at or below it"
    if won.max() < lost.min():
        return f"every won deal is below {canonical_text(float(lost.min()))}, every lost one at or above it"
    return ""
