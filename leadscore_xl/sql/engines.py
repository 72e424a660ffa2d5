"""Run the compiled query on leads files: DuckDB embedded (the default) or PySpark.

DuckDB streams the files through the query in chunks and writes the result as it goes,
so memory stays under its limit (:data:`~leadscore_xl.sql.sources.DEFAULT_MEMORY`,
``--memory-limit``) however many rows there are; beyond the limit it spills to disk.
Spark runs the same SELECT, rendered for Spark, on ``local[*]`` or on the cluster that
``--master`` (or ``SPARK_REMOTE``, for Spark Connect) names.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from leadscore_xl.errors import InputError, LeadScoreError
from leadscore_xl.sql.query import Query, compile_query
from leadscore_xl.sql.schema import Schema
from leadscore_xl.sql.sources import DEFAULT_MEMORY, connect, engine_message, files_of, open_source
from leadscore_xl.sql.workbook import BookInputs

__all__ = ["ENGINES", "Scored", "score_duckdb", "score_files", "score_spark", "spark_session"]

ENGINES = ("duckdb", "spark")
Progress = Callable[[str, float], None]
VIEW = "leads"


@dataclass(frozen=True)
class Scored:
    """What a scoring run wrote."""

    rows: int
    output: Path
    engine: str

    def summary(self) -> str:
        return f"Scored {self.rows:,} leads with {self.engine}; wrote {self.output}"


def output_format(out: Path) -> str:
    suffix = out.suffix.lower()
    if suffix in (".parquet", ".pq", ""):
        return "parquet"
    if suffix == ".csv":
        return "csv"
    raise InputError(f"{out.name}: the output must end in .parquet or .csv (or be a folder name without a suffix)")


def score_files(leads: Path, book: BookInputs, out: Path, engine: str = "duckdb", memory_limit: str = DEFAULT_MEMORY,
                master: str | None = None, progress: Progress | None = None) -> Scored:  # fmt: skip
    """Score a file or folder of leads with the workbook's Rules, Settings and model."""
    if engine not in ENGINES:
        raise InputError(f"Engine {engine!r} is not known; use one of {', '.join(ENGINES)}")
    output_format(out)
    if engine == "spark":
        return score_spark(leads, book, out, master, progress)
    return score_duckdb(leads, book, out, memory_limit, progress)


def _compile(book: BookInputs, schema: Schema, where: Path) -> Query:
    try:
        return compile_query(book.ruleset, book.settings.scoring, schema, book.model, VIEW, book.as_of)
    except LeadScoreError as exc:
        raise type(exc)(f"{exc} (the columns of {where})") from None


def score_duckdb(leads: Path, book: BookInputs, out: Path, memory_limit: str = DEFAULT_MEMORY,
                 progress: Progress | None = None) -> Scored:  # fmt: skip
    con = connect(memory_limit)
    relation = open_source(con, leads)
    schema = Schema.from_engine(zip(relation.columns, map(str, relation.types)), str(leads))
    query = _compile(book, schema, leads)
    relation.create_view(VIEW)
    result = con.sql(query.sql("duckdb", pretty=False))
    if out.exists() and out.is_dir():
        raise InputError(f"{out} is a folder; give a file name ending in .parquet or .csv")
    writer = (lambda: result.write_parquet(str(out))) if output_format(out) == "parquet" else (
        lambda: result.write_csv(str(out), header=True))  # fmt: skip
    _with_progress(con, writer, progress, leads)
    rows = con.read_parquet(str(out)) if output_format(out) == "parquet" else con.read_csv(str(out), header=True)
    return Scored(int(rows.aggregate("count(*)").fetchall()[0][0]), out, "duckdb")


def _with_progress(con: duckdb.DuckDBPyConnection, work: Callable[[], Any], progress: Progress | None, leads: Path) -> None:
    """Run ``work`` while DuckDB's own progress (0-100 %) is reported every half second."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # re-raised below, in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(0.5)
        if progress is not None and thread.is_alive():
            done = con.query_progress()
            if done >= 0:
                progress(f"Scoring {leads.name}", done / 100.0)
    if failure:
        exc = failure[0]
        if isinstance(exc, duckdb.Error):
            raise InputError(f"{leads}: {engine_message(exc)}") from None
        raise exc
    if progress is not None:
        progress(f"Scored {leads.name}", 1.0)


def spark_session(master: str | None = None) -> Any:
    """A SparkSession: Spark Connect when SPARK_REMOTE is set, else ``master`` (default
    ``local[*]``); UTC, so that timestamps are read as written."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise InputError(f"--engine spark needs PySpark ({exc}); pip install pyspark") from None
    builder = SparkSession.builder.appName("leadscore")
    if os.environ.get("SPARK_REMOTE") and master is None:
        builder = builder.remote(os.environ["SPARK_REMOTE"])
    else:
        builder = builder.master(master or "local[*]")
    for key, value in (("spark.sql.session.timeZone", "UTC"), ("spark.ui.enabled", "false"),
                       ("spark.sql.shuffle.partitions", "4"), ("spark.sql.execution.arrow.pyspark.enabled", "false")):
        builder = builder.config(key, value)
    return builder.getOrCreate()


def spark_frame(spark: Any, leads: Path) -> Any:
    kind, _files = files_of(leads)
    reader = spark.read
    if kind == "csv":
        return reader.options(header=True, inferSchema=True).csv(str(leads))
    return reader.parquet(str(leads))


def score_spark(leads: Path, book: BookInputs, out: Path, master: str | None = None,
                progress: Progress | None = None) -> Scored:  # fmt: skip
    spark = spark_session(master)
    frame = spark_frame(spark, leads)
    schema = Schema.from_engine(frame.dtypes, str(leads))
    query = _compile(book, schema, leads)
    frame.createOrReplaceTempView(VIEW)
    result = spark.sql(query.sql("spark", pretty=False))
    if progress is not None:
        progress(f"Scoring {leads.name} with Spark", 0.1)
    writer = result.write.mode("overwrite")
    if output_format(out) == "csv":
        writer.option("header", True).csv(str(out))
    else:
        writer.parquet(str(out))
    if progress is not None:
        progress(f"Scored {leads.name}", 1.0)
    return Scored(int(spark.read.parquet(str(out)).count() if output_format(out) != "csv"
                      else spark.read.option("header", True).csv(str(out)).count()), out, "spark")  # fmt: skip
