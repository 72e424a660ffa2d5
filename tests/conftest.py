"""Shared fixtures. The xlwings harness is installed before any Excel function is imported."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import xlharness  # noqa: E402

xlharness.install()
