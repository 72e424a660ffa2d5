"""The coefficient table read back from a sheet IS the model: probabilities and CIs
(the native Excel formula is built in :mod:`leadscore_xl.model.formula`).

A model range is the coefficient table (``Term | Variable | Level | Coef | ...``; only
Variable, Level and Coef are read, so an edited Coef changes every score), optionally
followed, after one blank row, by the Variables block that ``LOGITFIT`` spills below it:

=============  ==========================================================================
Variable       the Deals/Leads column
Type           ``number``, ``yes/no``, ``date (age in days)`` or ``categories``
Reference      the reference level of a text variable (no row of its own)
Pooled         levels pooled into "Other" (``;``-separated)
Merged         levels whose dummy was dropped as collinear (counted as the reference)
Blank filled   the value a blank cell of a number, yes/no or date variable enters as
with           (for a date: an age in days); the median of the deals used for the fit
=============  ==========================================================================

Without the block a level that has no row counts as the reference level, silently;
with it, a level the model never saw counts as the reference level and is flagged.

Blanks, as :class:`Term` and :class:`Variable` hold them (for every consumer of a
CoefModel: LEADPROBS here, the native formula, the scorecard, an SQL compiler):

* a text variable's blank cell is the level ``"(blank)"``: ``Term("Industry", "(blank)")``
  (named "Industry (blank)") is 1 where the cell is blank (or whitespace), like any
  level; it may also be the reference or pooled into "Other";
* a number, yes/no or date variable with ``Variable.fill`` set (the missing-indicator
  method) has the slope term ``Term("Budget")`` and the indicator term
  ``Term("Budget", "(blank)")`` (named "Budget (blank)"). A blank cell enters the slope
  as ``fill`` and sets the indicator to 1; a filled cell enters as its value (a date as
  ``as_of - date``) with the indicator 0:
  ``eta += b_slope * (fill if blank else x) + b_blank * (1 if blank else 0)``.
  Either term may be absent (dropped as constant or collinear): its coefficient is 0;
* without ``fill`` (or without the Variables block giving it), a blank cell of such a
  variable leaves the lead unscored (NaN, "UNSCORED"), as does a text variable's blank
  when "(blank)" is not a level of the model.
The covariance block (``Covariance | term 1 | term 2 ...`` then one row per term) gives
95 % confidence intervals for each probability by the delta method:
``var(eta) = x' V x``, ``p = expit(eta +- 1.96 sqrt(var))``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from scipy import special

from leadscore_xl.sheet.dates import resolve_as_of
from leadscore_xl.model.design import BLANK_LEVEL, OTHER_LEVEL, Term, Variable
from leadscore_xl.errors import ModelTableError, TableError, quote
from leadscore_xl.settings import UNSCORED
from leadscore_xl.sheet.table import Kind, Table, as_rows, canonical_text, is_blank, norm, read_table

__all__ = ["COEF_HEADER", "PROB_OUTPUTS", "VARIABLE_HEADER", "CoefModel", "Probabilities", "read_model",
           "variable_rows"]  # fmt: skip

COEF_HEADER = ["Term", "Variable", "Level", "Coef", "Std. Err.", "z", "P>|z|", "CI 2.5 %", "CI 97.5 %",
               "Odds ratio", "OR CI low", "OR CI high"]  # fmt: skip
VARIABLE_HEADER = ["Variable", "Type", "Reference level", "Pooled into Other", "Counted as reference",
                   "Blank filled with"]  # fmt: skip
PROB_OUTPUTS = ("Probability", "CI low", "CI high", "Note")
Z975 = 1.959963984540054
_TYPES = {"number": "number", "yes/no": "yes/no", "date": "date (age in days)", "categories": "categories"}


def variable_rows(variables: Sequence[Variable]) -> list[list[Any]]:
    """The Variables block: how each input column enters the model."""
    rows: list[list[Any]] = [list(VARIABLE_HEADER)]
    for v in variables:
        rows.append([v.name, _TYPES.get(v.kind, v.kind), v.reference, "; ".join(v.pooled) or None,
                     "; ".join(v.merged) or None, v.fill])  # fmt: skip
    return rows


@dataclass(frozen=True, eq=False)
class Probabilities:
    """Probabilities per lead (NaN where a value the model needs is missing) and notes."""

    p: np.ndarray
    low: np.ndarray | None
    high: np.ndarray | None
    issues: tuple[tuple[str, np.ndarray], ...]
    filled: int

    def notes(self) -> list[str]:
        """One note per lead: unseen levels and missing values, or empty text."""
        out = [""] * len(self.p)
        for text, mask in self.issues:
            for i in np.flatnonzero(mask).tolist():
                out[i] = f"{out[i]}; {text}" if out[i] else text
        return out

    def to_rows(self, outputs: Sequence[str] = ("Probability",)) -> list[list[Any]]:
        """One row per lead with the chosen outputs (UNSCORED where a value is missing)."""
        cols: list[list[Any]] = []
        for name in outputs:
            key = norm(name)
            if key == "note":
                cols.append(list(self.notes()))
                continue
            values = {"probability": self.p, "ci low": self.low, "ci high": self.high}[key]
            assert values is not None
            cols.append([UNSCORED if v != v else v for v in values.tolist()])
        rows = [list(r) for r in zip(*cols)]
        rows[self.filled:] = [[None] * len(outputs) for _ in range(len(rows) - self.filled)]
        return rows


@dataclass(frozen=True, eq=False)
class CoefModel:
    """A logistic model given by its terms, coefficients and (optionally) covariance."""

    terms: tuple[Term, ...]
    coef: np.ndarray
    variables: tuple[Variable, ...]
    cov: np.ndarray | None = None
    references_known: bool = True

    def predict(self, leads: Any, as_of: Any = None) -> np.ndarray:
        """Probabilities for a Leads range (header + rows) or Table; NaN where unscorable."""
        return self.score(leads, as_of, ci=False).p

    def predict_with_ci(self, leads: Any, as_of: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Probabilities with their 95 % delta-method confidence limits."""
        result = self.score(leads, as_of, ci=True)
        assert result.low is not None and result.high is not None
        return result.p, result.low, result.high

    def score(self, leads: Any, as_of: Any = None, ci: bool = False) -> Probabilities:
        """Probabilities, optional CI and the notes for every lead."""
        table = leads if isinstance(leads, Table) else read_table(leads, "Leads")
        if ci and self.cov is None:
            raise ModelTableError(
                "Confidence intervals need the covariance block; pass the Covariance range that "
                "LOGITFIT's results (the Model sheet) hold"
            )
        serial = resolve_as_of(as_of)
        n = len(table)
        Z = np.zeros((n, len(self.terms))) if ci else None
        eta = np.full(n, self.coef[self._index(Term("Intercept"))])
        missing = np.zeros(n, dtype=bool)
        issues: list[tuple[str, np.ndarray]] = []
        for var in self.variables:
            missing |= self._add(table, var, serial, eta, Z, issues)
        eta[missing] = np.nan
        p = special.expit(eta)
        low = high = None
        if Z is not None and self.cov is not None:
            Z[:, self._index(Term("Intercept"))] = 1.0
            se = np.sqrt(np.einsum("ij,jk,ik->i", Z, self.cov, Z))
            low, high = special.expit(eta - Z975 * se), special.expit(eta + Z975 * se)
        return Probabilities(p, low, high, tuple(issues), table.filled)

    def _index(self, term: Term) -> int:
        return self._positions[(norm(term.variable), None if term.level is None else norm(term.level))]

    def slot(self, term: Term) -> int | None:
        """The position of a term, or None when the model has no such term (coefficient 0)."""
        return self._positions.get((norm(term.variable), None if term.level is None else norm(term.level)))

    @cached_property
    def _positions(self) -> dict[tuple[str, str | None], int]:
        return {(norm(t.variable), None if t.level is None else norm(t.level)): i for i, t in enumerate(self.terms)}

    def _add(self, table: Table, var: Variable, as_of: float, eta: np.ndarray, Z: np.ndarray | None,
             issues: list[tuple[str, np.ndarray]]) -> np.ndarray:  # fmt: skip
        """Add one variable's contribution to eta (and Z); return its missing mask."""
        col = table.column(self._column(table, var))
        if var.kind == "categories":
            d, missing, unseen = self._dummies(col, var)
            cols = np.array([self._index(Term(var.name, lv)) for lv in var.levels] + [-1])
            coefs = np.append(self.coef[cols[:-1]], 0.0)
            eta += coefs[d]
            if Z is not None:
                hit = np.flatnonzero(d >= 0)
                Z[hit, cols[d[hit]]] = 1.0
            if unseen.any():
                issues.append((f'"{var.name}" level not in the model, counted as "{var.reference}"', unseen))
            what = "blank"
        else:
            missing, what = self._add_number(col, var, as_of, eta, Z)
        missing &= np.arange(len(missing)) < table.filled
        if missing.any():
            issues.append((f'{UNSCORED}: "{var.name}" is {what}', missing))
        return missing

    def _column(self, table: Table, var: Variable) -> int:
        i = table.find(var.name)
        if i is None:
            raise TableError(
                f"{table.missing_message(var.name, 'model variable')}; if the leads cannot have it, refit the model "
                f'without "{var.name}" (list the other columns in LOGITFIT\'s features argument or the Features '
                "setting) and score with that coefficient table"
            )
        return i

    def _add_number(self, col: Any, var: Variable, as_of: float, eta: np.ndarray,
                    Z: np.ndarray | None) -> tuple[np.ndarray, str]:  # fmt: skip
        """A number, yes/no or date variable: slope x value, the blank indicator (see the module docstring)."""
        values = col.numbers.copy()
        if var.kind == "date" or (var.kind == "auto" and col.kind is Kind.DATE):
            values = as_of - values
        j, k = self.slot(Term(var.name)), self.slot(Term(var.name, BLANK_LEVEL))
        blank = ~col.present
        what = "blank or not a number"
        if var.fill is not None:
            values[blank] = var.fill
            what = "not a number"
        elif k is not None and j is not None:
            what = 'blank, and the model range gives no "Blank filled with" value; include the Variables block'
        elif j is None:
            values[blank] = 0.0  # no slope: a blank needs no fill
        missing = np.isnan(values)
        if j is not None:
            eta += np.where(missing, 0.0, values) * self.coef[j]
        if k is not None:
            eta += blank * self.coef[k]
        if Z is not None:
            if j is not None:
                Z[:, j] = values
            if k is not None:
                Z[:, k] = blank
        return missing, what

    def _dummies(self, col: Any, var: Variable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per lead: dummy index (-1 = reference), missing mask, unseen-level mask."""
        lookup = {norm(lv): d for d, lv in enumerate(var.levels)}
        other = lookup.get(norm(OTHER_LEVEL), -1)
        lookup.update({norm(lv): other for lv in var.pooled})
        known = set(lookup) | {norm(lv) for lv in var.merged} | ({norm(var.reference)} if var.reference else set())
        n = len(col)
        keys: list[str] = list(col.keys) if col.codes is not None else []
        codes = col.codes.astype(np.int64) if col.codes is not None else np.full(n, -1, dtype=np.int64)
        if col.num is not None:
            has = ~np.isnan(col.num) & (codes < 0)
            uniques, inverse = np.unique(col.num[has], return_inverse=True)
            codes[has] = len(keys) + inverse
            keys += [norm(canonical_text(float(v))) for v in uniques]
        blank = lookup.get(norm(BLANK_LEVEL))
        d_of_key = np.array([lookup.get(k, -1) for k in keys] + [-1 if blank is None else blank], dtype=np.int64)
        seen = np.array([k in known or not self.references_known for k in keys] + [True])
        d = d_of_key[codes]
        missing = (codes < 0) if blank is None and norm(BLANK_LEVEL) not in known else np.zeros(n, dtype=bool)
        return d, missing, ~seen[codes]


def read_model(coef_rows: Any, covariance_rows: Any = None, variables: Any = None) -> CoefModel:
    """A model from a coefficient table on a sheet (plus optional covariance and Variables block)."""
    rows = as_rows(coef_rows)
    if not rows or not rows[0]:
        raise ModelTableError("The model range is empty; select the coefficient table with its header row")
    header = {norm(str(h)): i for i, h in enumerate(rows[0]) if not is_blank(h)}
    for need in ("Variable", "Level", "Coef"):
        if norm(need) not in header:
            raise ModelTableError(
                f'The model range has no "{need}" column; select the coefficient table that LOGITFIT spills, '
                "starting at its header row (Term, Variable, Level, Coef, ...)"
            )
    body, block = _split(rows[1:])
    terms, coef = _terms(body, header)
    block_rows = as_rows(variables) if variables is not None else block
    known = bool(block_rows)
    declared = _variables(block_rows) if block_rows else {}
    model_vars = _model_variables(terms, declared)
    cov = _covariance(covariance_rows, terms) if covariance_rows is not None and not is_blank(covariance_rows) else None
    return CoefModel(tuple(terms), np.array(coef), model_vars, cov, known)


def _split(rows: list[list[Any]]) -> tuple[list[list[Any]], list[list[Any]]]:
    """Term rows up to the first blank row; then the Variables block, if one follows,
    up to the next blank row (the diagnostics after it are for people, not the model)."""
    blank = [all(is_blank(c) for c in r) for r in rows]
    end = blank.index(True) if True in blank else len(rows)
    start = next((i for i in range(end, len(rows)) if not blank[i]), len(rows))
    stop = next((i for i in range(start, len(rows)) if blank[i]), len(rows))
    rest = rows[start:stop]
    if rest and norm(str(rest[0][0])) == "variable":
        return rows[:end], rest
    return rows[:end], []


def _terms(body: list[list[Any]], header: dict[str, int]) -> tuple[list[Term], list[float]]:
    terms: list[Term] = []
    coef: list[float] = []
    seen: set[tuple[str, str | None]] = set()
    v, lv, c = header["variable"], header["level"], header["coef"]
    for i, row in enumerate(body, start=2):
        variable = row[v]
        if is_blank(variable):
            raise ModelTableError(f"Model row {i}: Variable is blank; every coefficient row names its Deals column")
        value = row[c]
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:
            raise ModelTableError(f'Model row {i} ("{variable}"): Coef {quote(value)} is not a number; type a number')
        level = None if is_blank(row[lv]) else _text(row[lv])
        if norm(str(variable)) == "intercept":
            level = None
        key = (norm(str(variable)), None if level is None else norm(level))
        if key in seen:
            raise ModelTableError(f'Model row {i}: term "{variable}{": " + level if level else ""}" appears twice; '
                                  "keep one row per term")  # fmt: skip
        seen.add(key)
        terms.append(Term(str(variable).strip(), level))
        coef.append(float(value))
    if ("intercept", None) not in seen:
        raise ModelTableError('The coefficient table has no "Intercept" row; add it back (Variable "Intercept")')
    return terms, coef


def _text(value: Any) -> str:
    return canonical_text(value) if isinstance(value, float) else str(value).strip()


def _variables(block: list[list[Any]]) -> dict[str, Variable]:
    kinds = {norm(t): k for k, t in _TYPES.items()}
    out = {}
    for row in block[1:]:
        cells = list(row) + [None] * (6 - len(row))
        if is_blank(cells[0]):
            continue
        kind = kinds.get(norm(str(cells[1])), "auto")
        split = [tuple(p.strip() for p in str(c).split(";") if p.strip()) if not is_blank(c) else () for c in cells[3:5]]
        ref = None if is_blank(cells[2]) else _text(cells[2])
        out[norm(str(cells[0]))] = Variable(str(cells[0]).strip(), kind, ref, (), split[0], split[1],
                                            _fill(cells[5], str(cells[0]).strip()))  # fmt: skip
    return out


def _fill(value: Any, name: str) -> float | None:
    if is_blank(value):
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:
        raise ModelTableError(f'Variables block, "{name}": Blank filled with {quote(value)} is not a number; '
                              "type a number or leave it blank")  # fmt: skip
    return float(value)


def _model_variables(terms: list[Term], declared: dict[str, Variable]) -> tuple[Variable, ...]:
    """A variable with a term without Level (a slope), or declared a number, yes/no or date,
    is numeric (its only level can be "(blank)", the indicator); otherwise categories."""
    order: dict[str, list[Term]] = {}
    for t in terms:
        if norm(t.variable) != "intercept":
            order.setdefault(norm(t.variable), []).append(t)
    out = []
    for key, ts in order.items():
        levels = tuple(t.level for t in ts if t.level is not None)
        given = declared.get(key)
        numeric = any(t.level is None for t in ts) or (given is not None and given.kind not in ("categories", "auto"))
        if numeric and {norm(lv) for lv in levels} <= {norm(BLANK_LEVEL)}:
            out.append(Variable(ts[0].variable, given.kind if given else "auto", fill=given.fill if given else None))
        elif levels:
            out.append(Variable(ts[0].variable, "categories", given.reference if given else None, levels,
                                given.pooled if given else (), given.merged if given else ()))  # fmt: skip
        else:
            out.append(Variable(ts[0].variable, given.kind if given else "auto"))
    return tuple(out)


def _covariance(values: Any, terms: list[Term]) -> np.ndarray:
    rows = [r for r in as_rows(values) if not all(is_blank(c) for c in r)]
    names = [norm(str(c)) for c in rows[0][1:] if not is_blank(c)]
    index = {n: i for i, n in enumerate(names)}
    matrix = np.array([[float(c) if isinstance(c, (int, float)) else np.nan for c in r[1:len(names) + 1]]
                       for r in rows[1:len(names) + 1]])  # fmt: skip
    index.update({norm(t.name): index[norm(_old_name(t))] for t in terms
                  if norm(t.name) not in index and norm(_old_name(t)) in index})  # fmt: skip
    wanted = [norm(t.name) for t in terms]
    absent = [t.name for t, w in zip(terms, wanted) if w not in index]
    if absent or matrix.shape != (len(names), len(names)) or np.isnan(matrix).any():
        what = f"has no row and column for {', '.join(absent[:3])}" if absent else "is not a square table of numbers"
        raise ModelTableError(
            f"The covariance block {what}; pass the whole Covariance block that LOGITFIT's results hold "
            "(header row of terms, then one row per term)"
        )
    pick = [index[w] for w in wanted]
    return matrix[np.ix_(pick, pick)]


def _old_name(term: Term) -> str:
    """A blank term as older workbooks name it: "Industry: (blank)"."""
    return f"{term.variable}: {term.level}"

