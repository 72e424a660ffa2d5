"""A stand-in for the numeric core of leadscore_xl, for the Pyodide registration test.

numpy wheels for Pyodide cannot be fetched here, so the test runs the real function
module (udfs/, as ``leadscore_udfs``), the real ``leadscore_xl.errors`` and the real
xlwings, and replaces every other ``leadscore_xl`` module with this stub: each name is a
callable that echoes the first range it was given, answers NaN when an argument is the
text "nan", and raises the core's InputError (a message for the cell) when an argument
is the text "raise".
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any


def _flat(args: tuple[Any, ...]) -> list[Any]:
    out: list[Any] = []
    for a in args:
        if isinstance(a, list):
            out += _flat(tuple(a))
        else:
            out.append(a)
    return out


class Echo:
    def __init__(self, args: tuple[Any, ...]) -> None:
        from leadscore_xl.errors import InputError

        values = _flat(args)
        if "raise" in values:
            raise InputError(f"Stub core: {len(values)} values received, one of them the text \"raise\"")
        self.nan = "nan" in values
        self.rows = next((a for a in args if isinstance(a, list)), [[a for a in args]])

    def item(self) -> Any:
        return float("nan") if self.nan else self.rows[0][0]

    def __getattr__(self, name: str) -> Any:
        return lambda *a, **k: self.rows

    def __iter__(self) -> Any:
        return iter(())


class Stub:
    def __call__(self, *args: Any, **kwargs: Any) -> Echo:
        return Echo(args)

    def __iter__(self) -> Any:
        return iter(())

    def __getattr__(self, name: str) -> Any:
        return Stub()


class StubModule(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return Stub()


class StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name.startswith("leadscore_xl.") and name != "leadscore_xl.errors":
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec: Any) -> types.ModuleType:
        module = StubModule(spec.name)
        module.__path__ = []  # type: ignore[attr-defined]
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        pass


sys.meta_path.insert(0, StubFinder())
