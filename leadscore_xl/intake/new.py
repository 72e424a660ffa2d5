"""``leadscore new``: a working workbook from a CRM export, and new leads into an existing one.

:func:`new_book` reads the leads (and past deals), writes a workbook with the template's
sheets and Tables (Leads, Rules, Deals, Model, Report, Settings, xlwings.conf) holding
only the user's rows, a blank As-of date, starter or suggested Rules, and then refreshes
it once. :func:`load_leads` merges a new export into a loaded workbook's Leads table
before the usual refresh (:mod:`leadscore_xl.intake.merge`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leadscore_xl.errors import BookError, InputError, ModelError
from leadscore_xl.intake import starter
from leadscore_xl.intake.files import Export, read_export
from leadscore_xl.intake.layout import OUTPUT_COLUMNS, RULE_COLUMNS, settings_rows
from leadscore_xl.intake.merge import merge_leads
from leadscore_xl.sheet.table import norm

__all__ = ["NewOptions", "NewResult", "load_leads", "new_book"]

MODEL_HEADER = ("Term", "Variable", "Level", "Coef", "Std. Err.", "z", "P>|z|", "CI 2.5 %",
                "CI 97.5 %", "Odds ratio", "OR CI low", "OR CI high")  # fmt: skip


@dataclass(frozen=True)
class NewOptions:
    """``day_first``: read ambiguous dates day-first (None: month-first, with a note);
    ``outcome``: the Deals outcome column (default: found by name and values);
    ``refresh``: refresh the new workbook once (the default); ``as_of``: for that refresh."""

    day_first: bool | None = None
    outcome: str | None = None
    refresh: bool = True
    as_of: Any = None
    progress: Any = None


@dataclass(frozen=True)
class NewResult:
    path: Path
    leads: int
    rules: int
    rules_from: str  # "deals" or "column names"
    notes: tuple[str, ...] = ()
    refreshed: Any = None


def new_book(path: Path | str, leads_path: Path | str, deals_path: Path | str | None = None,
             options: NewOptions | None = None) -> NewResult:  # fmt: skip
    """Make ``path`` from the exports; refuse to overwrite an existing file."""
    from leadscore_xl.intake.xlsx import SheetData, write_book

    options = options or NewOptions()
    path = Path(path)
    _check_target(path)
    leads = read_export(leads_path, options.day_first)
    _check_leads(leads)
    deals = read_export(deals_path, options.day_first) if deals_path is not None else None
    rules, features, outcome, notes = _rules(leads, deals, options)
    rules, dropped = starter.checked_rules(rules, leads)
    notes += dropped
    groups = {r[1] for r in rules}
    settings = settings_rows(None, outcome or "Won", starter.find_amount(deals) if deals else None,
                             caps=not features and {"Fit", "Engagement"} <= groups, groups="Fit" in groups)  # fmt: skip
    if features:
        features = starter.model_features(rules, leads)
        settings += (("Features", "; ".join(features), "the model's columns: the Deals columns the leads have too"),)
    header = [*leads.headers, *OUTPUT_COLUMNS]
    pad = [None] * len(OUTPUT_COLUMNS)
    first = len(leads.headers) + 1
    deal_header, deal_rows, deal_count = _deals_sheet(leads, deals)
    write_book(path, [
        SheetData("Leads", header, (r + pad for r in leads.rows()), len(leads),
                  grade_columns=(first + OUTPUT_COLUMNS.index("Grade"), first + OUTPUT_COLUMNS.index("Route")),
                  widths=_widths(leads) | {first + OUTPUT_COLUMNS.index("Reasons"): 40,
                                           first + OUTPUT_COLUMNS.index("Scored At"): 18}),
        SheetData("Rules", RULE_COLUMNS, rules, len(rules), widths={1: 40, 2: 12, 3: 28, 4: 14, 5: 40}),
        SheetData("Deals", deal_header, deal_rows, deal_count, widths=_widths(deals) if deals else {}),
        SheetData("Model", MODEL_HEADER, (), 0),
        SheetData("Report", ("Metric", "Value"), (), 0),
        SheetData("Settings", ("Setting", "Value"), ([k, v] for k, v, _ in settings), len(settings),
                  notes=[n for _, _, n in settings], widths={1: 20, 2: 30}),
    ])  # fmt: skip
    notes = [*leads.notes, *(deals.notes if deals else ()), *notes]
    result = None
    if options.refresh:
        result = _refresh(path, options)
        notes += result.notes
    return NewResult(path, len(leads), len(rules), "deals" if features else "column names", tuple(notes), result)


def _widths(export: Export) -> dict[int, int]:
    """Date columns wide enough for a date and time (Excel shows ### otherwise)."""
    return {j: 19 for j, c in enumerate(export.columns, start=1) if c.kind == "date"}


def _check_target(path: Path) -> None:
    if path.suffix.lower() != ".xlsx":
        raise BookError(f"{path.name}: the new workbook must be an .xlsx file; give a name ending in .xlsx")
    if path.exists():
        raise BookError(f"{path} already exists, and leadscore new never overwrites a file; choose another name "
                        "(to load new leads into it: leadscore refresh BOOK.xlsx --leads LEADS.csv)")  # fmt: skip
    if not path.parent.is_dir():
        raise BookError(f"The folder {path.parent} does not exist; create it or choose another path")


def _check_leads(leads: Export) -> None:
    taken = {norm(c) for c in OUTPUT_COLUMNS}
    clash = [h for h in leads.headers if norm(h) in taken]
    if clash:
        raise InputError(f'{leads.name} line 1: the column "{clash[0]}" has the name of a column LeadScore XL writes '
                         f"({', '.join(OUTPUT_COLUMNS)}); rename it in the file")  # fmt: skip


def _rules(leads: Export, deals: Export | None, options: NewOptions) -> tuple[list[Any], list[str], str | None, list[str]]:
    """Suggested rules from the deals (with the model's features), else starter rules."""
    if deals is None:
        return starter.starter_rules(leads), [], None, []
    outcome = starter.find_outcome(deals, options.outcome)
    try:
        rules, features = starter.suggested_rules(deals, outcome, leads, options.as_of)
    except ModelError as exc:
        rules, features = [], []
        note = f"no rules could be suggested from {deals.name} ({exc}), so starter rules were written"
    else:
        note = "" if rules else f"{deals.name} shares no usable column with {leads.name}, so starter rules were written"
    if rules:
        return rules, features, outcome, []
    return starter.starter_rules(leads), features, outcome, [note]


def _deals_sheet(leads: Export, deals: Export | None) -> tuple[Sequence[str], Any, int]:
    """The user's deals; without them, the Leads columns and Won, no rows, to be filled."""
    if deals is None:
        return [*leads.headers, "Won"], (), 0
    return deals.headers, deals.rows(), len(deals)


def _refresh(path: Path, options: NewOptions) -> Any:
    from leadscore_xl.refresh.book_file import open_book
    from leadscore_xl.refresh.run import RefreshOptions, refresh

    return refresh(open_book(path, None, options.progress), RefreshOptions(as_of=options.as_of))


def load_leads(book: Any, leads_path: Path | str, mode: str = "append", id_column: str | None = None,
               day_first: bool | None = None) -> list[str]:  # fmt: skip
    """Merge a new export into the Leads table of a loaded FileBook (before its refresh);
    notes saying how many leads were added and updated."""
    from leadscore_xl.intake.xlsx import replace_rows

    if mode not in ("append", "replace"):
        raise InputError(f'--mode is "{mode}"; use append or replace')
    export = read_export(leads_path, day_first)
    sheet = next((s for s in book.sheet_names() if norm(s) == "leads"), None)
    if sheet is None:
        raise BookError("The workbook has no Leads sheet; make one with leadscore new BOOK.xlsx --leads LEADS.csv")
    rows, _ = book.read_table(sheet)
    if not rows:
        raise BookError(f"The {sheet} sheet is empty; make the workbook with leadscore new BOOK.xlsx --leads LEADS.csv")
    merged = merge_leads(rows[0], rows[1:], export, mode, id_column, f"{book.source.name} {sheet}")
    book.mark_written(sheet, replace_rows(book.wb, sheet, merged.header, merged.writes, merged.height))
    return [*export.notes, merged.summary(export.name)]
