"""Scoring entry points that take sheet values, as the Excel functions receive them."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from leadscore_xl.sheet.dates import resolve_as_of
from leadscore_xl.errors import InputError, quote
from leadscore_xl.rules.results import OUTPUTS, Explanation, Scores
from leadscore_xl.rules.table import parse_rules
from leadscore_xl.settings import UNSCORED, Settings, read_settings
from leadscore_xl.sheet.table import as_rows, cell_parts, is_blank, norm, read_table

__all__ = ["as_of_for", "explain_lead", "grade_score", "lead_matrix", "lead_score", "parse_outputs", "score_leads"]


def as_of_for(as_of: Any, settings: Settings) -> float:
    """The as-of serial: the argument if given, else the pinned Settings date, else today."""
    if not is_blank(as_of):
        try:
            return _as_of_cached(type(as_of), as_of)  # the type too: TRUE == 1 for Python
        except TypeError:  # not hashable: not a date either, let resolve_as_of say so
            return resolve_as_of(as_of)
    if settings.scoring.as_of is not None:
        return settings.scoring.as_of
    return resolve_as_of(None)


@lru_cache(maxsize=256)
def _as_of_cached(kind: type, as_of: Any) -> float:
    return resolve_as_of(as_of)


def _header_names(raw: Sequence[Any]) -> tuple[str, ...]:
    """The Leads header row, checked like a table's (no blank or duplicate names).
    Cached by the cells and their types (TRUE and 1 are different headers)."""
    cells = tuple(raw)
    kinds = tuple(map(type, cells))
    hit = _HEADERS.get(cells)
    if hit is None or hit[0] != kinds:
        hit = _HEADERS[cells] = (kinds, read_table([list(cells)], "Leads").headers)
        if len(_HEADERS) > 256:
            del _HEADERS[next(iter(_HEADERS))]
    return hit[1]


_HEADERS: dict[tuple[Any, ...], tuple[tuple[type, ...], tuple[str, ...]]] = {}


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def parse_outputs(outputs: Any) -> tuple[str, ...]:
    """``"Score; Grade"`` -> ("Score", "Grade"), each checked against OUTPUTS."""
    if is_blank(outputs):
        return ("Score",)
    names = [p.strip() for p in str(outputs).replace(",", ";").split(";") if p.strip()]
    known = {norm(o): o for o in OUTPUTS}
    for name in names:
        if norm(name) not in known:
            raise InputError(f"Output {quote(name)} is not known; use any of {', '.join(OUTPUTS)}, separated by ;")
    return tuple(known[norm(n)] for n in names)


def score_leads(leads: Any, rules: Any, settings: Any = None, as_of: Any = None) -> Scores:
    """Score a Leads range (with its header row) column-wise."""
    cfg = read_settings(settings)
    table = read_table(leads, "Leads")
    compiled = parse_rules(rules).bind(table.headers)
    return compiled.score_table(table, cfg.scoring, as_of_for(as_of, cfg))


def _lead_row(lead: Any, headers: Any) -> tuple[tuple[str, ...], list[Any]]:
    header_row = as_rows(headers)
    row = as_rows(lead)
    if len(header_row) != 1 or len(row) != 1:
        raise InputError(
            "Pass one lead row and its one header row, e.g. Leads[@] and Leads[#Headers]; "
            f"got {_count(len(row), 'lead row')} and {_count(len(header_row), 'header row')}"
        )
    names, cells = _header_names(header_row[0]), row[0]
    if len(cells) != len(names):
        raise InputError(
            f"The lead has {len(cells)} cells but the headers have {len(names)}; pass one row "
            "of the Leads table with its header row, e.g. Leads[@] and Leads[#Headers]"
        )
    return names, cells


def lead_score(lead: Any, headers: Any, rules: Any, settings: Any = None, as_of: Any = None) -> float | str:
    """The score of one lead, or "UNSCORED"."""
    cfg = read_settings(settings)
    names, row = _lead_row(lead, headers)
    score = parse_rules(rules).bind(names).row_score(row, cfg.scoring, as_of_for(as_of, cfg))
    return UNSCORED if score is None else score


def explain_lead(lead: Any, headers: Any, rules: Any, settings: Any = None, as_of: Any = None) -> Explanation:
    """Every rule that fired for one lead, caps and clamp, and the total."""
    cfg = read_settings(settings)
    names, row = _lead_row(lead, headers)
    return parse_rules(rules).bind(names).explain_row(row, cfg.scoring, as_of_for(as_of, cfg))


def grade_score(score: Any, settings: Any = None, part: Any = "grade") -> str:
    """The grade, route or "grade / route" of a score from the bands."""
    cfg = read_settings(settings).scoring
    what = norm(str(part or "grade"))
    if what not in ("grade", "route", "both"):
        raise InputError(f'Part {quote(part)} is not known; use "grade", "route" or "both"')
    if isinstance(score, (list, tuple)):
        raise InputError("Score must be one cell; pass one score, e.g. the cell with LEADSCORE")
    number, key = cell_parts(score)
    if key is not None and key != norm(UNSCORED):
        try:
            number, key = float(key), None  # a number stored as text
        except ValueError:
            pass
    if key == norm(UNSCORED):
        band_grade, band_route = "Unscored", "Review"
    elif number != number:
        raise InputError(f"Score {quote(score)} is not a number; pass a score such as 72")
    else:
        band = cfg.band(number)
        band_grade, band_route = band.grade, band.route
    return {"grade": band_grade, "route": band_route, "both": f"{band_grade} / {band_route}"}[what]


def lead_matrix(lead: Any, headers: Any, rules: Any, settings: Any = None, as_of: Any = None) -> str:
    """The fit x engagement label of one lead, e.g. "A1", or UNSCORED."""
    explanation = explain_lead(lead, headers, rules, settings, as_of)
    return explanation.matrix()
