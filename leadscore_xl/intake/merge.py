"""New leads merged into the rows of a Leads table (pure: rows in, cell writes out).

``append`` keeps every row and matches each lead of the file on an ID column (``Record ID``,
``Lead ID``, ``Id``, ``Email``..., or the one given): a lead already there has the file's
columns of its row updated, a new one is added at the end; a lead twice in the file is
added once, with its last values. ``replace`` makes the file's leads the table's rows.
Either way the table keeps its columns (the file's new ones are added after them), and
the only cells written are those of added and updated rows; the project's own output
columns are left to the refresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from leadscore_xl.intake.files import Export
from leadscore_xl.intake.layout import OUTPUT_COLUMNS
from leadscore_xl.intake.starter import find_id
from leadscore_xl.sheet.table import canonical_text, header_text, norm

__all__ = ["Merged", "merge_leads"]


@dataclass(frozen=True)
class Merged:
    """The table's new header, its data rows' count, and the cells to write: data row
    (0-based) -> {column (0-based) -> value}."""

    header: list[str]
    height: int
    writes: dict[int, dict[int, Any]]
    added: int
    updated: int
    removed: int = 0

    def summary(self, name: str) -> str:
        removed = f", {self.removed:,} removed" if self.removed else ""
        return f"{name}: {self.added:,} leads added, {self.updated:,} updated{removed}"


def key_of(value: Any) -> str | None:
    """The matching key of an ID cell: numbers without ".0", text trimmed and case-folded."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return canonical_text(float(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return norm(str(value)) or None


def merge_leads(header: Sequence[Any], rows: Sequence[Sequence[Any]], export: Export, mode: str,
                id_column: str | None, where: str) -> Merged:  # fmt: skip
    """See the module doc; ``header``/``rows`` are the table's (output columns included)."""
    names = [header_text(h) for h in header]
    position = {norm(h): j for j, h in enumerate(names) if h}
    new_columns = [h for h in export.headers if norm(h) not in position]
    names += new_columns
    position.update({norm(h): len(names) - len(new_columns) + k for k, h in enumerate(new_columns)})
    target = [position[norm(h)] for h in export.headers]
    outputs = {position[norm(c)] for c in OUTPUT_COLUMNS if norm(c) in position}
    kept = [i for i, r in enumerate(rows) if any(v is not None and str(v).strip() for j, v in enumerate(r) if j not in outputs)]
    if mode == "replace":
        writes = {i: dict(zip(target, r)) | _blank_rest(len(names), target) for i, r in enumerate(export.rows())}
        return Merged(names, len(writes), writes, len(writes), 0, len(kept))
    id_name = find_id(export.headers, [n for n in names[: len(header)]], id_column, where)
    id_old, id_new = position[norm(id_name)], export.find(id_name)
    index = {key_of(rows[i][id_old]): i for i in kept}
    index.pop(None, None)
    old_height = kept[-1] + 1 if kept else 0
    height = old_height
    writes: dict[int, dict[int, Any]] = {}
    for row in export.rows():
        key = key_of(row[id_new])
        i = index.get(key) if key is not None else None
        if i is None:
            i, height = height, height + 1
            writes[i] = _blank_rest(len(names), target)
            if key is not None:
                index[key] = i
        writes.setdefault(i, {}).update(zip(target, row))
    updated = sum(1 for i in writes if i < old_height)
    return Merged(names, height, writes, height - old_height, updated)


def _blank_rest(width: int, target: Sequence[int]) -> dict[int, Any]:
    filled = set(target)
    return {j: None for j in range(width) if j not in filled}
