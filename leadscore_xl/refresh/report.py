"""What the refresh writes on its own sheets, as plain data: blocks of rows and chart specs.

Pure: no workbook library here. The refresh builds :class:`Block` and :class:`Chart`
objects; a Book port (:mod:`leadscore_xl.refresh.book_file`, :mod:`leadscore_xl.refresh.book_live`)
draws them. A block is a rectangle of values whose first row is its header, placed at
a 1-based (row, column); it may carry a title in the row above it and may be made an
Excel Table. A chart names the block it is drawn from, so the chart always shows the
table printed beside it.

Only a :class:`Formula` value is ever written as a formula; every ``str`` is written as
text, whatever it starts with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from leadscore_xl.sheet.dates import from_serial
from leadscore_xl.errors import LeadScoreError
from leadscore_xl.refresh.formats import SIG4, column_formats, percent_formats
from leadscore_xl.refresh.open_leads import grade_rows, score_distribution_rows
from leadscore_xl.rules.results import Scores
from leadscore_xl.rules.table import RuleSet
from leadscore_xl.settings import Settings, amount_column, parse_number_list
from leadscore_xl.sheet.table import Table, column_letters, is_blank, norm

__all__ = [
    "Block",
    "Chart",
    "Formula",
    "ModelFit",
    "Placed",
    "model_sheet",
    "note_block",
    "outcome_column",
    "percent_formats",
    "probability_formulas",
    "report_sheet",
    "safely",
    "stack",
    "table_block",
]

CHART_ROWS = 18  # rows a chart covers; a block with a chart reserves at least this many
NO_OUTCOME = ('the Settings give no "Outcome column" and Deals has no "Won" column; set "Outcome column" in '
              "Settings to the Deals column with Won/Lost (or Yes/No, TRUE/FALSE, 1/0) outcomes")  # fmt: skip


@dataclass(frozen=True)
class Formula:
    """A cell formula such as ``=1/(1+EXP(-Model!D2))``: the one way to write a formula."""

    text: str

    def __post_init__(self) -> None:
        if not self.text.startswith("="):
            raise ValueError(f"a formula starts with '=': {self.text!r}")


@dataclass(frozen=True)
class Placed:
    """A block before layout: a key, a title and rows (header first)."""

    key: str
    rows: tuple[tuple[Any, ...], ...]
    title: str | None = None
    table: str | None = None
    formats: tuple[str | None, ...] = ()
    chart: Chart | None = None


@dataclass(frozen=True)
class Block:
    """A laid-out rectangle of values: the header row is ``rows[0]`` at (row, col)."""

    key: str
    row: int
    col: int
    rows: tuple[tuple[Any, ...], ...]
    title: str | None = None
    table: str | None = None
    formats: tuple[str | None, ...] = ()

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def header(self) -> tuple[Any, ...]:
        return self.rows[0] if self.rows else ()


@dataclass(frozen=True)
class Chart:
    """A native chart drawn from columns of one block.

    ``kind`` is ``"bar"`` (categories from column ``x``) or ``"scatter"`` (x values
    from column ``x``, drawn with lines). ``ys`` are column positions in the block;
    each becomes a series titled by its header. ``anchor`` is the (row, col) of the
    chart's top-left cell; the layout fills it in.
    """

    kind: str
    title: str
    block: str
    x: int
    ys: tuple[int, ...]
    x_title: str = ""
    y_title: str = ""
    anchor: tuple[int, int] = (1, 1)


def stack(items: Sequence[Placed], row: int = 1, col: int = 1, gap: int = 1) -> tuple[list[Block], list[Chart]]:
    """Lay blocks out top to bottom from (row, col); each chart goes right of its block."""
    blocks: list[Block] = []
    charts: list[Chart] = []
    at = row
    for item in [part for placed in items for part in _parts(placed)]:
        top = at + (1 if item.title else 0)
        block = Block(item.key, top, col, item.rows, item.title, item.table, item.formats)
        blocks.append(block)
        used = (top - at) + block.height
        if item.chart is not None:
            charts.append(replace(item.chart, block=item.key, anchor=(at, col + block.width + 1)))
            used = max(used, CHART_ROWS)
        at += used + gap
    return blocks, charts


def _parts(item: Placed) -> list[Placed]:
    """A block whose rows hold a blank row and then a second table (Calibration's bins,
    then its Statistic | Value rows) as one block per table, each formatted by its own
    header; laid out one blank row apart, as before."""
    blank = [i for i, row in enumerate(item.rows) if i and all(v is None for v in row)]
    if not blank or item.table or item.chart or blank[0] + 1 >= len(item.rows):
        return [item]
    first, rest = item.rows[:blank[0]], item.rows[blank[0] + 1:]
    head = replace(item, rows=first, formats=column_formats(first[0]))
    tail = Placed(f"{item.key}-more", rest, None, None, column_formats(rest[0]))
    return [head, *_parts(tail)]


def note_block(key: str, title: str, message: str) -> Placed:
    """A one-cell note that stands where a table could not be made."""
    return Placed(key, (("Note",), (message,)), title)


# ---- helpers for the sheets ------------------------------------------------------------
def table_block(key: str, rows: Sequence[Sequence[Any]], title: str | None = None, table: str | None = None,
                chart: Chart | None = None) -> Placed:  # fmt: skip
    """A Placed block from rows (header first), with percentage formats from the header."""
    frozen = tuple(tuple(r) for r in rows)
    return Placed(key, frozen, title, table, column_formats(frozen[0]) if frozen else (), chart)


def _cost(settings: Settings) -> float:
    """The Settings' "Cost per lead" (what working one lead costs), 0 when not given."""
    value = settings.get("cost per lead")
    return 0.0 if value is None else parse_number_list(value, f"Settings row {settings.rows['cost per lead']}",
                                                       "Cost per lead", "25")[0]  # fmt: skip


def _value_note(rows: list[list[Any]], unset: bool, cost: float) -> list[list[Any]]:
    """Say why the expected-value cut-off works every lead: no Cost per lead is set, or
    every lead is worth its cost."""
    header = [norm(str(h)) for h in rows[0]]
    criterion, worked, note = header.index("criterion"), header.index("leads worked"), header.index("note")
    total = max((r[worked] for r in rows[1:] if isinstance(r[worked], (int, float))), default=0)
    for row in rows[1:]:
        if row[criterion] == "Expected value" and not row[note] and row[worked] == total:
            row[note] = ('no "Cost per lead" in Settings, so working a lead costs nothing and every lead is worth '
                         'working; set "Cost per lead" to find the cut-off that pays' if unset else
                         f"at {cost:,g} per lead, even the lowest-scored leads are worth their cost")  # fmt: skip
    return rows


def safely(title: str, make: Callable[[], list[Placed]], notes: list[str]) -> list[Placed]:
    """The blocks ``make`` returns, or a note saying why this part is not available."""
    try:
        return make()
    except LeadScoreError as exc:
        message = f"{title} not available: {exc}"
    except Exception as exc:  # noqa: BLE001 - one failing table must not stop the refresh
        message = f"{title} not available: {type(exc).__name__}: {exc}"
    notes.append(message)
    return [note_block(norm(title).replace(" ", "-"), title, message)]


@dataclass(frozen=True, eq=False)
class ModelFit:
    """The fitted model (or None) and why not; ``deals_p`` are its in-sample probabilities."""

    result: Any | None
    notes: tuple[str, ...] = ()
    deals_p: np.ndarray | None = None
    cross_validation: Any | None = None
    per: tuple[tuple[str, float], ...] = ()  # the Model sheet's "Per" step of each numeric variable


def outcome_column(settings: Settings, deals: Table | None) -> str | None:
    """The Deals outcome column: the Settings' "Outcome column", else a Deals column named
    Won; None when there is neither. The model and the Report both use this one."""
    name = settings.get("outcome column")
    if not is_blank(name):
        return str(name).strip()
    i = None if deals is None else deals.find("Won")
    return None if i is None or deals is None else deals.headers[i]


# ---- the model and the Model sheet --------------------------------------------------------
COEF_COLUMN = "D"  # the Coef column of the coefficient table at A1; the Intercept is in row 2
SIDE_COLUMN = 15  # the covariance stands in column O, right of the coefficient table (M) and out of print
_MARK = "1048577"  # one row past Excel's last: a placeholder row number that no cell address holds


def probability_formulas(fit: ModelFit, header: Sequence[Any], top: int, left: int, n: int, filled: int,
                         coef_cell: str, as_of: str) -> list[Any]:  # fmt: skip
    """Probability as one native formula per lead row over the Model sheet's Coef cells.

    ``header`` is the Leads table's whole header row, starting in column ``left`` of
    sheet row ``top``; ``as_of`` is the cell or number the date ages are counted to.
    """
    from leadscore_xl.model.formula import excel_formula

    model = fit.result.model  # type: ignore[union-attr]

    def formula(row: int | str) -> str:
        return excel_formula(model, headers=[list(header)], first_cell=f"{column_letters(left)}{row}",
                             coef_cell=coef_cell, as_of=as_of)  # fmt: skip

    texts = [t.level or "" for t in model.terms] + [repr(v.fill) for v in model.variables] + [coef_cell, as_of]
    if any(_MARK in text for text in texts):  # the placeholder is not unique: build every row's formula
        rows = [Formula(formula(top + 1 + i)) for i in range(filled)]
    else:
        template = formula(_MARK)
        rows = [Formula(template.replace(_MARK, str(top + 1 + i))) for i in range(filled)]
    return rows + [None] * (n - filled)


def model_sheet(fit: ModelFit) -> tuple[list[Block], list[Chart]]:
    """The coefficient table (the Excel Table at A1, with the "Per" step of each numeric
    variable) and, after one blank row, the Variables block, so that
    ``LEADPROBS(Model!A1:M<n>, ...)`` reads the model back; below them statistics,
    diagnostics and audit, so that all of it prints on one page width; the covariance
    to the right (out of the print area). A note instead when there is no model."""
    from leadscore_xl.model.coefficients import COEF_HEADER
    from leadscore_xl.refresh.steps import with_per_column

    if fit.result is None:
        main = [Placed("coefficients", (tuple(COEF_HEADER), (None,) * len(COEF_HEADER)), None, "Model"),
                note_block("model-note", "Model not fitted", " ".join(fit.notes) or "no model")]  # fmt: skip
        side: list[Placed] = []
    else:
        r = fit.result
        covariance = r.covariance_rows()
        warning = [note_block("model-warning", "Warning", " ".join(fit.notes))] if fit.notes else []
        main = [
            table_block("coefficients", with_per_column(r.coef_rows(), dict(fit.per)), None, "Model"),
            table_block("variables", r.variable_rows()),
            *warning,
            table_block("statistics", r.stats_rows(), "Model statistics"),
            table_block("diagnostics", r.diagnostic_rows(), "Diagnostics"),
            table_block("audit", r.audit_rows(), "Audit"),
        ]
        side = [replace(table_block("covariance", covariance, "Covariance of the coefficients (for formulas; not printed)"),
                        formats=(None,) + (SIG4,) * (len(covariance[0]) - 1))]  # fmt: skip
    blocks, _ = stack(main)
    side_blocks, _ = stack(side, row=1, col=SIDE_COLUMN)
    return blocks + side_blocks, []


# ---- the Report sheet ------------------------------------------------------------------
def report_sheet(scores: Scores, fit: ModelFit, deals: Table | None, ruleset: RuleSet, settings: Settings,
                 as_of: float, now: dt.datetime,
                 unscorable: tuple[int, str] | None = None) -> tuple[list[Block], list[Chart], list[str]]:  # fmt: skip
    """Summary table at A1, open-lead tables, then the evaluation on past deals.
    ``unscorable``: how many leads the model gave no probability, and why."""
    notes: list[str] = []
    facts: list[tuple[str, Any]] = [("Refreshed at", now), ("As-of date", from_serial(as_of))]
    filled = len(scores) if scores.filled is None else scores.filled
    scored = int(np.count_nonzero(scores.scored[:filled]))
    facts += [("Open leads", filled), ("Scored leads", scored), ("Unscored leads", filled - scored)]
    if unscorable is not None:
        facts.append(("Leads without a probability", unscorable[0]))
        if unscorable[1]:
            facts.append(("Why no probability", unscorable[1]))
    leads = [
        table_block("distribution", score_distribution_rows(scores), "Open leads by rules-score band",
                    chart=Chart("bar", "Open leads by rules-score band", "distribution", 0, (3,), "Rules-score band",
                                "Leads")),
        table_block("grades", grade_rows(scores), "Open leads by grade and route"),
        table_block("matrix", tuple(map(tuple, scores.matrix_counts())), "Open leads: fit (A-D) x engagement (1-4)"),
    ]  # fmt: skip
    evaluation = safely("Evaluation on past deals", lambda: _evaluation(scores, fit, deals, ruleset, settings,
                                                                         as_of, facts, notes), notes)  # fmt: skip
    facts.append(("Model", "fitted" if fit.result is not None else "not fitted (see the Model sheet)"))
    summary = table_block("summary", (("Metric", "Value"),) + tuple(facts), None, "Report")
    blocks, charts = stack([summary, *leads, *evaluation])
    return blocks, charts, notes


def _evaluation(scores: Scores, fit: ModelFit, deals: Table | None, ruleset: RuleSet, settings: Settings,
                as_of: float, facts: list[tuple[str, Any]], notes: list[str]) -> list[Placed]:  # fmt: skip
    from leadscore_xl.sheet.outcome import outcome_vector
    from leadscore_xl.evaluation.discrimination import auc
    from leadscore_xl.evaluation.charts import report_charts

    if deals is None:
        raise LeadScoreError("the workbook has no Deals sheet; add past deals with their outcome to evaluate the score")
    if not deals.filled:
        raise LeadScoreError("the Deals table has no deals yet; paste your past deals, with their outcome, into it")
    name = outcome_column(settings, deals)
    if name is None:
        raise LeadScoreError(NO_OUTCOME)
    y, outcome = outcome_vector(deals, name)
    deal_scores = ruleset.bind(deals.headers).score_table(deals, scores.config, as_of).total
    p = fit.deals_p
    known = ~np.isnan(y)
    facts += [("Deals with an outcome", int(known.sum())), ("Won deals", int(np.nansum(y)))]
    rules_auc = auc(y, deal_scores)
    facts.append(("AUC of the rules score on deals", rules_auc.auc))
    out = [table_block("auc-rules", rules_auc.to_rows(), f'Rules score on past deals ("{outcome}")')]
    if p is not None:
        model_auc = auc(y, p)
        facts.append(("AUC of the model on deals (in-sample)", model_auc.auc))
        out.append(table_block("auc-model", model_auc.to_rows(), "Model probability on past deals (in-sample)"))
    if fit.cross_validation is not None:
        facts.append(("AUC of the model on deals (5-fold cross-validated)", fit.cross_validation.cv_auc))
        out.append(table_block("cv-model", fit.cross_validation.to_rows(),
                               "Model: cross-validated AUC (stratified 5-fold, seed 0) against in-sample"))  # fmt: skip
    for spec in report_charts(y, deal_scores, p, scores.config):
        chart = Chart(spec.kind, spec.title, spec.key, spec.x, spec.ys, spec.x_title, spec.y_title)
        out.append(table_block(spec.key, spec.rows, spec.title, chart=chart))
    out.extend(_tables(y, deal_scores, p, deals, settings, notes))
    return out


def _tables(y: np.ndarray, s: np.ndarray, p: np.ndarray | None, deals: Table, settings: Settings,
            notes: list[str]) -> list[Placed]:  # fmt: skip
    from leadscore_xl.evaluation.calibration import calibration
    from leadscore_xl.evaluation.discrimination import lift_table
    from leadscore_xl.evaluation.evaluate import groups_of
    from leadscore_xl.evaluation.monitoring import band_labels, channel_report, conversion_by_band
    from leadscore_xl.evaluation.thresholds import recommend_threshold

    cfg = settings.scoring
    groups, starts = band_labels(s, cfg)
    out = [table_block("lift-table", lift_table(y, s).to_rows(), "Lift and gains by rules-score decile"),
           table_block("band-table", conversion_by_band(y, groups, cfg, starts).to_rows(), "Conversion by band")]  # fmt: skip
    if p is not None:
        out.append(table_block("calibration-table", calibration(y, p).to_rows(), "Calibration of the model"))
    amount = deals.find(amount_column(settings))
    amounts = deals.column(amount).numbers if amount is not None else None
    cost = _cost(settings)
    out += safely("Score cut-offs", lambda: [table_block(
        "thresholds", _value_note(recommend_threshold(y, s, amounts=amounts, cost_per_lead=cost).to_rows(),
                                  settings.get("cost per lead") is None, cost),
        "Score cut-offs for the rules score" + (f' (expected value from "{deals.headers[amount]}")' if amounts is not None else ""))],
        notes)  # fmt: skip
    source = deals.find(str(settings.get("source column") or "Lead Source"))
    if source is not None:
        out += safely("Channel report", lambda: [table_block(
            "channels", channel_report(y, groups_of(deals.column(source)), s, p).to_rows(),
            f'Channel report by "{deals.headers[source]}"')], notes)  # fmt: skip
    return out
