"""Session fixtures for the lossless-refresh tests: the corpus, made once, and every case
refreshed in place, with --output, and a second time (two worker processes: one refresh
takes about a second). Import the fixtures into a test module by name."""

from __future__ import annotations

import multiprocessing
import shutil
import traceback
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from corpus import CASES, Case, build_corpus


@dataclass(frozen=True)
class Refreshed:
    original: Path  # the corpus file, untouched
    in_place: Path  # a copy refreshed in place
    output: Path  # the --output result (the copy it came from is left alone)
    second: Path  # the in-place result refreshed once more
    errors: dict[str, str]  # "in_place" / "output" / "second": the refresh's error, if any

    def check(self, which: str) -> None:
        if which in self.errors:
            pytest.fail(f"the refresh ({which.replace('_', ' ')}) failed: {self.errors[which]}", pytrace=False)


def refresh_file(source: str, output: str | None) -> str | None:
    """One refresh through the Python API (what the CLI runs); the error as text, else None."""
    from leadscore_xl.refresh.book_file import open_book
    from leadscore_xl.refresh.run import RefreshOptions, refresh

    try:
        refresh(open_book(source, output), RefreshOptions())
    except Exception as exc:  # noqa: BLE001 - reported by the test that needs the result
        lines = traceback.format_exception_only(type(exc), exc)
        return "".join(lines).strip()
    return None


def _pipeline(case: str, original: Path, folder: Path) -> tuple[str, Refreshed]:
    name = original.name
    in_place, source, output, second = (folder / d / name for d in ("in_place", "source", "output", "second"))
    for path in (in_place, source, output, second):
        path.parent.mkdir(exist_ok=True)
    errors = {}
    shutil.copy2(original, in_place)
    shutil.copy2(original, source)
    if (e := refresh_file(str(in_place), None)) is not None:
        errors["in_place"] = e
    if (e := refresh_file(str(source), str(output))) is not None:
        errors["output"] = e
    if "in_place" not in errors:
        shutil.copy2(in_place, second)
        if (e := refresh_file(str(second), None)) is not None:
            errors["second"] = e
    else:
        errors["second"] = "no first refresh"
    return case, Refreshed(original, in_place, output, second, errors)


def _wanted(request: pytest.FixtureRequest) -> list[Case]:
    """The cases the selected tests use (all of them in a full run; fewer with -k)."""
    names = {item.callspec.params.get("case") for item in request.session.items if hasattr(item, "callspec")}
    return [c for c in CASES if c.name in names] or CASES


@pytest.fixture(scope="session")
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_corpus(tmp_path_factory.mktemp("corpus"), _wanted(request))


@pytest.fixture(scope="session")
def refreshed(corpus: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Refreshed]:
    folder = tmp_path_factory.mktemp("refreshed")
    import leadscore_xl.refresh.run  # noqa: F401 - imported once, before the workers fork

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        jobs = [pool.submit(_pipeline, case, path, folder) for case, path in corpus.items()
                if any(c.name == case for c in CASES)]
        return dict(job.result() for job in jobs)


def parts(path: Path) -> dict[str, bytes]:
    """Every part of a package, decompressed."""
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


CASE_NAMES = [c.name for c in CASES]
