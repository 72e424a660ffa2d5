"""One refresh of a workbook, written once against a small Book port.

The same code runs behind the **Refresh Scores** button (:mod:`leadscore_xl.refresh.book_live`,
a live Excel workbook through xlwings) and behind ``leadscore refresh BOOK.xlsx``
(:mod:`leadscore_xl.refresh.book_file`, the file through openpyxl). It

1. reads Settings, Rules, Leads and Deals;
2. scores the leads and explains each score by its top three contributions;
3. fits the logistic model on Deals and predicts each lead's probability;
4. writes the Leads output columns (:data:`OUTPUTS`) and nothing else on Leads;
5. rebuilds the Model, Report and Call List sheets, each set up to print
   (:mod:`leadscore_xl.refresh.layout`).

A model or an evaluation table that cannot be made leaves a note on its sheet (and in
:attr:`RefreshResult.notes`) instead of stopping the refresh; bad Rules, Settings or
Leads stop it with the error's message. Running it twice gives the same workbook,
apart from the timestamps (pass ``now`` to pin them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from leadscore_xl.rules.api import as_of_for
from leadscore_xl.errors import BookError, LeadScoreError, RuleError, TableError
from leadscore_xl.refresh import report
from leadscore_xl.refresh.checks import as_of_notes
from leadscore_xl.refresh.fitting import fit_model, lead_probabilities, missing_probabilities
from leadscore_xl.refresh.formats import PageSetup
from leadscore_xl.refresh.layout import page_setup
from leadscore_xl.refresh.report import Block, Chart
from leadscore_xl.rules.table import parse_rules
from leadscore_xl.rules.scoring import CompiledRules
from leadscore_xl.settings import Settings, column_notes, read_settings, settings_notes
from leadscore_xl.sheet.table import Table, column_letters, is_blank, norm, read_table, truth

__all__ = ["OUTPUTS", "Book", "RefreshOptions", "RefreshResult", "SheetNames", "book_settings", "fit_model", "leads_table",
           "lead_probabilities", "missing_probabilities", "reasons", "refresh", "sheet_values"]  # fmt: skip

OUTPUTS = ("Score", "Grade", "Route", "Probability", "Reasons", "Scored At")
FORMATS = {"Score": "0.0", "Probability": "0.0%", "Scored At": "yyyy-mm-dd hh:mm"}
FORMULA_SETTING = "probability formulas"
CALL_LIST = "Call List"


class Book(Protocol):
    """What the refresh needs from a workbook, live or on file."""

    def sheet_names(self) -> tuple[str, ...]:
        """The sheet names in tab order."""

    def read_table(self, sheet: str, skip: Collection[str] = ()) -> tuple[list[list[Any]], int]:
        """The sheet's table as rows (header row first) and the sheet row of its header,
        without the columns headed as in ``skip`` (matched ignoring case and spaces)."""

    def table_label(self, sheet: str) -> str:
        """Which cells the sheet's data is read from, for messages: ``table "Leads" (A1:N301)``."""

    def header_cells(self, sheet: str) -> tuple[list[Any], int, int]:
        """The table's whole header row, its sheet row and the sheet column of its first cell."""

    def write_columns(self, sheet: str, columns: Mapping[str, Sequence[Any]], formats: Mapping[str, str]) -> None:
        """Write whole data columns of the sheet's table by header (case-insensitive),
        appending a column after the table's last one when its header is absent."""

    def replace_sheet(self, sheet: str, blocks: Sequence[Block], charts: Sequence[Chart],
                      page: PageSetup | None = None) -> None:  # fmt: skip
        """Clear the sheet (create it if absent), draw the blocks and charts, and set how it prints."""

    def status(self, message: str, fraction: float) -> None:
        """Report progress (0 to 1)."""

    def save(self) -> None:
        """Persist the changes."""


@dataclass(frozen=True)
class RefreshOptions:
    """``as_of``: a date, serial or ISO text (default: Settings, else today).
    ``formulas``: write Probability as Excel formulas (None: the Settings key
    "Probability formulas"). ``now``: the timestamp written (default: the clock)."""

    as_of: Any = None
    formulas: bool | None = None
    now: dt.datetime | None = None


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh did, for the status bar and the command line."""

    leads: int
    scored: int
    as_of: float
    model_fitted: bool
    formulas: bool
    notes: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        model = "model fitted" if self.model_fitted else "no model"
        return f"Scored {self.scored:,} of {self.leads:,} leads; {model}"


def refresh(book: Book, options: RefreshOptions | None = None) -> RefreshResult:
    """Refresh every output of a workbook; raise LeadScoreError for unusable input.

    Everything is computed before the first cell is written, so bad input changes nothing."""
    options = options or RefreshOptions()
    now = (options.now or dt.datetime.now()).replace(microsecond=0)
    names = SheetNames(book.sheet_names())
    book.status("Reading Settings and Rules", 0.02)
    settings = book_settings(book, names)
    as_of = as_of_for(options.as_of, settings)
    ruleset = parse_rules(*sheet_values(book, names.need("Rules")))
    book.status("Reading Leads", 0.08)
    leads = leads_table(book, names.need("Leads"))
    book.status(f"Scoring {len(leads):,} leads", 0.2)
    try:
        compiled = ruleset.bind(leads.headers)
        contributions = compiled.contributions(leads, as_of)  # once: for the scores and the reasons
        scores = compiled.score_table(leads, settings.scoring, as_of, contributions)
    except (RuleError, TableError) as exc:  # name the table read: a sheet may hold several
        raise type(exc)(f"{exc} (read from the {names.need('Leads')} sheet's {book.table_label(names.need('Leads'))})") from exc
    book.status("Fitting the model on Deals", 0.3)
    deals = _deals_table(book, names)
    deals_label = book.table_label(names.get("Deals")) if deals is not None else ""
    fit = fit_model(deals, settings, as_of, leads.headers, now, deals_label)
    formulas = _wants_formulas(options.formulas, settings) and fit.result is not None
    probability, formula_notes = _probabilities(book, names, leads, fit, settings, options.as_of, as_of, formulas)
    unscorable = missing_probabilities(fit, leads, as_of)
    book.status("Explaining the scores", 0.45)
    columns = _lead_columns(compiled, leads, scores, contributions, probability, now)
    calls = _call_list(settings, leads, columns, fit, as_of, formulas)
    book.status("Evaluating on past deals", 0.55)
    model_blocks, _ = report.model_sheet(fit)
    blocks, charts, notes = report.report_sheet(scores, fit, deals, ruleset, settings, as_of, now, unscorable[0])
    book.status("Writing the Leads columns", 0.65)
    book.write_columns(names.need("Leads"), columns, FORMATS)
    book.status("Rebuilding the Model, Report and Call List sheets", 0.8)
    book.replace_sheet(names.get("Model"), model_blocks, [], page_setup(model_blocks, [], leave_out={"covariance"}))
    book.replace_sheet(names.get("Report"), blocks, charts, page_setup(blocks, charts, title_rows=None))
    book.replace_sheet(names.get(CALL_LIST), calls, [], page_setup(calls, [], freeze="A2"))
    book.status("Saving", 0.9)
    book.save()
    book.status("Done", 1.0)
    filled = leads.filled
    return RefreshResult(
        leads=filled,
        scored=int(np.count_nonzero(scores.scored[:filled])),
        as_of=as_of,
        model_fitted=fit.result is not None,
        formulas=formulas and not formula_notes,
        notes=as_of_notes(settings.scoring.as_of, now.date(), options.as_of) + settings_notes(settings, ruleset.groups)
        + (column_notes(settings, deals.headers) if deals is not None else ())
        + tuple(fit.notes) + tuple(formula_notes) + unscorable[1] + tuple(notes),
    )


class SheetNames:
    """Sheet names matched ignoring case and spaces."""

    def __init__(self, names: Sequence[str]) -> None:
        self._by_key = {norm(n): n for n in names}

    def find(self, name: str) -> str | None:
        return self._by_key.get(norm(name))

    def get(self, name: str) -> str:
        return self.find(name) or name

    def need(self, name: str) -> str:
        found = self.find(name)
        if found is None:
            raise BookError(f"The workbook has no {name} sheet; add a sheet named {name} with its table starting in A1")
        return found


def sheet_values(book: Book, sheet: str) -> tuple[list[list[Any]], int]:
    """The values of a sheet's table and its header row; a BookError when it is empty."""
    values, header_row = book.read_table(sheet)
    if not values:
        raise BookError(f"The {sheet} sheet is empty; put its table, with the header row, in A1")
    return values, header_row


def book_settings(book: Book, names: SheetNames) -> Settings:
    """The Settings sheet read (the defaults when the workbook has none)."""
    sheet = names.find("Settings")
    if sheet is None:
        return read_settings(None)
    values, header_row = book.read_table(sheet)
    return read_settings(values or None, header_row)


def leads_table(book: Book, sheet: str) -> Table:
    """The Leads table without our own output columns (so a second run sees the same input)."""
    values, header_row = book.read_table(sheet, skip=OUTPUTS)
    if not values or not values[0]:
        raise BookError(f"The {sheet} table has no lead columns; put the leads, with their header row, in A1")
    return read_table(values, "Leads", header_row)


def _deals_table(book: Book, names: SheetNames) -> Table | None:
    sheet = names.find("Deals")
    if sheet is None:
        return None
    values, header_row = book.read_table(sheet)
    return read_table(values, "Deals", header_row) if values else None


def _probabilities(book: Book, names: SheetNames, leads: Table, fit: report.ModelFit, settings: Settings,
                   as_of_option: Any, as_of: float, formulas: bool) -> tuple[list[Any], list[str]]:  # fmt: skip
    """Probability values, or formulas over the Model sheet's Coef column with dates aged
    to the as-of option (a number), else the Settings cell holding it, else TODAY()."""
    if not formulas:
        return lead_probabilities(fit, leads, as_of)
    header, top, left = book.header_cells(names.need("Leads"))
    coef_cell = f"{_sheet_ref(names.get('Model'))}!${report.COEF_COLUMN}$2"
    row, sheet = settings.rows.get("as-of date"), names.find("Settings")
    if not is_blank(as_of_option):
        when = repr(as_of)
    elif settings.scoring.as_of is not None and row is not None and sheet is not None:
        value_column = book.header_cells(sheet)[2] + 1
        when = f"{_sheet_ref(sheet)}!${column_letters(value_column)}${row}"
    else:
        when = "TODAY()"
    try:
        return report.probability_formulas(fit, header, top, left, len(leads), leads.filled, coef_cell, when), []
    except LeadScoreError as exc:
        values, notes = lead_probabilities(fit, leads, as_of)
        return values, [f"Probability written as values, not formulas: {exc}", *notes]


def _sheet_ref(name: str) -> str:
    """A sheet name as formulas write it: quoted unless it is a plain word."""
    if name.replace("_", "").isalnum() and not name[0].isdigit():
        return name
    return "'" + name.replace("'", "''") + "'"


def _wants_formulas(option: bool | None, settings: Settings) -> bool:
    if option is not None:
        return option
    return bool(truth(settings.get(FORMULA_SETTING)))


def _lead_columns(compiled: CompiledRules, leads: Table, scores: Any, contributions: tuple[np.ndarray, np.ndarray],
                  probability: Sequence[Any], now: dt.datetime) -> dict[str, list[Any]]:  # fmt: skip
    """The six output columns, blank below the last filled lead row."""
    n, filled = len(leads), leads.filled
    rows = scores.to_rows(("Score", "Grade", "Route"))
    points, fired = contributions
    why = reasons(compiled, points, fired, scores.scored)
    blank: list[Any] = [None] * (n - filled)
    return {
        "Score": [r[0] for r in rows],
        "Grade": [r[1] for r in rows],
        "Route": [r[2] for r in rows],
        "Probability": list(probability[:filled]) + blank,
        "Reasons": why[:filled] + blank,
        "Scored At": [now] * filled + blank,
    }


def _call_list(settings: Settings, leads: Table, columns: Mapping[str, Sequence[Any]], fit: report.ModelFit,
               as_of: float, formulas: bool) -> list[Block]:  # fmt: skip
    """The Call List's blocks; probabilities as values (the list is a snapshot, sorted by them)."""
    from leadscore_xl.refresh.call_list import call_list_rows, call_list_sheet, call_list_size

    size = call_list_size(settings)
    p = lead_probabilities(fit, leads, as_of)[0] if formulas else columns["Probability"]
    rows, total = call_list_rows(leads, columns["Score"], columns["Grade"], columns["Route"], p, columns["Reasons"], size)
    return call_list_sheet(rows, total)


def reasons(compiled: CompiledRules, points: np.ndarray, fired: np.ndarray, scored: np.ndarray, top: int = 3) -> list[str | None]:
    """Per lead, the ``top`` largest contributions as text: ``Demo requested +25; VP title +20``.

    The contributions with the largest absolute points are chosen (a fired Disqualify
    rule first) and listed from the most positive down; base points of an ``always``
    rule are no reason. Unscored leads, and leads no rule gave points to, get None.
    """
    rules = compiled.rules
    if not rules:
        return [None] * len(scored)
    dq = np.array([r.disqualify for r in rules])
    rounded = np.round(points, 1)
    weight = np.abs(rounded)
    weight[:, [r.op == "always" for r in rules]] = 0.0
    if dq.any():
        weight[:, dq] = np.where(fired[:, dq], np.inf, 0.0)
    k = min(top, len(rules))
    order = np.argsort(-weight, axis=1, kind="stable")[:, :k]
    chosen_w = np.take_along_axis(weight, order, axis=1)
    chosen_p = np.take_along_axis(rounded, order, axis=1)
    labels = [_reason_label(r) for r in rules]
    cache: dict[tuple[Any, ...], str] = {}
    out: list[str | None] = []
    for ok, idx, w, p in zip(scored.tolist(), order.tolist(), chosen_w.tolist(), chosen_p.tolist()):
        if not ok:
            out.append(None)
            continue
        key = tuple((j, q) for j, q, v in zip(idx, p, w) if v > 0)
        text = cache.get(key)
        if text is None:
            parts = sorted(key, key=lambda jq: (not rules[jq[0]].disqualify, -jq[1]))
            text = cache[key] = "; ".join(labels[j](q) for j, q in parts)
        out.append(text or None)
    return out


def _reason_label(rule: Any) -> Any:
    if rule.disqualify:
        return lambda _points: f"{rule.name}: disqualifies"
    return lambda points: f"{rule.name} {points:+g}"

