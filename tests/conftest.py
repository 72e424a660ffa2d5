"""Shared fixtures. The xlwings harness is installed before any Excel function is imported."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import xlharness  # noqa: E402

xlharness.install()


@pytest.fixture(params=["classic", "lite"])
def harness_mode(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a harness test once as classic xlwings calls the functions and once as
    xlwings Lite does (tests/xlharness.py). Use with
    ``pytestmark = pytest.mark.usefixtures("harness_mode")``."""
    xlharness.MODE = request.param
    try:
        yield request.param
    finally:
        xlharness.MODE = "classic"
