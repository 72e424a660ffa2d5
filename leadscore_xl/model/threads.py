"""How many BLAS threads a fit may use.

On a busy machine (an Excel user's laptop, a shared server) OpenBLAS' default of one
thread per core makes each matrix product wait for the slowest thread: with one other
busy process on 2 cores, the benchmark fit (``tests/benchmarks/bench_model.py``, busy
case) is several times slower with the default threads than with one. The fits run
under :func:`limited_threads`, which caps the BLAS pools with ``threadpoolctl`` for the
duration of the fit and restores them afterwards. ``FIT_THREADS`` is what the benchmark
measured fastest.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

__all__ = ["FIT_THREADS", "limited_threads"]

FIT_THREADS = 1  # BLAS threads per fit: measured faster on a busy machine (see the module doc)


@contextmanager
def limited_threads() -> Iterator[None]:
    """BLAS limited to ``FIT_THREADS`` inside the block (None: leave the pools as they are)."""
    threads = FIT_THREADS
    controller = None if threads is None else _controller()
    if controller is None:
        yield
        return
    with controller.limit(limits=threads, user_api="blas"):
        yield


@cache
def _controller() -> Any:
    """threadpoolctl's view of the loaded BLAS libraries, found once (a scan takes tens of
    milliseconds; a limit on a known controller a fraction of one). numpy and scipy, whose
    BLAS the fits use, are loaded by then. None where threadpoolctl cannot look (e.g. a
    browser's Python without shared libraries): the fit then runs with the pools as they are."""
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController()
    except (ImportError, OSError):
        return None
