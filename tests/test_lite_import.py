"""The function module works without Windows: plain Python (Mac/Linux) and xlwings Lite.

Each check runs in a fresh interpreter (the test suite's conftest stubs Windows modules
for the classic-xlwings harness; here nothing is stubbed). An import hook refuses every
Windows-only module (pythoncom, pywintypes, win32com, winreg ...), so the module must
import and compute without them.

* Plain import: xlwings' non-Windows decorators; functions are called directly with
  values as xlwings Lite hands them over (dates as serial numbers).
* xlwings Lite: ``XLWINGS_ON_SERVER=true`` selects xlwings' Office.js decorators and call
  path, the one xlwings Lite and xlwings Server share. ``custom_functions_meta`` must
  register every function of ``leadscore_udfs.__all__`` and ``custom_functions_call``
  must give the core's values. That code path checks for an xlwings licence key, so the
  test sets xlwings' documented free "noncommercial" key for this subprocess only.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from leadscore_xl.rules import api
from leadscore_xl.sheet.dates import to_serial

AS_OF = dt.datetime(2026, 3, 31)
LEADS = [["Lead ID", "Job Title", "Demo Requested", "Last Activity Date"],
         ["L-1", "VP Sales", True, dt.datetime(2026, 3, 20)],
         ["L-2", "Student", False, dt.datetime(2025, 11, 2)],
         ["L-3", "Manager", True, dt.datetime(2026, 1, 15)]]  # fmt: skip
RULES = [["Rule", "Group", "Attribute", "Operator", "Value", "Points", "Half-life (days)", "Date attribute"],
         ["Senior", "Fit", "Job Title", "in", "VP Sales; CEO", 30, None, None],
         ["Student", "Fit", "Job Title", "=", "Student", "Disqualify", None, None],
         ["Demo", "Engagement", "Demo Requested", "=", True, 40, 30, "Last Activity Date"],
         ["Recent", "Engagement", "Last Activity Date", "within 30 days", None, 10, None, None]]  # fmt: skip
SETTINGS = [["Setting", "Value"], ["Cap Engagement", 40], ["As-of date", AS_OF]]

BLOCK = """
import importlib.abc, json, sys
BLOCKED = {"pythoncom", "pywintypes", "win32com", "win32api", "win32con", "win32gui", "winreg",
           "_winapi", "msvcrt", "comtypes", "pythonwin"}
class WindowsOnly(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (Windows-only)", name=name)
sys.meta_path.insert(0, WindowsOnly())
"""


def _lite(value: Any) -> Any:
    """Values as xlwings Lite delivers them: dates as serial numbers, 2-D lists."""
    if isinstance(value, list):
        return [_lite(v) for v in value]
    return to_serial(value) if isinstance(value, dt.datetime) else value


def _run(script: str, **env: str) -> Any:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("XLWINGS_", "PYTHONPATH"))}
    environment.update(env)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(BLOCK) + textwrap.dedent(script)],
                          capture_output=True, text=True, timeout=120, env=environment, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _expected() -> dict[str, Any]:
    """The core's values from the classic inputs (datetimes)."""
    scores = api.score_leads(LEADS, RULES, SETTINGS)
    return {
        "LEADSCORES": scores.to_rows(("Score", "Grade", "Route")),
        "LEADSCORE": api.lead_score([LEADS[1]], [LEADS[0]], RULES, SETTINGS),
        "LEADGRADE": api.grade_score(72, SETTINGS, "both"),
    }


def test_plain_import_needs_no_windows_module_and_gives_the_cores_values() -> None:
    args = json.dumps({"leads": _lite(LEADS), "rules": RULES, "settings": _lite(SETTINGS)})
    out = _run(f"""
        import leadscore_udfs as u
        a = json.loads({args!r})
        windows = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
        missing = [n for n in u.__all__ if not callable(getattr(u, n, None))]
        print(json.dumps({{
            "windows": windows, "missing": missing, "names": list(u.__all__),
            "LEADSCORES": u.LEADSCORES(a["leads"], a["rules"], a["settings"], None, "Score; Grade; Route"),
            "LEADSCORE": u.LEADSCORE([a["leads"][1]], [a["leads"][0]], a["rules"], a["settings"]),
            "LEADGRADE": u.LEADGRADE(72, a["settings"], "both"),
        }}))
    """)
    assert out["windows"] == [] and out["missing"] == []
    assert {"LEADSCORE", "LEADSCORES", "LEADGRADE", "LEADEXPLAIN", "LOGITFIT"} <= set(out["names"])
    expected = _expected()
    for name in ("LEADSCORES", "LEADSCORE", "LEADGRADE"):
        assert out[name] == expected[name], name
    assert expected["LEADSCORES"][1][2] == "Disqualified"  # the Disqualify rule took part


def test_xlwings_lite_registers_and_calls_every_function() -> None:
    args = json.dumps({"leads": _lite(LEADS), "rules": RULES, "settings": _lite(SETTINGS)})
    out = _run(f"""
        import asyncio, inspect
        import xlwings, leadscore_udfs as u, leadscore_udfs.lite as lite
        from xlwings.server import custom_functions_call, custom_functions_meta, custom_scripts_meta
        a = json.loads({args!r})
        meta = {{f["name"]: [p["name"] for p in f["parameters"]] for f in custom_functions_meta(u)["functions"]}}
        signatures = {{n: list(inspect.signature(getattr(u, n)).parameters) for n in u.__all__}}

        def call(name, *args):
            data = {{"func_name": name, "args": list(args), "version": xlwings.__version__,
                    "client": "Office.js", "runtime": "1.4", "culture_info_name": "en-US"}}
            return asyncio.run(custom_functions_call(data, u))

        print(json.dumps({{
            "windows": sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED),
            "meta": meta, "signatures": signatures, "scripts": [m["function_name"] for m in custom_scripts_meta(lite)],
            "LEADSCORES": call("LEADSCORES", a["leads"], a["rules"], a["settings"], [[None]], [["Score; Grade; Route"]]),
            "LEADSCORE": call("LEADSCORE", [a["leads"][1]], [a["leads"][0]], a["rules"], a["settings"]),
            "LEADGRADE": call("LEADGRADE", [[72]], a["settings"], [["both"]]),
        }}))
    """, XLWINGS_ON_SERVER="true", XLWINGS_LICENSE_KEY="noncommercial")
    assert out["windows"] == []
    assert {n: out["meta"].get(n) for n in out["signatures"]} == out["signatures"]
    assert out["scripts"] == ["refresh_scores"]  # the Refresh Scores button
    expected = _expected()
    assert out["LEADSCORES"] == expected["LEADSCORES"]
    assert out["LEADSCORE"] == [[expected["LEADSCORE"]]]
    assert out["LEADGRADE"] == [[expected["LEADGRADE"]]]


@pytest.mark.parametrize("value", [dt.datetime(2026, 3, 20), to_serial(dt.datetime(2026, 3, 20))])
def test_dates_as_serials_or_datetimes_score_alike(value: Any) -> None:
    lead = [["L-1", "VP Sales", True, value]]
    assert api.lead_score(lead, [LEADS[0]], RULES, SETTINGS) == api.lead_score([LEADS[1]], [LEADS[0]], RULES, SETTINGS)
