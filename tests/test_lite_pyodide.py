"""leadscore_udfs in real Pyodide (the runtime of xlwings Lite) under Node.

The npm ``pyodide`` package (core only, tests/pyodide/package.json) runs the real
function module, the real ``leadscore_xl.errors`` and the xlwings and openpyxl wheels
from PyPI (downloaded here with ``pip download`` into tests/pyodide/wheels), with
xlwings' Office.js decorators as in Lite and xlwings' free "noncommercial" key (this
test only). numpy wheels for Pyodide cannot be fetched here, so the numeric core is
replaced by a stub (tests/pyodide/stub_core.py) that echoes its input, answers NaN or
raises the core's InputError on request. Checked: ``custom_functions_meta`` registers
every function with its parameters; JS values arrive as Lite delivers them (whole
numbers as int, null as a blank); calls round-trip values and messages, and NaN
reaches the cell as a blank.

Skipped where node or the npm package is absent; .ci/run installs both and sets
LEADSCORE_CI=1, which turns the skip into a failure.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import xlwings

import leadscore_udfs

ROOT = Path(__file__).parent.parent
FOLDER = ROOT / "tests" / "pyodide"
WHEELS = ("xlwings", "openpyxl", "et-xmlfile")


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (FOLDER / "node_modules" / "pyodide").is_dir():
        return "the npm package pyodide is not installed (npm ci in tests/pyodide)"
    return None


def _wheels() -> Path:
    """Pure-Python wheels from PyPI, cached between runs."""
    folder = FOLDER / "wheels"
    if not all(any(folder.glob(f"{name.replace('-', '_')}-*.whl")) for name in WHEELS):
        pins = [f"xlwings=={xlwings.__version__}", "openpyxl", "et-xmlfile"]
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                        "--platform", "any", "--python-version", "3.12", "-d", str(folder), *pins],
                       check=True, timeout=300)  # fmt: skip
    return folder


@pytest.fixture(scope="module")
def pyodide() -> dict:
    reason = _missing()
    if reason:
        if os.environ.get("LEADSCORE_CI"):
            pytest.fail(f"CI must run the Pyodide test, but {reason}")
        pytest.skip(reason)
    done = subprocess.run(["node", str(FOLDER / "run.mjs"), str(ROOT), str(_wheels())], cwd=FOLDER,
                          capture_output=True, text=True, timeout=180, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_custom_functions_meta_registers_every_function_with_its_parameters(pyodide: dict) -> None:
    assert pyodide["platform"] == "emscripten" and pyodide["openpyxl"]
    registered = {f["name"]: f["parameters"] for f in pyodide["meta"]}
    expected = {n: list(inspect.signature(getattr(leadscore_udfs, n)).parameters) for n in leadscore_udfs.__all__}
    assert json.loads(pyodide["all"]) == leadscore_udfs.__all__
    assert registered == expected


def test_values_arrive_as_lite_delivers_them(pyodide: dict) -> None:
    assert pyodide["types"][1] == ["str", "int", "float", "bool", "int"]  # 50 and the serial 46112 are ints
    assert pyodide["types"][2][1] in ("NoneType", "JsNull")  # a blank cell (JsNull from Pyodide 0.28)


def test_calls_round_trip_values_and_messages(pyodide: dict) -> None:
    assert pyodide["echo"] == [["Lead ID", "Employees", "Score", "Demo", "Created"],
                               ["L1", 50, 2.5, True, 46112], ["L2", "", -3, False, 46000.25]]  # fmt: skip
    assert pyodide["message"] == [['Stub core: 3 values received, one of them the text "raise"']]
    assert pyodide["nan"] == [[""]]  # NaN from the core is a blank cell, never #NUM!
