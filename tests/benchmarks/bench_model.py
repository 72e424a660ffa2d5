"""P3: Deals sheet values -> coefficient table, against bare statsmodels on ready arrays.

Run by hand (not collected by pytest):  python tests/benchmarks/bench_model.py [rows]
(or ``... bench_model.py busy [rows]`` for the busy-neighbour case alone)

* P3: 1,000,000 x 20 raw sheet values (12 numeric, 4 text, 2 TRUE/FALSE, 1 date columns and
  the Won/Lost outcome) -> ``fit_logit(...).coef_rows()``, timed against
  ``Logit(y, X, check_rank=False).fit(disp=0)`` on the same design as ready float64 arrays.
  Target ratio <= 1.2.
* 100,000 x 30 with dummies (20 numeric, 10 text columns) from sheet values to the
  coefficient table: target < 1 s.
* Busy neighbour (issue 10 §7): 300,000 x 20, ``fit_logit`` with OpenBLAS' default threads
  against the fits' limit (``leadscore_xl.model.threads.FIT_THREADS``), and bare statsmodels
  with default threads against one, on a quiet machine and with another process spinning
  on one core (an Excel user's laptop is a busy machine).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sys
import time
import warnings
from contextlib import nullcontext

import numpy as np
from statsmodels.discrete.discrete_model import Logit

from leadscore_xl.model.fit import fit_logit

AS_OF = dt.datetime(2026, 3, 31)


def make_rows(n: int, n_num: int, n_text: int, n_bool: int, n_date: int, seed: int = 1) -> list[list[object]]:
    """Raw values as xlwings hands them over: floats, str, bool, datetime; header first."""
    rng = np.random.default_rng(seed)
    eta = np.full(n, -0.5)
    cols: list[list[object]] = []
    headers: list[str] = []
    for j in range(n_num):
        x = rng.normal(size=n)
        eta += 0.3 * x / (j + 1)
        cols.append(x.tolist())
        headers.append(f"Num{j}")
    for j in range(n_text):
        k = 4 + 2 * (j % 4)
        codes = rng.integers(0, k, n)
        eta += 0.2 * (codes == 1)
        labels = np.array([f"Level {c}" for c in range(k)], dtype=object)
        cols.append(labels[codes].tolist())
        headers.append(f"Text{j}")
    for j in range(n_bool):
        b = rng.random(n) < 0.4
        eta += 0.4 * b
        cols.append(b.tolist())
        headers.append(f"Flag{j}")
    for j in range(n_date):
        age = rng.integers(0, 365, n)
        eta -= age / 400
        days = [AS_OF - dt.timedelta(days=int(a)) for a in range(365)]
        cols.append([days[a] for a in age])
        headers.append(f"Created{j}")
    won = rng.random(n) < 1 / (1 + np.exp(-eta))
    cols.append(np.where(won, "Won", "Lost").tolist())
    headers.append("Outcome")
    return [headers] + [list(r) for r in zip(*cols)]


def timed(f, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def p3(n: int) -> None:
    rows = make_rows(n, 12, 4, 2, 1)
    result = fit_logit(rows, "Outcome", as_of=AS_OF, min_level_count=1)
    X = np.ascontiguousarray(result_design(rows, result))
    y = np.array([r[-1] == "Won" for r in rows[1:]], dtype=float)

    def bare() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Logit(y, X, check_rank=False).fit(disp=0)

    bare()  # warm both up first (BLAS threads, page faults), then take the best of two
    ours = timed(lambda: fit_logit(rows, "Outcome", as_of=AS_OF, min_level_count=1).coef_rows(), repeat=2)
    base = timed(bare, repeat=2)
    print(f"P3 {n:,} rows x {len(rows[0])} columns -> {X.shape[1]} terms ({result.method}, "
          f"{result.estimate.iterations} iterations)")
    print(f"   sheet values -> coefficient table: {ours:7.2f} s")
    print(f"   bare Logit(check_rank=False).fit(): {base:7.2f} s on ready arrays")
    print(f"   ratio {ours / base:.2f} (target <= 1.2)")
    parts = breakdown(rows)
    print("   breakdown: " + ", ".join(f"{k} {v:.2f} s ({v / base:.2f}x)" for k, v in parts.items()))


def breakdown(rows: list[list[object]], repeat: int = 2) -> dict[str, float]:
    """Best-of times of the phases of fit_logit, each from a fresh Table (columns are cached)."""
    from leadscore_xl.sheet.dates import resolve_as_of
    from leadscore_xl.model.design import build_design, drop_redundant
    from leadscore_xl.model.estimate import estimate
    from leadscore_xl.model.fit import model_options
    from leadscore_xl.sheet.table import read_table

    opts, serial = model_options("Outcome", min_level_count=1), resolve_as_of(AS_OF)
    best: dict[str, float] = {}
    for _ in range(repeat):
        t0 = time.perf_counter()
        table = read_table(rows, "Deals")
        for i in range(len(table.headers)):
            table.column(i)
        t1 = time.perf_counter()
        design, _ = drop_redundant(build_design(table, opts, serial))
        t2 = time.perf_counter()
        estimate(design.X, design.y, [t.name for t in design.terms])
        t3 = time.perf_counter()
        for key, value in (("columns", t1 - t0), ("design", t2 - t1), ("estimate", t3 - t2)):
            best[key] = min(best.get(key, float("inf")), value)
    return best


def result_design(rows: list[list[object]], result) -> np.ndarray:
    """The same design as ready arrays (built here from the result's terms, outside the timing)."""
    from leadscore_xl.sheet.table import read_table

    table = read_table(rows, "Deals")
    X = np.ones((len(table), len(result.terms)))
    for j, term in enumerate(result.terms[1:], start=1):
        col = table.column(term.variable)
        if term.level is not None:
            X[:, j] = [v == term.level for v in map(col.value, range(len(table)))]
        elif col.kind.value == "date":
            X[:, j] = result.as_of - col.num
        else:
            X[:, j] = col.num
    return X


def p3b(n: int = 100_000) -> None:
    rows = make_rows(n, 20, 10, 0, 0, seed=2)
    t = timed(lambda: fit_logit(rows, "Outcome", min_level_count=1).coef_rows(), repeat=3)
    print(f"100k x 30 with dummies ({n:,} rows, 20 numeric + 10 text columns): {t:.2f} s (target < 1 s)")


def _spin() -> None:
    while True:
        pass


def busy_neighbour(n: int = 300_000) -> None:
    """Default BLAS threads against the fits' limit, quiet and with a busy neighbour process."""
    from threadpoolctl import threadpool_limits

    from leadscore_xl.model import threads

    rows = make_rows(n, 12, 4, 2, 1)
    limit = threads.FIT_THREADS
    result = fit_logit(rows, "Outcome", as_of=AS_OF, min_level_count=1)
    X = np.ascontiguousarray(result_design(rows, result))
    y = np.array([r[-1] == "Won" for r in rows[1:]], dtype=float)

    def ours(fit_threads: int | None) -> float:
        threads.FIT_THREADS = fit_threads
        try:
            return timed(lambda: fit_logit(rows, "Outcome", as_of=AS_OF, min_level_count=1).coef_rows(), repeat=2)
        finally:
            threads.FIT_THREADS = limit

    def bare(one: bool) -> float:
        def fit() -> None:
            with threadpool_limits(1, user_api="blas") if one else nullcontext(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                Logit(y, X, check_rank=False).fit(disp=0)
        return timed(fit, repeat=2)

    print(f"Busy neighbour: {n:,} rows x {len(rows[0])} columns -> {X.shape[1]} terms; fit threads = {limit}")
    for label in ("quiet", "busy neighbour"):
        neighbour = None
        if label != "quiet":
            neighbour = multiprocessing.Process(target=_spin, daemon=True)
            neighbour.start()
        try:
            times = {"fit_logit, default threads": ours(None), f"fit_logit, {limit} thread(s)": ours(limit),
                     "bare Logit, default threads": bare(False), "bare Logit, 1 thread": bare(True)}  # fmt: skip
        finally:
            if neighbour is not None:
                neighbour.terminate()
                neighbour.join()
        base = times["bare Logit, default threads"]
        print(f"   {label}: " + ", ".join(f"{k} {v:.2f} s ({v / base:.2f}x)" for k, v in times.items()))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "busy":
        busy_neighbour(int(sys.argv[2]) if len(sys.argv) > 2 else 300_000)
        sys.exit()
    p3b()
    p3(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
