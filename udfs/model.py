"""Predictive-scoring functions: LOGITFIT, LOGITSTATS, LOGITCOV, LEADPROB, LEADPROBS, LOGITFORMULA."""

from __future__ import annotations

from typing import Any

import xlwings as xw

from leadscore_xl.model.formula import excel_formula
from leadscore_xl.model.coefficients import PROB_OUTPUTS, read_model
from leadscore_xl.errors import InputError, quote
from leadscore_xl.model.fit import LogitResult, fit_logit, parse_names
from leadscore_xl.sheet.table import header_text
from leadscore_xl.sheet.table import as_rows, is_blank, norm

from ._excel import CATEGORY, cell, excel_args, excel_function, grid

__all__ = ["LEADPROB", "LEADPROBS", "LOGITCOV", "LOGITFIT", "LOGITFORMULA", "LOGITSTATS"]

_DEALS = "The Deals table with its header row, e.g. Deals[#All]"
_FEATURES = 'Optional feature columns, e.g. "Industry; Employees" or a range of names (default: all but IDs)'
_CATEGORICAL = 'Optional numeric columns to treat as categories, e.g. "rank"'
_REFERENCE = 'Optional reference levels, e.g. "rank=1; Source=Web", or a two-column range'
_MODEL = "The coefficient table spilled by LOGITFIT (with its header row; the Variables block below it may be included)"
_COVARIANCE = "Optional covariance block, from LOGITCOV or the Model sheet (needed for CI low / CI high)"
_OUTPUTS = 'Optional columns, e.g. "Probability; CI low; CI high; Note" (default Probability)'


def _fit(deals: Any, outcome: Any, features: Any, categorical: Any, reference: Any, settings: Any,
         as_of: Any) -> LogitResult:  # fmt: skip
    return fit_logit(deals, outcome, features=features, categorical=categorical, reference=reference,
                     settings=settings, as_of=as_of)  # fmt: skip


def _outputs(outputs: Any) -> tuple[str, ...]:
    names = parse_names(outputs) or ("Probability",)
    known = {norm(o): o for o in PROB_OUTPUTS}
    for name in names:
        if norm(name) not in known:
            raise InputError(f"Output {quote(name)} is not known; use any of {', '.join(PROB_OUTPUTS)}, separated by ;")
    return tuple(known[norm(n)] for n in names)

_FIT_ARGS = excel_args("deals", "outcome", "features", "categorical", "reference", "settings", "as_of", docs={
    "deals": (True, _DEALS),
    "outcome": (False, 'The outcome column, e.g. "Outcome" (Won/Lost; default: Settings "Outcome column")'),
    "features": (False, _FEATURES), "categorical": (False, _CATEGORICAL), "reference": (True, _REFERENCE),
    "settings": (True, "Optional Settings table (Outcome column, Features, Min level count ...)"),
    "as_of": (False, "Optional as-of date for date columns (age in days; default: Settings, then today)"),
})  # fmt: skip


@xw.func(category=CATEGORY)
@_FIT_ARGS
@excel_function
def LOGITFIT(deals: Any, outcome: Any = None, features: Any = None, categorical: Any = None,
             reference: Any = None, settings: Any = None, as_of: Any = None) -> Any:  # fmt: skip
    """Logistic regression of the outcome on the Deals columns: spills the coefficient table
    (coef, SE, z, p, 95 % CI, odds ratios) and, below it, how each column enters the model."""
    return grid(_fit(deals, outcome, features, categorical, reference, settings, as_of).model_rows())


@xw.func(category=CATEGORY)
@_FIT_ARGS
@excel_function
def LOGITSTATS(deals: Any, outcome: Any = None, features: Any = None, categorical: Any = None,
               reference: Any = None, settings: Any = None, as_of: Any = None) -> Any:  # fmt: skip
    """Spills the model statistics of LOGITFIT's model: N, events, log-likelihoods, LR test,
    pseudo R2, AIC, BIC, convergence, method (Newton or Firth) and every warning."""
    return grid(_fit(deals, outcome, features, categorical, reference, settings, as_of).stats_rows())


@xw.func(category=CATEGORY)
@_FIT_ARGS
@excel_function
def LOGITCOV(deals: Any, outcome: Any = None, features: Any = None, categorical: Any = None,
             reference: Any = None, settings: Any = None, as_of: Any = None) -> Any:  # fmt: skip
    """Spills the covariance matrix of LOGITFIT's coefficients (Covariance | term ..., one row per
    term): pass it to LEADPROB / LEADPROBS as covariance for 95 % confidence intervals."""
    return grid(_fit(deals, outcome, features, categorical, reference, settings, as_of).covariance_rows())


@xw.func(category=CATEGORY)
@xw.arg("model", ndim=2, doc=_MODEL)
@xw.arg("headers", ndim=2, doc="The Leads header row, e.g. Leads[#Headers]")
@xw.arg("lead", ndim=2, doc="One lead row, e.g. Leads[@]")
@xw.arg("covariance", ndim=2, doc=_COVARIANCE)
@xw.arg("outputs", doc=_OUTPUTS)
@xw.arg("as_of", doc="Optional as-of date for date columns (default today)")
@excel_function
def LEADPROB(model: Any, headers: Any, lead: Any, covariance: Any = None, outputs: Any = None,
             as_of: Any = None) -> Any:  # fmt: skip
    """The conversion probability of one lead from a coefficient table on a sheet
    (UNSCORED when a value the model needs is blank)."""
    header_row, row = as_rows(headers), as_rows(lead)
    if len(header_row) != 1 or len(row) != 1:
        raise InputError(
            "Pass one lead row and its one header row, e.g. Leads[@] and Leads[#Headers]; "
            f"got {len(row)} lead rows and {len(header_row)} header rows"
        )
    if len(row[0]) != len(header_row[0]):
        raise InputError(
            f"The lead has {len(row[0])} cells but the headers have {len(header_row[0])}; pass one row "
            "of the Leads table with its header row, e.g. Leads[@] and Leads[#Headers]"
        )
    names = _outputs(outputs)
    cm = read_model(model, None if is_blank(covariance) else covariance)
    result = cm.score([list(map(header_text, header_row[0])), list(row[0])], as_of, ci=_wants_ci(names))
    values = [cell(v) for v in result.to_rows(names)[0]]
    return values[0] if len(values) == 1 else [values]


@xw.func(category=CATEGORY)
@xw.arg("model", ndim=2, doc=_MODEL)
@xw.arg("leads", ndim=2, doc="The Leads table with its header row, e.g. Leads[#All]")
@xw.arg("covariance", ndim=2, doc=_COVARIANCE)
@xw.arg("outputs", doc=_OUTPUTS)
@xw.arg("as_of", doc="Optional as-of date for date columns (default today)")
@excel_function
def LEADPROBS(model: Any, leads: Any, covariance: Any = None, outputs: Any = None, as_of: Any = None) -> Any:
    """Conversion probabilities of every lead, spilled one row per lead, from a coefficient
    table on a sheet: edit a coefficient and the probabilities follow."""
    names = _outputs(outputs)
    cm = read_model(model, None if is_blank(covariance) else covariance)
    return grid(cm.score(leads, as_of, ci=_wants_ci(names)).to_rows(names))


def _wants_ci(names: tuple[str, ...]) -> bool:
    return any(n in ("CI low", "CI high") for n in names)


@xw.func(category=CATEGORY)
@xw.arg("model", ndim=2, doc=_MODEL)
@xw.arg("headers", ndim=2, doc="Optional Leads header row; without it the formula uses [@[Column]] references")
@xw.arg("first_cell", doc='Optional address of the first lead\'s first cell, e.g. "Leads!A2"')
@xw.arg("coef_cell", doc='Optional address of the Intercept\'s Coef cell, e.g. "Model!$D$2" (default: numbers)')
@xw.arg("as_of", doc='Optional as-of cell for date columns, e.g. "Settings!$B$5" (default TODAY())')
@excel_function
def LOGITFORMULA(model: Any, headers: Any = None, first_cell: Any = None, coef_cell: Any = None,
                 as_of: Any = None) -> Any:  # fmt: skip
    """The model as a native Excel formula =1/(1+EXP(-(...))) to score without Python."""
    return excel_formula(model, headers=None if is_blank(headers) else headers,
                         first_cell=None if is_blank(first_cell) else str(first_cell),
                         coef_cell=None if is_blank(coef_cell) else str(coef_cell),
                         as_of=None if is_blank(as_of) else str(as_of))  # fmt: skip
