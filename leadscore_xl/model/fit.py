"""Logistic regression on the Deals sheet, with a frozen result whose rows go onto a sheet.

:func:`fit_logit` reads a Deals range (or :class:`~leadscore_xl.sheet.table.Table`), builds the
design matrix (:mod:`leadscore_xl.model.design`), fits with statsmodels' ``Logit`` (falling back
to Firth's penalised likelihood under separation, :mod:`leadscore_xl.model.estimate`) and returns a
:class:`LogitResult`. Options come from keyword arguments, the Excel functions' optional
arguments, or the Settings table (an argument wins over a Setting):

=========================  ===========================  ===========================================
Setting                    Excel argument / example     Meaning
=========================  ===========================  ===========================================
Outcome column             ``outcome``: ``Outcome``     Won/Lost, Yes/No, TRUE/FALSE, 1/0,
                                                        Converted/Not converted (blank = open deal)
Features                   ``features``: ``a; b; c``    the columns to use (default: every column
                                                        but the outcome, the Amount column and
                                                        identifier-like ones, see
                                                        :mod:`leadscore_xl.model.features`)
Categorical columns        ``categorical``: ``rank``    numeric columns whose values are categories
Reference <column>         ``reference``: ``rank=1``    a text column's reference level, pairs
                           (``;`` between pairs)        separated by ``;`` (default: most frequent)
Min level count            ``10`` (default)             rarer levels are pooled into "Other"
Blank as level             ``FALSE`` (default TRUE)     a blank text cell is the level "(blank)";
                                                        FALSE leaves the row out
Missing indicator          ``FALSE`` (default TRUE)     a blank number or date is filled with the
                                                        median and gets a "<column> (blank)" term;
                                                        FALSE leaves the row out
Amount column              ``Deal Amount`` (default)    never a feature unless listed in Features
As-of date                 ``as_of``                    date columns enter as age in days at it
=========================  ===========================  ===========================================

Lists may also be ranges of cells; a ``reference`` range has two columns (column, level).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from typing import Any

import numpy as np
from scipy import stats

from leadscore_xl.model.coefficients import COEF_HEADER, Z975, CoefModel, read_model, variable_rows
from leadscore_xl.model.formula import excel_formula
from leadscore_xl.sheet.dates import from_serial, resolve_as_of
from leadscore_xl.model.design import Design, ModelOptions, Term, Variable, build_design, drop_redundant
from leadscore_xl.errors import InputError, LeadScoreWarning, quote
from leadscore_xl.model.estimate import Estimate, estimate, fit_predictor
from leadscore_xl.model.features import leak_warnings
from leadscore_xl.model.magnitude import check_estimates, check_magnitudes
from leadscore_xl.model.threads import limited_threads
from leadscore_xl.settings import Settings, amount_column, read_settings
from leadscore_xl.sheet.table import Table, canonical_text, is_blank, norm, read_table, truth

__all__ = ["LogitResult", "excel_formula", "fit_logit", "fit_predictor", "logit_design", "model_options",
           "parse_names", "parse_pairs", "read_model"]  # fmt: skip

_METHODS = {"Newton": "Newton (maximum likelihood, statsmodels)", "Firth": "Firth (penalised likelihood)"}


def parse_names(value: Any) -> tuple[str, ...]:
    """``"a; b"``, ``"a, b"``, a list or a range of cells -> names (blanks skipped)."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        cells = [c for row in value for c in (row if isinstance(row, (list, tuple)) else [row])]
        return tuple(n for c in cells for n in parse_names(c))
    if is_blank(value):
        return ()
    text = canonical_text(value) if isinstance(value, float) else str(value)
    return tuple(p.strip() for p in text.replace(",", ";").split(";") if p.strip())


def parse_pairs(value: Any) -> dict[str, str]:
    """``"rank=1; Source=Web"``, a mapping, or a two-column range -> {column key: level}."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {norm(str(k)): _level_text(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and value and all(isinstance(r, (list, tuple)) and len(r) == 2 for r in value):
        return {norm(str(k)): _level_text(v) for k, v in value if not is_blank(k)}
    pairs = {}
    for part in parse_names(value):
        key, sep, level = part.partition("=")
        if not sep or not key.strip() or not level.strip():
            raise InputError(
                f"Reference {quote(part)} is not a column=level pair; write e.g. "
                '"rank=1; Source=Web" (pairs separated by ;)'
            )
        pairs[norm(key)] = level.strip()
    return pairs


def _level_text(value: Any) -> str:
    return canonical_text(float(value)) if isinstance(value, (int, float)) else str(value).strip()


def _flag(value: Any, where: str, default: bool = False) -> bool:
    if is_blank(value):
        return default
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0
    answer = truth(value)
    if answer is not None:
        return answer
    raise InputError(f"{where} {quote(value)} is not TRUE or FALSE; write TRUE or FALSE")


def model_options(outcome: Any = None, features: Any = None, categorical: Any = None, reference: Any = None,
                  min_level_count: Any = None, blank_as_level: Any = None,
                  settings: Settings | None = None, missing_indicator: Any = None) -> ModelOptions:  # fmt: skip
    """Merge arguments with the Settings table (an argument wins over a Setting)."""
    cfg = settings or Settings()
    name = outcome if not is_blank(outcome) else cfg.get("outcome column")
    if is_blank(name):
        raise InputError(
            "No outcome column given; pass the name of the Deals column holding Won/Lost "
            '(e.g. "Outcome") or set "Outcome column" in the Settings table'
        )
    refs = {k[len("reference "):]: _level_text(v) for k, v in cfg.values.items()
            if k.startswith("reference ") and not is_blank(v)}  # fmt: skip
    refs.update(parse_pairs(reference))
    count = min_level_count if not is_blank(min_level_count) else cfg.get("min level count", 10)
    if not isinstance(count, (int, float)) or isinstance(count, bool) or count < 0:
        raise InputError(f"Min level count {quote(count)} is not a number; use a whole number such as 10")
    blank = blank_as_level if blank_as_level is not None else cfg.get("blank as level")
    indicator = missing_indicator if missing_indicator is not None else cfg.get("missing indicator")
    feats = parse_names(features) or parse_names(cfg.get("features"))
    return ModelOptions(
        outcome=str(name).strip(),
        features=feats or None,
        categorical=parse_names(categorical) or parse_names(cfg.get("categorical columns")),
        reference=refs,
        min_level_count=int(count),
        blank_as_level=_flag(blank, "Blank as level", True),
        missing_indicator=_flag(indicator, "Missing indicator", True),
        exclude=(amount_column(cfg),),
    )


def fit_logit(deals: Any, outcome: Any = None, *, features: Any = None, categorical: Any = None,
              reference: Any = None, min_level_count: Any = None, blank_as_level: Any = None,
              as_of: Any = None, settings: Any = None, missing_indicator: Any = None) -> LogitResult:  # fmt: skip
    """Fit P(won) = 1 / (1 + exp(-x'b)) on a Deals range with its header row, or a Table."""
    cfg = settings if isinstance(settings, Settings) else read_settings(settings)
    opts = model_options(outcome, features, categorical, reference, min_level_count, blank_as_level, cfg,
                         missing_indicator)  # fmt: skip
    table = deals if isinstance(deals, Table) else read_table(deals, "Deals")
    serial = resolve_as_of(as_of) if not is_blank(as_of) else (cfg.scoring.as_of or resolve_as_of(None))
    design, xtx = logit_design(table, opts, serial)
    est = estimate(design.X, design.y, [t.name for t in design.terms])
    check_estimates(est.params, est.cov, design, table)
    return LogitResult(
        outcome=opts.outcome, terms=design.terms, variables=design.variables, estimate=est,
        n_used=len(design.y), n_dropped=design.n_dropped, events=int(design.y.sum()),
        warnings=design.warnings + leak_warnings(design) + est.warnings, as_of=serial,
        fingerprint=_fingerprint(design, xtx), fitted_at=dt.datetime.now().replace(microsecond=0),
    )  # fmt: skip


def logit_design(table: Table, opts: ModelOptions, as_of: float) -> tuple[Design, np.ndarray]:
    """The design :func:`fit_logit` fits, and its X'X (the refresh cross-validates this one)."""
    design = build_design(table, opts, as_of)
    check_magnitudes(design, table)
    with limited_threads():
        return drop_redundant(design)


def _fingerprint(design: Design, xtx: np.ndarray) -> str:
    """blake2b of the fitted data's cross-products X'X and X'y (to 12 significant digits, so row
    order does not matter), N and the terms: it changes when any value used by the fit does."""
    sums = np.concatenate([xtx.ravel(), design.X.T @ design.y])
    text = repr((len(design.y), [t.name for t in design.terms], [f"{v:.12g}" for v in sums.tolist()]))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _versions() -> list[tuple[str, str]]:
    out = []
    for name in ("leadscore-xl", "statsmodels", "numpy", "scipy"):
        try:
            out.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            out.append((name, "not installed"))
    return out + [("Python", platform.python_version())]


@dataclass(frozen=True, eq=False)
class LogitResult:
    """A fitted model with its rows for the Model sheet. Warnings are kept, never raised."""

    outcome: str
    terms: tuple[Term, ...]
    variables: tuple[Variable, ...]
    estimate: Estimate = field(repr=False)
    n_used: int
    n_dropped: int
    events: int
    warnings: tuple[LeadScoreWarning, ...]
    as_of: float
    fingerprint: str
    fitted_at: dt.datetime

    @property
    def params(self) -> np.ndarray:
        return self.estimate.params

    @cached_property
    def bse(self) -> np.ndarray:
        return np.sqrt(np.diag(self.estimate.cov))

    @cached_property
    def pvalues(self) -> np.ndarray:
        return 2.0 * stats.norm.sf(np.abs(self.params / self.bse))

    @property
    def method(self) -> str:
        return self.estimate.method

    @cached_property
    def model(self) -> CoefModel:
        """The same model as the sheet holds it (used by :meth:`predict`)."""
        return CoefModel(self.terms, self.params, self.variables, self.estimate.cov, True)

    def predict(self, leads: Any, as_of: Any = None) -> np.ndarray:
        """P(won) for a Leads range or Table (dates aged at the fit's as-of date unless given)."""
        return self.model.predict(leads, self.as_of if as_of is None else as_of)

    def coef_rows(self) -> list[list[Any]]:
        """Header + one row per term: the coefficient table (the model on a sheet)."""
        b, se = self.params, self.bse
        low, high = b - Z975 * se, b + Z975 * se
        rows: list[list[Any]] = [list(COEF_HEADER)]
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            z = b / se
            for i, t in enumerate(self.terms):
                rows.append([t.name, t.variable, t.level, float(b[i]), float(se[i]), float(z[i]),
                             float(self.pvalues[i]), float(low[i]), float(high[i]), float(np.exp(b[i])),
                             float(np.exp(low[i])), float(np.exp(high[i]))])  # fmt: skip
        return rows

    def variable_rows(self) -> list[list[Any]]:
        """How each Deals column enters the model (type, reference level, pooled levels)."""
        return variable_rows(self.variables)

    def model_rows(self) -> list[list[Any]]:
        """What LOGITFIT spills: the coefficient table, a blank row, the Variables block,
        a blank row, and the diagnostics, so that statistical trouble shows beside the
        coefficients it qualifies."""
        width = len(COEF_HEADER)
        blank = [[None] * width]
        variables = [r + [None] * (width - len(r)) for r in self.variable_rows()]
        diagnostics = [r + [None] * (width - len(r)) for r in self.diagnostic_rows()]
        return self.coef_rows() + blank + variables + blank + diagnostics

    def covariance_rows(self) -> list[list[Any]]:
        """The coefficients' covariance: ``Covariance | term ...`` then one row per term."""
        names = [t.name for t in self.terms]
        return [["Covariance", *names]] + [[n, *map(float, row)] for n, row in zip(names, self.estimate.cov)]

    def stats_rows(self) -> list[list[Any]]:
        """Two columns, Statistic | Value, ending with one row per warning."""
        e, k = self.estimate, len(self.terms)
        lr = float(2.0 * (e.penalized[0] - e.penalized[1]) if e.penalized else 2.0 * (e.llf - e.llnull))
        rarer = min(self.events, self.n_used - self.events)
        rows: list[list[Any]] = [
            ["Statistic", "Value"], ["Outcome", self.outcome], ["Method", _METHODS[e.method]],
            ["N used", self.n_used], ["N dropped", self.n_dropped], ["Events (won)", self.events],
            ["Non-events (lost)", self.n_used - self.events], ["Coefficients", k],
            ["Events per variable", rarer / (k - 1) if k > 1 else None],
            ["Log-likelihood", e.llf], ["Null log-likelihood", e.llnull],
        ]  # fmt: skip
        if e.penalized:
            rows += [["Penalised log-likelihood", e.penalized[0]], ["Null penalised log-likelihood", e.penalized[1]]]
        rows += [
            ["LR chi2" + (" (penalised)" if e.penalized else ""), lr], ["LR df", k - 1],
            ["LR p-value", float(stats.chi2.sf(lr, k - 1)) if k > 1 else None],
            ["McFadden pseudo R2", 1.0 - e.llf / e.llnull], ["AIC", 2.0 * k - 2.0 * e.llf],
            ["BIC", k * float(np.log(self.n_used)) - 2.0 * e.llf], ["Converged", e.converged],
            ["Newton iterations on all rows" if e.method == "Newton" else "Iterations", e.iterations],
        ]  # fmt: skip
        if e.method == "Newton":
            start = "a 1/8 subsample's estimate, refined on all rows" if e.warm_start else "the overall log-odds"
            rows.append(["Start values", start])
        rows += [
            ["Warnings", len(self.warnings)],
        ]  # fmt: skip
        return rows + [["Warning", str(w)] for w in self.warnings]

    def diagnostic_rows(self) -> list[list[Any]]:
        """Diagnostic | Message, one row per warning (or one row saying there are none)."""
        rows: list[list[Any]] = [["Diagnostic", "Message"]]
        for w in self.warnings:
            rows.append([_diagnostic_name(w), str(w)])
        return rows if len(rows) > 1 else rows + [["None", "no statistical or data-quality issues found"]]

    def audit_rows(self) -> list[list[Any]]:
        """Audit | Value: when, on what data, with which software."""
        rows: list[list[Any]] = [
            ["Audit", "Value"], ["Fitted at", self.fitted_at], ["As-of date", from_serial(self.as_of)],
            ["Input fingerprint", f"blake2b:{self.fingerprint}"], ["Deals rows", self.n_used + self.n_dropped],
        ]  # fmt: skip
        return rows + [[name, version] for name, version in _versions()]


def _diagnostic_name(w: LeadScoreWarning) -> str:
    name = type(w).__name__.removesuffix("Warning")
    return {"FewEvents": "Few events", "NonConvergence": "Non-convergence", "DroppedColumn": "Dropped column",
            "DataQuality": "Data quality", "Leak": "Probable leak"}.get(name, name)  # fmt: skip
