"""Scoring beyond Excel: the workbook's Rules, Settings and coefficient table compiled to
one SQL SELECT (a sqlglot syntax tree rendered for duckdb, spark, postgres, snowflake or
bigquery), and the engines that run it on CSV/Parquet files (DuckDB, PySpark).

Sits above :mod:`leadscore_xl.refresh` (it reads workbooks through the file Book port)
and below :mod:`leadscore_xl.cli` (``leadscore sql``, ``score`` and ``fit``).
"""

from leadscore_xl.sql.query import OUTPUT_COLUMNS, Query, compile_query, render
from leadscore_xl.sql.schema import DIALECTS, Schema, SqlType

__all__ = ["DIALECTS", "OUTPUT_COLUMNS", "Query", "Schema", "SqlType", "compile_query", "render"]
