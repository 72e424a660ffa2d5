"""Results cached by the content of a range, the way Excel recalculation needs them.

Excel hands a function new Python objects on every call, so caches are keyed by
content. Python's ``==`` takes TRUE for 1 and FALSE for 0, which would let a Rules
range holding TRUE reuse the rules parsed from one holding 1: the key is therefore
the range serialised with its types (``marshal``, or ``pickle`` for datetimes).
"""

from __future__ import annotations

import marshal
import pickle
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

__all__ = ["ContentCache", "content_key"]

T = TypeVar("T")


def content_key(value: Any) -> bytes:
    """Bytes that differ whenever the values or their types differ."""
    try:
        return marshal.dumps(value)
    except ValueError:  # datetimes and other objects marshal cannot write
        return pickle.dumps(value, protocol=5)


class ContentCache(Generic[T]):
    """``make(value, *extra)`` computed once per distinct content (the oldest evicted)."""

    def __init__(self, make: Callable[..., T], size: int = 64) -> None:
        self._make = make
        self._size = size
        self._store: dict[tuple[bytes, tuple[Hashable, ...]], T] = {}

    def get(self, value: Any, *extra: Hashable) -> T:
        key = (content_key(value), extra)
        hit = self._store.get(key)
        if hit is None:
            hit = self._store[key] = self._make(value, *extra)
            if len(self._store) > self._size:
                del self._store[next(iter(self._store))]
        return hit
