"""The Settings sheet: key/value pairs for bands, caps, score range, as-of date and more.

=====================  ==========================  ===================================
Setting                Value                       Meaning
=====================  ==========================  ===================================
Score min / Score max  0 / 100                     the total is clamped to this range
Cap <group>            ``60`` / ``-10; 60``        a maximum / minimum; maximum
                       / ``-10;``                  / a minimum only
Band <anything>        ``65; High value; Sales``   from score; grade; route
As-of date             a date (blank = today)      pins time decay and recency rules
Fit group              Fit                         group giving the letter A-D
Engagement group       Engagement                  group giving the number 1-4
Fit cuts               ``45; 30; 15``              A from 45, B from 30, C from 15
Engagement cuts        ``30; 20; 10``              1 from 30, 2 from 20, 3 from 10
Disqualified route     Disqualified                route forced by a Disqualify rule
=====================  ==========================  ===================================

Keys are matched trimmed and case-insensitively. Keys this module does not know (the
model's options, the outcome column ...) are kept in :attr:`Settings.values` for the
modules that read them.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from leadscore_xl.sheet.cache import ContentCache
from leadscore_xl.sheet.dates import resolve_as_of
from leadscore_xl.errors import InputError, SettingsError, quote
from leadscore_xl.sheet.table import as_rows, is_blank, norm, not_a_column

__all__ = [
    "Band", "DEFAULT_BANDS", "KNOWN_KEYS", "ScoringConfig", "Settings", "amount_column", "column_notes",
    "parse_number_list", "read_settings", "settings_notes",
]  # fmt: skip

#: Every Settings key some part of LeadScore XL reads (besides "Cap <group>",
#: "Band <label>" and "Reference <column>"), for telling a typo from a setting.
KNOWN_KEYS = frozenset({
    "score min", "score max", "as-of date", "fit group", "engagement group", "fit cuts", "engagement cuts",
    "disqualified route", "outcome column", "amount column", "source column", "features", "categorical columns",
    "min level count", "blank as level", "missing indicator", "probability formulas", "cost per lead",
    "call list size",
})  # fmt: skip
DEFAULT_AMOUNT_COLUMN = "Deal Amount"


@dataclass(frozen=True)
class Band:
    """Scores from ``min_score`` up get this grade and route."""

    min_score: float
    grade: str
    route: str


DEFAULT_BANDS: tuple[Band, ...] = (
    Band(65.0, "High value", "Sales"),
    Band(50.0, "MQL", "Sales"),
    Band(20.0, "Nurture", "Marketing nurture"),
    Band(-math.inf, "Cold", "Marketing"),
)
UNSCORED = "UNSCORED"


@dataclass(frozen=True)
class ScoringConfig:
    """Everything besides the rules that turns points into a score, grade and route."""

    score_min: float = 0.0
    score_max: float = 100.0
    caps: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    bands: tuple[Band, ...] = DEFAULT_BANDS
    as_of: float | None = None
    fit_group: str = "Fit"
    engagement_group: str = "Engagement"
    fit_cuts: tuple[float, ...] = (45.0, 30.0, 15.0)
    engagement_cuts: tuple[float, ...] = (30.0, 20.0, 10.0)
    disqualified_route: str = "Disqualified"

    def cap(self, group: str) -> tuple[float, float]:
        return self.caps.get(norm(group), (-math.inf, math.inf))

    def band(self, score: float) -> Band:
        """The band a score falls in (bands are sorted from the highest minimum)."""
        for band in self.bands:
            if score >= band.min_score:
                return band
        return self.bands[-1]


@dataclass(frozen=True)
class Settings:
    """A parsed Settings table: the scoring configuration plus every raw value."""

    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    values: Mapping[str, Any] = field(default_factory=dict)
    rows: Mapping[str, int] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(norm(key), default)


_DEFAULT = Settings()


def parse_number_list(text: object, where: str, what: str, example: str = "45; 30; 15") -> tuple[float, ...]:
    """``"45; 30; 15"`` (or a single number) as floats; a SettingsError otherwise."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        numbers: list[float] = [float(text)]
    else:
        try:
            numbers = [float(p) for p in str(text).split(";") if p.strip()]
        except ValueError:
            numbers = []
    if not numbers or not all(math.isfinite(n) for n in numbers):
        raise SettingsError(
            f"{where}: {what} {quote(text)} is not a number or a list of numbers; "
            f'type e.g. "{example}" (separate numbers with ";")'
        )
    return tuple(numbers)


def read_settings(values: Any = None, header_row: int = 1) -> Settings:
    """Parse a Settings range (two columns, key and value, with or without a header)."""
    if values is None:
        return _DEFAULT
    return _PARSED.get(as_rows(values), header_row)


def _parse(rows: list[list[Any]], header_row: int) -> Settings:
    raw: dict[str, Any] = {}
    where: dict[str, int] = {}
    for i, row in enumerate(rows):
        if len(row) < 2 or is_blank(row[0]):
            continue
        key = norm(str(row[0]))
        if i == 0 and key in ("setting", "key", "name") and norm(str(row[1])) == "value":
            continue
        raw[key] = None if is_blank(row[1]) else row[1]
        where[key] = header_row + i
    return Settings(_scoring(raw, where), raw, where)


_PARSED: ContentCache[Settings] = ContentCache(_parse, size=32)


def _scoring(raw: dict[str, Any], where: dict[str, int]) -> ScoringConfig:
    def loc(key: str) -> str:
        return f"Settings row {where[key]}"

    def number(key: str, default: float) -> float:
        value = raw.get(key)
        if value is None:
            return default
        return parse_number_list(value, loc(key), key.capitalize(), "100")[0]

    caps, bands = {}, []
    for key, value in raw.items():
        if key.startswith("cap ") and value is not None:
            caps[norm(key[4:])] = _cap(value, loc(key))
        elif (key == "band" or key.startswith("band ")) and value is not None:
            bands.append(_band(value, loc(key)))
    config = ScoringConfig(
        score_min=number("score min", 0.0),
        score_max=number("score max", 100.0),
        caps=caps,
        bands=_ordered_bands(bands) if bands else DEFAULT_BANDS,
        as_of=_as_of(raw, loc),
        fit_group=str(raw.get("fit group") or "Fit"),
        engagement_group=str(raw.get("engagement group") or "Engagement"),
        fit_cuts=_cuts(raw, "fit cuts", (45.0, 30.0, 15.0), loc),
        engagement_cuts=_cuts(raw, "engagement cuts", (30.0, 20.0, 10.0), loc),
        disqualified_route=str(raw.get("disqualified route") or "Disqualified"),
    )
    if config.score_min >= config.score_max:
        raise SettingsError(
            f"Settings: Score min ({config.score_min:g}) must be below Score max "
            f"({config.score_max:g}); fix one of them"
        )
    return config


def _as_of(raw: dict[str, Any], loc: Any) -> float | None:
    if raw.get("as-of date") is None:
        return None
    try:
        return resolve_as_of(raw["as-of date"])
    except InputError as error:
        raise SettingsError(f"{loc('as-of date')}: {error}") from None


def _cap(value: object, where: str) -> tuple[float, float]:
    """``60`` (a maximum), ``-10; 60`` (minimum; maximum) or ``-10;`` (a minimum only)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        parts: list[str] = [str(value)]
    else:
        parts = [p.strip() for p in str(value).split(";")]
    try:
        bounds = [float(p) if p else None for p in parts]
    except ValueError:
        bounds = []
    ok = all(b is None or math.isfinite(b) for b in bounds) and any(b is not None for b in bounds)
    if ok and len(bounds) == 1:
        return (-math.inf, bounds[0])  # type: ignore[return-value]
    if ok and len(bounds) == 2:
        low = -math.inf if bounds[0] is None else bounds[0]
        high = math.inf if bounds[1] is None else bounds[1]
        if low <= high:
            return low, high
    raise SettingsError(
        f'{where}: cap {quote(value)} must be a maximum ("60"), "minimum; maximum" with the minimum '
        'first ("-10; 60"), or a minimum only ("-10;")'
    )


def _band(value: object, where: str) -> Band:
    parts = [p.strip() for p in str(value).split(";")]
    try:
        low = float(parts[0])
    except ValueError:
        low = math.nan
    if len(parts) not in (2, 3) or math.isnan(low) or not parts[1]:
        raise SettingsError(
            f'{where}: band {quote(value)} must read "from score; grade; route", '
            'e.g. "65; High value; Sales"'
        )
    return Band(low, parts[1], parts[2] if len(parts) == 3 and parts[2] else parts[1])


def _ordered_bands(bands: list[Band]) -> tuple[Band, ...]:
    ordered = sorted(bands, key=lambda b: -b.min_score)
    lowest = ordered[-1]
    ordered[-1] = Band(-math.inf, lowest.grade, lowest.route)  # the lowest band catches all
    return tuple(ordered)


def _cuts(raw: dict[str, Any], key: str, default: tuple[float, ...], loc: Any) -> tuple[float, ...]:
    if raw.get(key) is None:
        return default
    cuts = parse_number_list(raw[key], loc(key), "cuts")
    if len(cuts) != 3 or not cuts[0] > cuts[1] > cuts[2]:
        raise SettingsError(
            f"{loc(key)}: {key.capitalize()} needs three falling numbers, e.g. \"45; 30; 15\""
        )
    return cuts


def amount_column(settings: Settings) -> str:
    """The Deals column holding the deal value: Settings "Amount column", else "Deal Amount"."""
    value = settings.get("amount column")
    return DEFAULT_AMOUNT_COLUMN if is_blank(value) else str(value).strip()


_COLUMN_KEYS = (("amount column", "Amount column", "the Report's expected-value cut-off has no deal values"),
                ("source column", "Source column", "the Report has no channel report"),
                ("features", "Features", "the model is fitted without it"))  # fmt: skip


def column_notes(settings: Settings, deals_headers: Sequence[str]) -> tuple[str, ...]:
    """One line per column a Settings row names (Amount column, Source column, Features)
    that Deals does not have, with a did-you-mean."""
    notes = []
    for key, label, effect in _COLUMN_KEYS:
        value = settings.get(key)
        if is_blank(value) or not isinstance(value, str):
            continue
        names = [p.strip() for p in value.replace(",", ";").split(";") if p.strip()] if key == "features" else [value.strip()]
        for name in names:
            if norm(name) not in {norm(h) for h in deals_headers}:
                text = not_a_column(name, deals_headers, "Deals", label)
                notes.append(f"Settings row {settings.rows.get(key, '?')}: {text}; until it is fixed, {effect}")
    return tuple(notes)


def settings_notes(settings: Settings, groups: tuple[str, ...]) -> tuple[str, ...]:
    """One line per Settings row that does nothing: a key no part of LeadScore XL reads
    (a typo, most likely), a cap for a group the Rules do not have, or a Fit/Engagement
    group that is not a Rules group."""
    notes: list[str] = []
    group_keys = {norm(g): g for g in groups}
    shown = ", ".join(groups)
    for key in settings.values:
        where = f"Settings row {settings.rows.get(key, '?')}"
        if key.startswith("cap "):
            if norm(key[4:]) not in group_keys:
                notes.append(f'{where}: "{key}" caps a group the Rules table does not have (groups: {shown})')
        elif not (key in KNOWN_KEYS or key in ("band", "setting", "key") or key.startswith(("band ", "reference "))):
            guess = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1, cutoff=0.75)
            hint = f'; did you mean "{guess[0]}"?' if guess else "; see the README's Settings table"
            notes.append(f'{where}: "{key}" is not a setting LeadScore XL reads, so it does nothing{hint}')
    cfg = settings.scoring
    for label, group in (("Fit group", cfg.fit_group), ("Engagement group", cfg.engagement_group)):
        if norm(group) not in group_keys:
            notes.append(f'Settings: {label} "{group}" is not a group of the Rules table (groups: {shown}), '
                         "so the fit x engagement matrix counts it as 0 points")  # fmt: skip
    return tuple(notes)
