"""Adding floats the same way everywhere."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["add_up"]


def add_up(values: Iterable[float]) -> float:
    """Floats added left to right. Python 3.12's ``sum`` compensates and numpy's adds in
    pairs; every scoring path adds this way instead, so that LEADSCORE, LEADSCORES and
    LEADEXPLAIN agree to the last bit."""
    total = 0.0
    for v in values:
        total += v
    return total
