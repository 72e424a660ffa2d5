"""The first Rules of a new workbook, the outcome column of the user's deals, and the ID column.

* Without deals: starter rules for the columns :mod:`leadscore_xl.sheet.crm_names`
  recognises (title, seniority, employees, industry, page views, sessions, e-mail opens and
  clicks, form submissions, last activity, unsubscribed, lifecycle stage), each only when
  its column holds values of the kind the rule needs. Activity thresholds are the upper
  quartile of the leads' own values, so that about a quarter of the leads get the points.
* With deals: SUGGESTRULES on them (:func:`leadscore_xl.closerates.rates.suggest_rules`), over
  the columns Deals and Leads share (identifiers, dates and outcome-like columns left out),
  grouped Fit or Engagement by the column's role.

Every rule is then bound and scored against the leads; one that fails is left out with a
note, so the workbook refreshes on the first try.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from leadscore_xl.errors import InputError, LeadScoreError
from leadscore_xl.intake.files import Export
from leadscore_xl.sheet.crm_names import CRM_COLUMNS, ID_COLUMNS, NOT_ATTRIBUTES, OUTCOME_COLUMNS
from leadscore_xl.sheet.table import Kind, listing, norm, not_a_column, read_table

__all__ = ["ENGAGEMENT_ROLES", "recognise", "find_outcome", "find_id", "starter_rules", "suggested_rules", "checked_rules"]

ENGAGEMENT_ROLES = frozenset({"page views", "sessions", "email opens", "email clicks", "form submissions",
                              "last activity", "unsubscribed", "lifecycle stage"})  # fmt: skip
AMOUNT_COLUMNS = ("Amount", "Deal Amount", "Opportunity Amount", "Amount (company currency)")
MAX_LEVELS = 25
Rule = tuple[Any, ...]


def recognise(headers: Sequence[str]) -> dict[str, str]:
    """role -> the first header recognised for it."""
    keys = {norm(h): h for h in headers}
    found: dict[str, str] = {}
    for role, names in CRM_COLUMNS.items():
        hit = next((keys[norm(n)] for n in names if norm(n) in keys), None)
        if hit is not None:
            found[role] = hit
    return found


def _rule(name: str, role: str, column: str, op: str, value: Any, points: Any) -> Rule:
    group = "Engagement" if role in ENGAGEMENT_ROLES else "Fit"
    return (name, group, column, op, value, points, None, None, True)


def _upper_quartile(values: Sequence[Any]) -> float | None:
    nums = np.array([v for v in values if type(v) in (float, int)], dtype=float)
    if not nums.size or nums.max() <= 0:
        return None
    return max(1.0, float(np.ceil(np.quantile(nums, 0.75))))


def _leading_number(text: str) -> float | None:
    digits = "".join(ch for ch in text.split("-")[0].split("+")[0] if ch.isdigit())
    return float(digits) if digits else None


def _size_rules(column: str, values: Sequence[Any], kind: str) -> list[Rule]:
    if kind == "number":
        return [_rule("Company 200+ employees", "employees", column, ">=", 200, 15),
                _rule("Company 50-199 employees", "employees", column, "between", "50; 199", 8)]  # fmt: skip
    bands = sorted({v for v in values if type(v) is str})
    big = [b for b in bands if (_leading_number(b) or 0) >= 200 and ";" not in b]
    mid = [b for b in bands if 50 <= (_leading_number(b) or 0) < 200 and ";" not in b]
    out = [_rule("Company 200+ employees", "employees", column, "in", "; ".join(big), 15)] if big else []
    return out + ([_rule("Company 50-199 employees", "employees", column, "in", "; ".join(mid), 8)] if mid else [])


def _activity(role: str, label: str, points: int) -> Any:
    def make(column: str, values: Sequence[Any], kind: str) -> list[Rule]:
        cut = _upper_quartile(values) if kind == "number" else None
        return [] if cut is None else [_rule(f"{label} {cut:g}+", role, column, ">=", cut, points)]

    return make


def _text_rule(role: str, rules: Sequence[tuple[str, str, str, Any]]) -> Any:
    def make(column: str, values: Sequence[Any], kind: str) -> list[Rule]:
        return [_rule(name, role, column, op, value, points) for name, op, value, points in rules] if kind == "text" else []

    return make


def _industry(column: str, values: Sequence[Any], kind: str) -> list[Rule]:
    common = [v for v, _ in Counter(v for v in values if type(v) is str and ";" not in v).most_common(3)]
    if kind != "text" or not common:
        return []
    return [_rule("Common industry (edit to your target industries)", "industry", column, "in", "; ".join(common), 8)]


def _kind_rule(role: str, wanted: str, name: str, op: str, value: Any, points: Any) -> Any:
    def make(column: str, values: Sequence[Any], kind: str) -> list[Rule]:
        return [_rule(name, role, column, op, value, points)] if kind == wanted else []

    return make


def _flag_rule(role: str, name: str, points: int) -> Any:
    """TRUE/FALSE, Yes/No, or 1/0 (Salesforce's checkboxes in a report)."""
    def make(column: str, values: Sequence[Any], kind: str) -> list[Rule]:
        if kind == "bool":
            return [_rule(name, role, column, "=", True, points)]
        flags = kind == "number" and {v for v in values if v is not None} <= {0, 1}
        return [_rule(name, role, column, "=", 1, points)] if flags else []

    return make


STARTERS = {
    "title": _text_rule("title", (
        ("Executive title", "contains", "chief; ceo; cfo; founder; president; vp", 20),
        ("Director or head", "contains", "director; head of", 15),
        ("Manager", "contains", "manager", 8),
        ("Student or intern", "contains", "student; intern", "Disqualify"))),
    "seniority": _text_rule("seniority", (
        ("Senior decision maker", "in", "executive; vp; director; owner; partner; c-level; cxo", 15),
        ("Manager level", "in", "manager; senior", 5))),
    "employees": _size_rules,
    "industry": _industry,
    "page views": _activity("page views", "Page views", 8),
    "sessions": _activity("sessions", "Sessions", 6),
    "email opens": _activity("email opens", "E-mails opened", 4),
    "email clicks": _activity("email clicks", "E-mails clicked", 8),
    "form submissions": _kind_rule("form submissions", "number", "Submitted a form", ">=", 1, 12),
    "last activity": _kind_rule("last activity", "date", "Active in last 30 days", "within 30 days", None, 10),
    "unsubscribed": _flag_rule("unsubscribed", "Unsubscribed", -15),
    "lifecycle stage": _text_rule("lifecycle stage", (
        ("Sales-qualified or opportunity", "in", "sales qualified lead; salesqualifiedlead; opportunity", 15),
        ("Marketing-qualified", "in", "marketing qualified lead; marketingqualifiedlead", 8))),
}  # fmt: skip


def starter_rules(leads: Export) -> list[Rule]:
    """Rules for the recognised columns of ``leads``; an InputError when none is recognised."""
    rules: list[Rule] = []
    for role, column in recognise(leads.headers).items():
        col = leads.columns[leads.find(column)]  # type: ignore[index]
        rules += STARTERS[role](column, col.values, col.kind)
    if not rules:
        names = "; ".join(f"{role}: {names[0]}" for role, names in CRM_COLUMNS.items())
        raise InputError(
            f"{leads.name}: no column is one LeadScore XL writes starter rules for (columns: {listing(leads.headers)}); "
            f"rename the columns to recognised names ({names}; more in the README), or give past deals with --deals "
            "to have rules suggested from them"
        )
    return rules


def find_outcome(deals: Export, wanted: str | None) -> str:
    """The Deals outcome column: ``wanted``, else the first recognised one holding outcomes."""
    if wanted:
        i = deals.find(wanted)
        if i is None:
            raise InputError(f"{deals.name}: {not_a_column(wanted, deals.headers, 'Deals', 'outcome column')}")
        return deals.headers[i]
    for name in OUTCOME_COLUMNS:
        i = deals.find(name)
        if i is not None and _holds_outcomes(deals, i):
            return deals.headers[i]
    few = [h for h, c in zip(deals.headers, deals.columns) if 2 <= len({norm(str(v)) for v in c.values if v is not None}) <= 12]
    hint = f"columns with only a few values: {listing(few)}" if few else f"its columns are {listing(deals.headers)}"
    raise InputError(
        f"{deals.name}: no column holds the deals' outcome (looked for {listing(OUTCOME_COLUMNS, 6)} with Won/Lost, "
        f"Closed Won/Closed Lost, Yes/No, TRUE/FALSE or 1/0); name it with --outcome COLUMN; {hint}"
    )


def _holds_outcomes(deals: Export, i: int) -> bool:
    from leadscore_xl.sheet.outcome import outcome_values

    column = read_table([[deals.headers[i]], *([v] for v in deals.columns[i].values)], "Deals").column(0)
    y, bad = outcome_values(column)
    return not bad.any() and np.nanmin(y, initial=1.0) == 0.0 and np.nanmax(y, initial=0.0) == 1.0


def find_amount(deals: Export) -> str | None:
    for name in AMOUNT_COLUMNS:
        i = deals.find(name)
        if i is not None and deals.columns[i].kind == "number":
            return deals.headers[i]
    return None


def find_id(headers: Sequence[str], other: Sequence[str], wanted: str | None, where: str) -> str:
    """The ID column both header lists have: ``wanted``, else the first of ID_COLUMNS."""
    keys = {norm(h) for h in other}
    names = [wanted] if wanted else list(ID_COLUMNS)
    for name in names:
        hit = next((h for h in headers if norm(h) == norm(name)), None)
        if hit is not None and norm(hit) in keys:
            return hit
    what = f'the ID column "{wanted}"' if wanted else f"an ID column ({listing(ID_COLUMNS)})"
    raise InputError(f"{where}: the Leads table and the file do not both have {what}, so new leads cannot be matched "
                     "to the leads already there; give the column both have with --id-column, or use --mode replace")  # fmt: skip


def _attribute_like(column: Any) -> bool:
    """Not a date (deals are older than leads) and not a text column of many values (names)."""
    if column.kind in (Kind.DATE, Kind.EMPTY):
        return False
    return column.kind not in (Kind.TEXT, Kind.MIXED) or len(set(column.keys)) <= MAX_LEVELS


def suggested_rules(deals: Export, outcome: str, leads: Export, as_of: Any = None) -> tuple[list[Rule], list[str]]:
    """SUGGESTRULES on the deals, over the usable columns Leads has too, and those columns."""
    from leadscore_xl.closerates.dealcols import pick_attributes
    from leadscore_xl.closerates.rates import close_rates, suggest_rules

    table = read_table([list(deals.headers), *deals.rows()], "Deals")
    out_i = table.index(outcome)
    picked, _ = pick_attributes(table, out_i, None)
    skip = {norm(n) for n in (*OUTCOME_COLUMNS, *ID_COLUMNS, *AMOUNT_COLUMNS, *NOT_ATTRIBUTES)}
    names = [table.headers[i] for i in picked if leads.find(table.headers[i]) is not None
             and norm(table.headers[i]) not in skip and _attribute_like(table.column(i))]  # fmt: skip
    if not names:
        return [], []
    suggestion = suggest_rules(close_rates(table, outcome, names, None, as_of))
    roles = {norm(col): role for role, col in recognise(leads.headers).items()}
    rules = [(r[0], "Engagement" if roles.get(norm(r[2])) in ENGAGEMENT_ROLES else "Fit", *r[2:], None, None, True)
             for r in suggestion.rows]  # fmt: skip
    return rules, names


def model_features(rules: Sequence[Rule], leads: Export, max_blank: float = 0.1) -> list[str]:
    """The columns the rules use that at most ``max_blank`` of the leads leave blank (the
    model gives no probability to a lead with a blank feature); all of them if none is."""
    used = list(dict.fromkeys(r[2] for r in rules if r[3] != "always" and r[2]))
    full = []
    for name in used:
        values = leads.columns[leads.find(name)].values  # type: ignore[index]
        if sum(v is None for v in values) <= max_blank * len(values):
            full.append(name)
    return full or used


def checked_rules(rules: Sequence[Rule], leads: Export, sample: int = 5000) -> tuple[list[Rule], list[str]]:
    """The rules that parse, bind and score on (the first ``sample`` of) the leads; a note per dropped rule."""
    from leadscore_xl.intake.layout import RULE_COLUMNS
    from leadscore_xl.rules.table import parse_rules
    from leadscore_xl.sheet.dates import resolve_as_of

    rows = [list(leads.headers)] + [r for _, r in zip(range(sample), leads.rows())]
    table = read_table(rows, "Leads")
    kept, notes = [], []
    for rule in rules:
        if rule[3] == "always":
            kept.append(rule)
            continue
        try:
            compiled = parse_rules([list(RULE_COLUMNS), list(rule)]).bind(table.headers)
            compiled.contributions(table, resolve_as_of(None))
        except LeadScoreError as exc:
            notes.append(f'starter rule "{rule[0]}" left out: {exc}')
            continue
        kept.append(rule)
    return kept, notes
