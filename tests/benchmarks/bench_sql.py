"""P13: scoring beyond Excel, printed as ratios measured in one run.

S1  N generated leads x 30 columns x 40 rules, from Parquet: DuckDB's Score + Grade +
    Probability against the numpy core (LEADSCORES' score_table, grades, and LEADPROBS'
    CoefModel.score) on the same rows held in memory as typed columns (the core's time
    excludes reading them). DuckDB twice: the query's five outputs read from Parquet into
    a discard (an aggregate over them: the scoring work), and ``leadscore score`` itself
    (Parquet in, every input column plus the five outputs written to Parquet, memory
    limit 1GB). Target: >= 1.0x the core's throughput, < 2 GB peak. DuckDB runs first,
    so that its peak RSS is not the core's leftovers.
S2  ``--stream-copies`` x N rows streamed from Parquet by DuckDB (the same files listed
    again and again): rows per second and peak memory. Target: < 2 GB peak.
S3  Spark local[*] on the N rows (``--spark``): rows per second, as measured.

The issue's sizes are N = 10,000,000 and 100,000,000 streamed:
    python tests/benchmarks/bench_sql.py --rows 10000000 --stream-copies 10 --spark
Default: --rows 1000000 --stream-copies 4.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

import _data  # noqa: E402
from bench_scoring import PeakRSS  # noqa: E402

from leadscore_xl.model.coefficients import read_model  # noqa: E402
from leadscore_xl.rules.table import parse_rules  # noqa: E402
from leadscore_xl.settings import read_settings  # noqa: E402
from leadscore_xl.sheet.dates import to_serial  # noqa: E402
from leadscore_xl.sql.deals import read_deals  # noqa: E402
from leadscore_xl.sql.engines import VIEW, score_duckdb, score_spark  # noqa: E402
from leadscore_xl.sql.query import compile_query  # noqa: E402
from leadscore_xl.sql.schema import Schema  # noqa: E402
from leadscore_xl.sql.sources import connect, open_source  # noqa: E402
from leadscore_xl.sql.workbook import BookInputs  # noqa: E402

AS_OF = dt.datetime(2026, 6, 30)
CHUNK = 1_000_000


def write_leads(folder: Path, n_rows: int, seed: int = 7) -> Path:
    """``n_rows`` leads with :func:`_data.leads`' 30 columns and pools, written in chunks."""
    rng = np.random.default_rng(seed)
    headers = _data.leads(0)[0]
    pools = [_data.TITLES, _data.INDUSTRIES, _data.REGIONS, _data.SOURCES] + [[f"v{k}" for k in range(20)] + [None]] * 6
    start = np.datetime64("2025-01-01")
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    for part, first in enumerate(range(0, n_rows, CHUNK)):
        n = min(CHUNK, n_rows - first)
        cols: dict[str, object] = {}
        for i, pool in enumerate(pools):
            cols[headers[i]] = np.array(pool, dtype=object)[rng.integers(0, len(pool), n)]
        for i in range(12):
            num = np.floor(rng.random(n) * 1000)
            num[rng.random(n) < 0.05] = np.nan
            cols[headers[10 + i]] = num
        for i in range(4):
            cols[headers[22 + i]] = rng.random(n) < 0.3
        for i in range(4):
            days = start + rng.integers(0, 601, n).astype("timedelta64[D]")
            cols[headers[26 + i]] = pd.Series(days.astype("datetime64[us]")).where(rng.random(n) > 1 / 601)
        con.register("chunk", pd.DataFrame(cols))
        con.sql("SELECT * FROM chunk").write_parquet(str(folder / f"part-{part:04d}.parquet"))
        con.unregister("chunk")
    return folder


def book() -> BookInputs:
    rules = parse_rules(_data.rules(40))
    settings = read_settings([["As-of date", AS_OF]])
    coef = [["Term", "Variable", "Level", "Coef"], ["Intercept", "Intercept", None, -2.0],
            ["Job Title: VP Sales", "Job Title", "VP Sales", 0.9], ["Job Title: CEO", "Job Title", "CEO", 1.1],
            ["Job Title: Other", "Job Title", "Other", 0.2], ["Number 0", "Number 0", None, 0.001],
            ["Flag 0", "Flag 0", None, 0.4], ["Date 0", "Date 0", None, -0.002]]  # fmt: skip
    block = [["Variable", "Type", "Reference level", "Pooled into Other", "Counted as reference"],
             ["Job Title", "categories", "Analyst", "Intern; Engineer", None], ["Number 0", "number", None, None, None],
             ["Flag 0", "yes/no", None, None, None], ["Date 0", "date (age in days)", None, None, None]]  # fmt: skip
    return BookInputs(rules, settings, None, read_model(coef, None, block), to_serial(AS_OF))  # type: ignore[arg-type]


def core(folder: Path, inputs: BookInputs, n_rows: int | None = None) -> tuple[float, float, int]:
    """Seconds of the numpy core on the rows held in memory, peak bytes, rows (the first
    ``n_rows`` part files' rows only, when given)."""
    if n_rows is not None:
        part = folder.parent / "core-rows"
        part.mkdir(exist_ok=True)
        for f in sorted(folder.glob("*.parquet"))[: max(1, n_rows // CHUNK)]:
            shutil.copy(f, part / f.name)
        folder = part
    table = read_deals(folder, "8GB")  # typed columns, as the core holds them
    compiled = inputs.ruleset.bind(table.headers)
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        scores = compiled.score_table(table, inputs.settings.scoring, inputs.as_of)
        scores.grades()
        inputs.model.score(table, inputs.as_of)  # type: ignore[union-attr]
        seconds = time.perf_counter() - t0
    return seconds, mem.peak, len(table)


def duck(sources: Path, inputs: BookInputs, out: Path) -> tuple[float, float, int]:
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        rows = score_duckdb(sources, inputs, out).rows
        seconds = time.perf_counter() - t0
    out.unlink()
    return seconds, mem.peak, rows


def discard(sources: Path, inputs: BookInputs) -> tuple[float, float, int]:
    """Seconds and peak bytes of the query's outputs computed from Parquet and aggregated
    (nothing written): the scoring work without the Parquet writer."""
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        con = connect()
        relation = open_source(con, sources)
        schema = Schema.from_engine(zip(relation.columns, map(str, relation.types)))
        query = compile_query(inputs.ruleset, inputs.settings.scoring, schema, inputs.model, VIEW, inputs.as_of)
        relation.create_view(VIEW)
        sql = query.sql("duckdb", pretty=False)
        rows = con.sql(f"SELECT count(*), max(Score), count(Grade), count(Route), count(Matrix), max(Probability) "
                       f"FROM ({sql})").fetchall()[0][0]  # fmt: skip
        seconds = time.perf_counter() - t0
        con.close()
    return seconds, mem.peak, int(rows)


def load() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--stream-copies", type=int, default=4)
    parser.add_argument("--spark", action="store_true")
    parser.add_argument("--core-rows", type=int, default=None,
                        help="hold only the first N rows in memory for the core (when all N do not fit)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-sql-"))
    try:
        leads = write_leads(work / "leads", args.rows)
        inputs = book()
        gib = 2.0**30
        q_s, q_mem, n = discard(leads, inputs)
        print(f"S1 DuckDB query, {n:,} rows from Parquet into a discard: {n / q_s:,.0f} rows/s, peak {q_mem / gib:.2f} GiB"
              f" ({load()})")  # fmt: skip
        d_s, d_mem, d_n = duck(leads, inputs, work / "scored.parquet")
        print(f"S1 DuckDB leadscore score, {d_n:,} rows Parquet to Parquet: {d_n / d_s:,.0f} rows/s, "
              f"peak {d_mem / gib:.2f} GiB ({load()})")  # fmt: skip
        stream = work / "stream"
        for copy in range(args.stream_copies):
            shutil.copytree(leads, stream / f"copy={copy}")
        s_s, s_mem, s_n = duck(stream, inputs, work / "streamed.parquet")
        shutil.rmtree(stream)
        print(f"S2 {s_n:,} rows streamed from Parquet: {s_n / s_s:,.0f} rows/s, peak {s_mem / gib:.2f} GiB "
              f"(target < 2 GiB; {load()})")  # fmt: skip
        if args.spark:
            t0 = time.perf_counter()
            sp_n = score_spark(leads, inputs, work / "spark.parquet").rows
            sp_s = time.perf_counter() - t0
            print(f"S3 Spark local[*] {sp_n:,} rows: {sp_n / sp_s:,.0f} rows/s ({sp_s / d_s:.1f}x DuckDB's time; {load()})")
        c_s, c_mem, c_n = core(leads, inputs, args.core_rows)
        print(f"S1 core {c_n:,} rows in memory: {c_n / c_s:,.0f} rows/s (peak {c_mem / gib:.2f} GiB; {load()})")
        print(f"S1 ratio of throughputs DuckDB/core: query into a discard {(n / q_s) / (c_n / c_s):.2f}x, "
              f"leadscore score Parquet to Parquet {(d_n / d_s) / (c_n / c_s):.2f}x (target >= 1.0x)")  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
