"""The ``leadscore sql``, ``leadscore score`` and ``leadscore fit`` commands.

::

    leadscore sql BOOK.xlsx [--dialect duckdb|spark|postgres|snowflake|bigquery] [--table NAME] [--view NAME]
    leadscore score LEADS --book BOOK.xlsx --out OUT [--engine duckdb|spark] [--memory-limit 1GB]
    leadscore fit DEALS --book BOOK.xlsx [--output OUT.xlsx]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from collections.abc import Callable
from typing import Any, TextIO

from leadscore_xl.sql.schema import DIALECTS
from leadscore_xl.sql.sources import DEFAULT_MEMORY

__all__ = ["add_parsers", "run"]


def add_parsers(sub: Any) -> None:
    """The three subcommands, on the ``leadscore`` parser's subparsers."""
    sql = sub.add_parser("sql", help="print the workbook's Rules and model as one SQL SELECT (or a CREATE VIEW)")
    sql.add_argument("book", type=Path, help="the workbook (.xlsx or .xlsm)")
    sql.add_argument("--dialect", default="duckdb", help=f"one of {', '.join(DIALECTS)} (default duckdb)")
    sql.add_argument("--table", default="leads", help="the table or view holding the leads (default leads)")
    sql.add_argument("--view", help="print CREATE OR REPLACE VIEW NAME AS ... instead of the SELECT")
    sql.add_argument("--as-of", help="score as of this date (YYYY-MM-DD); default: Settings, else the engine's today")
    score = sub.add_parser("score", help="score a CSV/Parquet file or folder of leads with DuckDB or Spark")
    score.add_argument("leads", type=Path, help="a .csv or .parquet file, or a folder of them (partitioned datasets too)")
    score.add_argument("--book", type=Path, required=True, help="the workbook with the Rules, Settings and Model")
    score.add_argument("--out", type=Path, required=True, help="the scored leads: a .parquet or .csv file")
    score.add_argument("--engine", default="duckdb", help="duckdb (default, embedded) or spark")
    score.add_argument("--master", help="Spark master URL (default local[*]; SPARK_REMOTE selects Spark Connect)")
    score.add_argument("--memory-limit", default=DEFAULT_MEMORY, help=f"DuckDB memory limit (default {DEFAULT_MEMORY})")
    score.add_argument("--as-of", help="score as of this date (YYYY-MM-DD); default: Settings, else today")
    score.add_argument("-q", "--quiet", action="store_true", help="no progress")
    fit = sub.add_parser("fit", help="fit the model on a CSV/Parquet file of deals and write the Model sheet")
    fit.add_argument("deals", type=Path, help="a .csv or .parquet file, or a folder of them")
    fit.add_argument("--book", type=Path, required=True, help="the workbook whose Model sheet is rebuilt")
    fit.add_argument("-o", "--output", type=Path, help="write the workbook here instead of in place")
    fit.add_argument("--as-of", help="age dates as of this date (YYYY-MM-DD); default: Settings, else today")
    fit.add_argument("--memory-limit", default=DEFAULT_MEMORY, help=f"DuckDB memory limit (default {DEFAULT_MEMORY})")


def run(args: argparse.Namespace, progress_bar: Callable[[TextIO], Callable[[str, float], None]]) -> int:
    """Run ``sql``, ``score`` or ``fit``; ``progress_bar(stream)`` makes the progress display."""
    if args.command == "sql":
        return _sql(args)
    if args.command == "score":
        return _score(args, progress_bar)
    return _fit(args)


def _sql(args: argparse.Namespace) -> int:
    from leadscore_xl.sql.query import compile_query
    from leadscore_xl.sql.schema import Schema, check_dialect
    from leadscore_xl.sql.workbook import read_book

    dialect = check_dialect(args.dialect)
    book = read_book(args.book, args.as_of)
    query = compile_query(book.ruleset, book.settings.scoring, Schema.from_table(book.leads), book.model,
                          args.table, book.as_of)  # fmt: skip
    for note in book.notes:
        print(f"note: {note}", file=sys.stderr)
    terminator = ";" if dialect != "spark" or args.view else ""
    print(query.sql(dialect, args.view) + terminator)
    return 0


def _score(args: argparse.Namespace, progress_bar: Callable[[TextIO], Callable[[str, float], None]]) -> int:
    from leadscore_xl.sql.engines import output_format, score_files
    from leadscore_xl.sql.sources import connect, open_source
    from leadscore_xl.sql.workbook import read_book

    open_source(connect(), args.leads)  # a missing or ragged file is named before the workbook is read
    output_format(args.out)
    book = read_book(args.book, args.as_of)
    for note in book.notes:
        print(f"note: {note}", file=sys.stderr)
    progress = None if args.quiet else progress_bar(sys.stderr)
    result = score_files(args.leads, book, args.out, args.engine, args.memory_limit, args.master, progress)
    print(result.summary())
    return 0


def _fit(args: argparse.Namespace) -> int:
    from leadscore_xl.refresh import report
    from leadscore_xl.refresh.book_file import open_book
    from leadscore_xl.refresh.run import SheetNames, book_settings, fit_model, leads_table
    from leadscore_xl.rules.api import as_of_for
    from leadscore_xl.sql.deals import read_deals

    from leadscore_xl.sql.sources import files_of

    files_of(args.deals)
    deals = read_deals(args.deals, args.memory_limit)
    workbook = open_book(args.book, args.output)
    names = SheetNames(workbook.sheet_names())
    settings = book_settings(workbook, names)
    headers = leads_table(workbook, names.need("Leads")).headers if names.find("Leads") else deals.headers
    now = dt.datetime.now().replace(microsecond=0)
    fit = fit_model(deals, settings, as_of_for(args.as_of, settings), headers, now, str(args.deals))
    for note in fit.notes:
        print(f"note: {note}", file=sys.stderr)
    if fit.result is None:
        return 1
    workbook.replace_sheet(names.get("Model"), *report.model_sheet(fit))
    workbook.save()
    print(f"Fitted the model on {len(deals):,} deals; wrote the Model sheet of {workbook.target}")
    return 0
