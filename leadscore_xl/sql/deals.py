"""A Deals file or folder read through DuckDB into the core's typed columns, for the
existing design-matrix and fit code (:func:`leadscore_xl.refresh.run.fit_model`).

Numbers, yes/no and dates arrive as numpy arrays and become :class:`Column` objects
directly; text goes through the core's own column conversion (trimmed labels, error
values as blanks). No per-row Python objects are made, so a few million deals fit
in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
from sqlglot import exp

from leadscore_xl.errors import InputError
from leadscore_xl.sheet.table import Column, Kind, Table, convert_column, no_gc
from leadscore_xl.sql.cells import cell_number
from leadscore_xl.sql.schema import Schema, SqlType, column, identifier
from leadscore_xl.sql.sources import DEFAULT_MEMORY, connect, engine_message, open_source

__all__ = ["read_deals"]

_KINDS = {SqlType.NUMBER: Kind.NUMBER, SqlType.BOOL: Kind.BOOL, SqlType.DATE: Kind.DATE, SqlType.TIMESTAMP: Kind.DATE}


class _Rows(Sequence[Any]):
    """The rows of typed columns, made on demand (only the last ones are ever read)."""

    def __init__(self, columns: list[Column], n: int) -> None:
        self._columns, self._n = columns, n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._n))]
        return [c.value(i) for c in self._columns]


def read_deals(path: Path, memory_limit: str = DEFAULT_MEMORY) -> Table:
    """The deals as a Table whose columns are already typed."""
    con = connect(memory_limit)
    relation = open_source(con, path)
    schema = Schema.from_engine(zip(relation.columns, map(str, relation.types)), str(path))
    picks = []
    for name, kind in schema.columns:
        value = cell_number(name, kind) if kind is not SqlType.TEXT else column(name)
        picks.append(exp.alias_(value, identifier(f"c{len(picks)}")))  # type: ignore[arg-type]
    relation.create_view("deals")
    try:
        arrays = con.sql(exp.select(*picks).from_("deals").sql("duckdb")).fetchnumpy()
    except duckdb.Error as exc:
        raise InputError(f"{path}: {engine_message(exc)}") from None
    n = len(next(iter(arrays.values()))) if arrays else 0
    with no_gc():
        columns = [_column(name, kind, arrays[f"c{i}"], n) for i, (name, kind) in enumerate(schema.columns)]
    cache = dict(enumerate(columns))
    return Table("Deals", schema.names, _Rows(columns, n), 1, cache)


def _column(name: str, kind: SqlType, values: Any, n: int) -> Column:
    if kind is SqlType.TEXT:
        data = values.filled(None) if np.ma.isMaskedArray(values) else values
        return convert_column(name, [None if v is None else str(v) for v in data.tolist()])
    numbers = np.ma.asarray(values).astype(np.float64).filled(np.nan) if np.ma.isMaskedArray(values) else (
        np.asarray(values, dtype=np.float64))  # fmt: skip
    return Column(name, _KINDS[kind], n, num=numbers)
