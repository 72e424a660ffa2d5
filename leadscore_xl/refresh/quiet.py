"""Python warnings never reach the terminal: they become at most one note in words.

Libraries speak to programmers: openpyxl says "Data Validation extension is not
supported and will be removed", numpy prints "RuntimeWarning: overflow encountered in
matmul" with a source line. :func:`collected` records every warning raised inside it;
:func:`openpyxl_note` and :func:`numeric_note` say what they mean for the workbook, or
nothing when another message already says it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collected", "numeric_note", "openpyxl_note"]

# What openpyxl says it will not read (sheet extensions, drawings): it only reads the file;
# the save copies those parts as they are, so nothing is lost and nothing needs saying.
_NOT_READ = re.compile(r"^(?:.+ extension is not supported and will be removed|DrawingML support is incomplete)")

_FOR_PROGRAMMERS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning, ImportWarning, ResourceWarning)


@contextmanager
def collected() -> Iterator[list[warnings.WarningMessage]]:
    """Record the warnings raised inside the block (none is shown)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")  # once per place in the code: a loop cannot pile them up
        yield caught


def openpyxl_note(caught: list[warnings.WarningMessage], name: str) -> str | None:
    """One note for what openpyxl warned about while reading ``name``, or None."""
    other = dict.fromkeys(t for t in (str(w.message).strip().rstrip(".") for w in caught) if not _NOT_READ.match(t))
    return f"reading {name}, openpyxl said: {'; '.join(other)}" if other else None


def numeric_note(caught: list[warnings.WarningMessage]) -> str | None:
    """One note for numeric trouble (numpy's overflow, invalid value, divide by zero) and
    any other warning that escaped the results' own diagnostics, or None. Deprecation
    warnings speak to programmers, not to the person at the sheet: they are left out."""
    numeric = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    other = dict.fromkeys(str(w.message).strip().rstrip(".") for w in caught
                          if not issubclass(w.category, (RuntimeWarning, *_FOR_PROGRAMMERS))
                          and not _NOT_READ.match(str(w.message).strip()))  # fmt: skip
    parts = []
    if any("overflow" in m for m in numeric):
        parts.append("some numbers were too large to compute with (they overflowed): look for huge values such as "
                     "1e308 in the Deals and Leads columns, and use a larger unit (thousands, millions)")  # fmt: skip
    elif numeric:
        parts.append("some calculations had no defined result (a division by zero or an invalid value); results "
                     "built on them are left blank")  # fmt: skip
    if other:
        parts.append("; ".join(other))
    return "; ".join(parts) or None
