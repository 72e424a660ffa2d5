"""Lead and deal files as DuckDB relations: one CSV or Parquet file, or a folder of them
(a partitioned dataset such as ``leads/region=EMEA/part-0.parquet`` included).

Every problem with a file becomes one line that names the file (and the row of a
ragged CSV) and says how to fix it.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import duckdb

from leadscore_xl.errors import InputError

__all__ = ["DEFAULT_MEMORY", "connect", "engine_message", "files_of", "open_source"]

DEFAULT_MEMORY = "1GB"  # DuckDB spills to disk beyond this, so peak memory stays bounded
PARQUET = frozenset({".parquet", ".pq"})
CSV = frozenset({".csv", ".txt", ".tsv"})


def connect(memory_limit: str = DEFAULT_MEMORY, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a memory limit (it streams and spills beyond it)."""
    config: dict[str, Any] = {"memory_limit": memory_limit, "preserve_insertion_order": True}
    if threads:
        config["threads"] = threads
    try:
        return duckdb.connect(config=config)
    except duckdb.Error as exc:
        raise InputError(f"DuckDB does not accept the memory limit {memory_limit!r} ({engine_message(exc)}); "
                         "give e.g. 1GB or 512MB")  # fmt: skip


def files_of(path: Path) -> tuple[str, list[Path]]:
    """("parquet" or "csv", the files) of a file or a folder; an InputError otherwise."""
    if not path.exists():
        raise InputError(f"{path} does not exist; give a CSV or Parquet file, or a folder of them")
    if path.is_file():
        kind = "parquet" if path.suffix.lower() in PARQUET else "csv" if path.suffix.lower() in CSV else None
        if kind is None:
            raise InputError(f"{path.name} is not a CSV or Parquet file; save the data as .csv or .parquet")
        return kind, [path]
    for kind, suffixes in (("parquet", PARQUET), ("csv", CSV)):
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
        if files:
            return kind, files
    raise InputError(f"The folder {path} holds no .parquet or .csv files; give a file or a folder of them")


def open_source(con: duckdb.DuckDBPyConnection, path: Path) -> duckdb.DuckDBPyRelation:
    """The data of ``path`` as a relation (read lazily: nothing is loaded yet)."""
    kind, files = files_of(path)
    names = [str(f) for f in files]
    try:
        if kind == "parquet":
            return con.read_parquet(names, hive_partitioning=path.is_dir(), union_by_name=len(names) > 1)
        relation = con.read_csv(names, header=True, hive_partitioning=path.is_dir(), union_by_name=len(names) > 1)
    except duckdb.Error as exc:
        raise InputError(_csv_problem(files) or f"{path}: {engine_message(exc)}") from None
    if len(relation.columns) == 1 and any(c in relation.columns[0] for c in ",;\t"):
        problem = _csv_problem(files)
        if problem:
            raise InputError(problem)
    return relation


def engine_message(exc: BaseException) -> str:
    """The first line of an engine's error, without its class prefix."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for prefix in ("Invalid Input Error: ", "IO Error: ", "Binder Error: ", "Conversion Error: ", "Parser Error: "):
        first = first.removeprefix(prefix)
    return first


def _csv_problem(files: list[Path]) -> str | None:
    """The first row whose number of fields differs from the header's, as a message."""
    for file in files:
        with file.open(newline="", encoding="utf-8", errors="replace") as handle:
            sample = handle.read(65536)
            handle.seek(0)
            try:
                dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
            except csv.Error:
                dialect = csv.excel
            reader = csv.reader(handle, dialect)
            header = next(reader, [])
            for row in reader:
                if row and len(row) != len(header):
                    return (f"{file.name} line {reader.line_num} has {len(row)} fields but the header has "
                            f"{len(header)}; fix that row (a value holding the delimiter needs quotes) and run again")  # fmt: skip
    return None
