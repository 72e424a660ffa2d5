"""Call our Excel functions the way xlwings' Windows COM server does, without Excel.

* The Windows-only modules that ``xlwings.udfs`` imports (pythoncom, pywintypes,
  win32com) are stubbed, so that xlwings' real ``xlfunc/xlarg/xlret`` decorators run and
  record the same ``__xlfunc__`` metadata they record on Windows.
* A stand-in "excel" engine cleans values the way ``xlwings._xlwindows`` does: blanks ->
  None, COM time -> datetime, COM error codes -> None (or "#N/A" with err_to_str), and
  on the way out None/NaN -> "".
* :func:`call` follows ``xlwings.udfs.call_udf``: a missing argument takes the Python
  default, every argument goes through ``xlwings.conversion.read`` with the options the
  decorators recorded, and the result through ``xlwings.conversion.write``.

Lite mode (``MODE = "lite"``, set per test by the ``harness_mode`` fixture of
tests/conftest.py) calls the same functions the way xlwings Lite does, through xlwings'
own Office.js code path (``xlwings.server.custom_functions_call``), on a second copy of
``leadscore_udfs`` decorated by xlwings' Office.js decorators (:func:`lite_udfs`):

* in: whole numbers arrive as ``int`` (Pyodide turns a whole JS number into an int),
  dates as serial numbers, blank cells as None and error cells as Office.js' error
  objects (which xlwings turns into None); every argument is a 2-D list, an omitted one
  is null and gets its Python default;
* out: what Excel shows, as text for error cells: a NaN becomes ``#NUM!`` (which fails
  the test: a cell gets a blank or a message instead), a string that is an error's text
  becomes that error (``"#N/A"``), an exception ``#VALUE!``.

xlwings' Office.js modules need a licence key: tests use xlwings' free
``noncommercial`` key (set here, for the test process only).

Import this module before ``leadscore_udfs`` (tests/conftest.py does).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import importlib.util
import math
import os
import sys
import types
from pathlib import Path
from typing import Any

MISSING = -2147352572  # what COM passes for an omitted optional argument
COM_ERRORS = {
    "#DIV/0!": -2146826281, "#N/A": -2146826246, "#NAME?": -2146826259, "#NULL!": -2146826288,
    "#NUM!": -2146826252, "#REF!": -2146826265, "#VALUE!": -2146826273,
}  # fmt: skip
_CELL_ERRORS = {code: text for text, code in COM_ERRORS.items()}
OFFICE_ERRORS = {"#DIV/0!": "Div0", "#N/A": "NotAvailable", "#NAME?": "Name", "#NULL!": "Null",
                 "#NUM!": "Num", "#REF!": "Ref", "#VALUE!": "Value"}  # fmt: skip
_ERROR_TEXT = {kind: text for text, kind in OFFICE_ERRORS.items()}
MODE = "classic"  # or "lite": how call() delivers values (see the module docstring)


class ComTime(dt.datetime):
    """Stand-in for pywintypes.TimeType (a datetime subclass carrying a UTC tzinfo)."""


def _stub_windows_modules() -> None:
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None  # type: ignore[attr-defined]
    pywintypes = types.ModuleType("pywintypes")
    pywintypes.TimeType = ComTime  # type: ignore[attr-defined]
    pywintypes.IID = lambda s: s  # type: ignore[attr-defined]
    win32com = types.ModuleType("win32com")
    client = types.ModuleType("win32com.client")
    client.Dispatch = lambda *a, **k: None  # type: ignore[attr-defined]
    win32com.client = client  # type: ignore[attr-defined]
    for name, module in (("pythoncom", pythoncom), ("pywintypes", pywintypes),
                         ("win32com", win32com), ("win32com.client", client)):  # fmt: skip
        sys.modules.setdefault(name, module)


class StandInExcelEngine:
    """The value cleaning of ``xlwings._xlwindows.Engine``, without COM."""

    name = "excel"
    type = "desktop"

    @staticmethod
    def _clean(value: Any, datetime_builder: Any, empty_as: Any, number_builder: Any, err_to_str: bool) -> Any:
        if value in ("", None):
            return empty_as
        if isinstance(value, (dt.date, dt.datetime)):
            return datetime_builder(
                month=value.month, day=value.day, year=value.year,
                hour=getattr(value, "hour", 0), minute=getattr(value, "minute", 0),
                second=getattr(value, "second", 0), microsecond=getattr(value, "microsecond", 0),
                tzinfo=None,
            )  # fmt: skip
        if number_builder is not None and isinstance(value, float):
            return number_builder(value)
        if isinstance(value, int) and not isinstance(value, bool) and value in _CELL_ERRORS:
            return _CELL_ERRORS[value] if err_to_str else None
        return value

    def clean_value_data(self, data: Any, datetime_builder: Any, empty_as: Any,
                         number_builder: Any, err_to_str: bool) -> list[list[Any]]:  # fmt: skip
        return [[self._clean(c, datetime_builder, empty_as, number_builder, err_to_str) for c in row]
                for row in data]  # fmt: skip

    @staticmethod
    def prepare_xl_data_element(x: Any, date_format: Any) -> Any:
        if isinstance(x, float) and math.isnan(x):
            return ""
        if x is None:
            return ""
        if hasattr(x, "item") and not isinstance(x, (str, dt.date)):
            return x.item()
        return x


def install() -> None:
    """Stub Windows modules, swap in xlwings' real Windows decorators, add the engine."""
    _stub_windows_modules()
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # xlwings' free key, tests only
    import xlwings
    import xlwings.udfs as xludfs
    from xlwings.main import Engine

    xlwings.func, xlwings.arg, xlwings.ret = xludfs.xlfunc, xludfs.xlarg, xludfs.xlret
    xlwings.sub = xludfs.xlsub
    if "excel" not in [e.name for e in xlwings.engines]:
        xlwings.engines.add(Engine(impl=StandInExcelEngine()))


def com_value(value: Any) -> Any:
    """A Python value as COM hands it over: 2-D lists become tuples of tuples,
    datetimes become COM times, and "#N/A"-style strings become COM error codes."""
    if isinstance(value, list):
        if value and isinstance(value[0], list):
            return tuple(tuple(com_value(c) for c in row) for row in value)
        return tuple(com_value(c) for c in value)
    if isinstance(value, dt.datetime):
        return ComTime(value.year, value.month, value.day, value.hour, value.minute, value.second)
    if isinstance(value, dt.date):
        return ComTime(value.year, value.month, value.day)
    if isinstance(value, str) and value in COM_ERRORS:
        return COM_ERRORS[value]
    return value


def call(func: Any, *raw_args: Any) -> Any:
    """Call an Excel function as the current :data:`MODE` does; return what Excel gets."""
    return lite_call(func, *raw_args) if MODE == "lite" else classic_call(func, *raw_args)


def classic_call(func: Any, *raw_args: Any) -> Any:
    """Call an Excel function as ``xlwings.udfs.call_udf`` does; return what Excel gets.

    Pass ``MISSING`` for an omitted argument. Raw arguments are converted with
    :func:`com_value` first, as COM would deliver them.
    """
    from xlwings import conversion

    info = func.__xlfunc__
    args_info = info["args"]
    args = []
    for i, raw in enumerate(raw_args):
        arg_info = args_info[min(i, len(args_info) - 1)]
        if isinstance(raw, int) and not isinstance(raw, bool) and raw == MISSING:
            args.append(arg_info.get("optional", None))
        else:
            args.append(conversion.read(None, com_value(raw), arg_info["options"]))
    for arg_info in args_info[len(raw_args):]:
        args.append(arg_info.get("optional", None))
    result = func(*args)
    return conversion.write(result, None, info["ret"]["options"])


_LITE: list[types.ModuleType] = []


def lite_udfs() -> types.ModuleType:
    """``leadscore_udfs`` as xlwings Lite registers it: a second copy of the package
    (``leadscore_udfs_lite``, with its ``lite`` module of the Refresh Scores script)
    imported while ``xw.func/arg/ret/script`` are xlwings' Office.js decorators, as they
    are in Lite. It shares the core with the first copy."""
    if not _LITE:
        import xlwings
        import xlwings.server as server

        import leadscore_udfs

        folder = Path(leadscore_udfs.__file__).parent
        spec = importlib.util.spec_from_file_location("leadscore_udfs_lite", folder / "__init__.py",
                                                      submodule_search_locations=[str(folder)])  # fmt: skip
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        saved = xlwings.func, xlwings.arg, xlwings.ret, xlwings.script
        xlwings.func, xlwings.arg, xlwings.ret, xlwings.script = server.func, server.arg, server.ret, server.script
        try:
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
            module.lite = importlib.import_module(f"{spec.name}.lite")  # type: ignore[attr-defined]
        finally:
            xlwings.func, xlwings.arg, xlwings.ret, xlwings.script = saved
        _LITE.append(module)
    return _LITE[0]


def lite_value(value: Any) -> Any:
    """One cell as xlwings Lite hands it to Python: whole numbers as int, dates as serial
    numbers (int at midnight), an error's text as an Office.js error object."""
    from leadscore_xl.sheet.dates import to_serial

    if isinstance(value, (dt.date, dt.datetime)):
        value = to_serial(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value in OFFICE_ERRORS:
        return {"type": "Error", "basicValue": value, "errorType": OFFICE_ERRORS[value]}
    if hasattr(value, "item") and not isinstance(value, str):
        return lite_value(value.item())
    return value


def lite_arg(raw: Any) -> Any:
    """An argument as Office.js passes it to a matrix parameter: a 2-D list (a 1-D list is
    one row), or None when omitted."""
    if isinstance(raw, int) and not isinstance(raw, bool) and raw == MISSING:
        return None
    if isinstance(raw, (list, tuple)):
        rows = [raw] if not raw or not isinstance(raw[0], (list, tuple)) else raw
        return [[lite_value(c) for c in row] for row in rows]
    return [[lite_value(raw)]]


def _shown(value: Any) -> Any:
    """A result cell as Excel shows it: an Office.js error object as its text."""
    if isinstance(value, dict):
        return _ERROR_TEXT.get(value.get("errorType"), value.get("basicValue"))
    return value


def lite_call(func: Any, *raw_args: Any) -> Any:
    """Call an Excel function as xlwings Lite does (``custom_functions_call``)."""
    import xlwings
    from xlwings.server import custom_functions_call

    module = lite_udfs()
    name = func.__name__
    n_params = len(getattr(module, name).__xlfunc__["args"])
    args = [lite_arg(a) for a in raw_args] + [None] * (n_params - len(raw_args))
    data = {"func_name": name, "args": args, "version": xlwings.__version__, "client": "Office.js",
            "runtime": "1.4", "culture_info_name": "en-US", "date_format": "yyyy-mm-dd"}  # fmt: skip
    try:
        out = asyncio.run(custom_functions_call(data, module))
    except Exception:  # noqa: BLE001 - Excel shows #VALUE! for an exception
        return [["#VALUE!"]]
    shown = [[_shown(v) for v in row] for row in out]
    assert all(v != "#NUM!" for row in shown for v in row), f"{name} gave #NUM! (a NaN reached a cell): {shown}"
    return shown


def call1(func: Any, *raw_args: Any) -> Any:
    """:func:`call` for a function returning one value: the single cell Excel shows."""
    out = call(func, *raw_args)
    assert isinstance(out, list) and len(out) == 1 and len(out[0]) == 1, out
    return out[0][0]
