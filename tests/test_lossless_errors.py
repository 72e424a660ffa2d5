"""The error cases of the lossless refresh (issue 12): one line naming the file and the
fix, no traceback, and the original left byte-identical (no temporary file either).

The CLI runs in-process (``leadscore_xl.cli.main``), except for the signal case (a
subprocess killed while it saves). The full-disk cases use a real small tmpfs when this
process may mount one (root, outside a locked-down container) and otherwise make the
save's ``os.fsync`` fail with ENOSPC (what a full disk gives on a delayed-allocation file
system); the read-only folder is a real one: ``chmod`` without root, else ``chattr +i``,
else a read-only tmpfs. Each test says in its skip or failure which one ran.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus import CASES, TEMPLATE, build_corpus, template_data, xlsxwriter_book
from lossless_fixtures import parts

CORRUPT_PHRASE = re.compile(r"(cannot be opened|not a valid|is damaged|corrupt|broken)", re.I)
CORRUPT_FIX = re.compile(r"(save it|re-?save|repair|open it|restore)", re.I)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_corpus(tmp_path_factory.mktemp("books"), [c for c in CASES if c.name in ("xw_plain", "xw_vba")])


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    """Exit status, the ``leadscore:`` lines of stderr, and stdout with the notes of stderr."""
    from leadscore_xl.cli import main

    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException as exc:  # a traceback is the defect under test
        out = capsys.readouterr()
        pytest.fail(f"traceback instead of a message: {type(exc).__name__}: {exc}\n{out.err}", pytrace=False)
    out = capsys.readouterr()
    lines = [line for line in out.err.splitlines() if line.startswith("leadscore:")]
    notes = [line for line in out.err.splitlines() if line.startswith("note:")]
    return code, lines, "\n".join([out.out, *notes])


def assert_one_line(code: int, lines: list[str], *phrases: str | re.Pattern[str]) -> str:
    assert code == 1, lines
    assert len(lines) == 1, lines
    message = lines[0]
    assert "Traceback" not in message
    for phrase in phrases:
        if isinstance(phrase, re.Pattern):
            assert phrase.search(message), f"{phrase.pattern!r} not in {message!r}"
        else:
            assert phrase in message, f"{phrase!r} not in {message!r}"
    return message


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


# ---- corrupt packages --------------------------------------------------------------------------
def _rewrite(src: Path, dst: Path, edit: dict[str, bytes]) -> None:
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for name in z.namelist():
            out.writestr(name, edit.get(name, z.read(name)))


def _bad_deflate(src: Path, dst: Path) -> None:
    """Garble the middle of the Leads sheet's compressed stream (headers left valid)."""
    shutil.copy(src, dst)
    with zipfile.ZipFile(dst) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(dst.read_bytes())
    name_len, extra_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little"), \
        int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    middle = start + info.compress_size // 2
    data[middle:middle + 64] = b"\xff" * 64
    dst.write_bytes(bytes(data))


def make_corrupt(kind: str, src: Path, dst: Path) -> None:
    pkg = parts(src)
    if kind == "deflate":
        _bad_deflate(src, dst)
    elif kind == "content_types":
        _rewrite(src, dst, {"[Content_Types].xml": pkg["[Content_Types].xml"][:120]})
    elif kind == "sheet_cut":
        sheet = pkg["xl/worksheets/sheet1.xml"]
        _rewrite(src, dst, {"xl/worksheets/sheet1.xml": sheet[: len(sheet) // 2]})
    elif kind == "styles":
        _rewrite(src, dst, {"xl/styles.xml": b'<?xml version="1.0"?><styleSheet xmlns="http://schemas.'
                                             b'openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="1"><xf'})
    elif kind == "table_ref":
        table = re.sub(rb'ref="[^"]*"', b'ref="A1:ZZZZ0"', pkg["xl/tables/table1.xml"])
        _rewrite(src, dst, {"xl/tables/table1.xml": table})
    else:
        raise ValueError(kind)


@pytest.mark.parametrize("with_output", [False, True], ids=["in_place", "output"])
@pytest.mark.parametrize("kind", ["content_types", "deflate", "sheet_cut", "styles", "table_ref"])
def test_corrupt_package(books: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str,
                         with_output: bool) -> None:
    book = tmp_path / f"broken-{kind.replace('_', '-')}.xlsx"
    make_corrupt(kind, books["xw_plain"], book)
    before = snapshot(tmp_path)
    out = tmp_path / "out" / "refreshed.xlsx"
    argv = ["refresh", str(book), "-q"] + (["--output", str(out)] if with_output else [])
    code, lines, _ = run_cli(argv, capsys)
    assert_one_line(code, lines, book.name, CORRUPT_PHRASE, CORRUPT_FIX)
    assert snapshot(tmp_path) == before
    assert not out.exists()


# ---- a full disk -------------------------------------------------------------------------------
@contextlib.contextmanager
def small_filesystem(folder: Path, size: int) -> Iterator[bool]:
    """``folder`` as a tmpfs of ``size`` bytes if this process may mount one; yields whether it is."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = False
    if os.geteuid() == 0 and shutil.which("mount"):
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                                 capture_output=True).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _no_space(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fallback without a small file system: the save's fsync reports a full disk."""
    real = os.fsync

    def fsync(fd: int) -> None:
        real(fd)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)


NO_SPACE = re.compile(r"(no space|disk is full|full disk|space left|not enough space)", re.I)
SPACE_FIX = re.compile(r"(free|another (disk|folder|drive)|elsewhere|--output)", re.I)


def test_full_disk_in_place(books: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    size = books["xw_plain"].stat().st_size
    disk = tmp_path / "disk"
    with small_filesystem(disk, size + 48 * 1024) as real:
        if not real:
            _no_space(monkeypatch)
        book = shutil.copy(books["xw_plain"], disk / "pipeline.xlsx")
        before = snapshot(disk)
        code, lines, _ = run_cli(["refresh", str(book), "-q"], capsys)
        after = snapshot(disk)
    print("exercised:", "a real full tmpfs" if real else "os.fsync raising ENOSPC")
    assert_one_line(code, lines, "pipeline.xlsx", NO_SPACE, SPACE_FIX)
    assert after == before


def test_full_disk_output(books: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
                          monkeypatch: pytest.MonkeyPatch) -> None:
    book = shutil.copy(books["xw_plain"], tmp_path / "pipeline.xlsx")
    original = Path(book).read_bytes()
    disk = tmp_path / "disk"
    with small_filesystem(disk, 32 * 1024) as real:
        if not real:
            _no_space(monkeypatch)
        out = disk / "refreshed.xlsx"
        code, lines, _ = run_cli(["refresh", str(book), "-q", "--output", str(out)], capsys)
        left = sorted(p.name for p in disk.iterdir())
    print("exercised:", "a real full tmpfs" if real else "os.fsync raising ENOSPC")
    assert_one_line(code, lines, "refreshed.xlsx", NO_SPACE, SPACE_FIX)
    assert left == []
    assert Path(book).read_bytes() == original


# ---- bad output paths --------------------------------------------------------------------------
def _refresh_to(books: dict[str, Path], tmp_path: Path, out: Path, capsys: pytest.CaptureFixture[str]
                ) -> tuple[int, list[str], bytes, bytes]:
    book = Path(shutil.copy(books["xw_plain"], tmp_path / "pipeline.xlsx"))
    original = book.read_bytes()
    code, lines, _ = run_cli(["refresh", str(book), "-q", "--output", str(out)], capsys)
    return code, lines, original, book.read_bytes()


def test_output_is_a_directory(books: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results.xlsx"
    out.mkdir()
    code, lines, original, now = _refresh_to(books, tmp_path, out, capsys)
    assert_one_line(code, lines, "results.xlsx", re.compile(r"(folder|directory)", re.I),
                    re.compile(r"(file name|a file|path of a file|choose|give)", re.I))
    assert out.is_dir() and list(out.iterdir()) == []
    assert now == original


def test_output_under_a_file(books: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a folder\n")
    code, lines, original, now = _refresh_to(books, tmp_path, blocker / "refreshed.xlsx", capsys)
    assert_one_line(code, lines, "notes.txt", re.compile(r"(is a file|not a folder|not a directory)", re.I),
                    re.compile(r"(choose|another|give|rename|remove)", re.I))
    assert blocker.read_text() == "not a folder\n"
    assert now == original


@contextlib.contextmanager
def read_only_folder(folder: Path) -> Iterator[str]:
    """A folder nobody may write into, made as really as this process can; yields how."""
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield "chmod 0o555"
        finally:
            folder.chmod(0o755)
        return
    if shutil.which("chattr") and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        try:
            yield "chattr +i (root)"
        finally:
            subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
        return
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)],
                      capture_output=True).returncode == 0:
        try:
            yield "a read-only tmpfs (root)"
        finally:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        return
    pytest.skip("root here, and neither chattr +i nor a read-only mount is possible: a read-only folder "
                "cannot be made (root ignores mode bits)")


def test_output_in_read_only_folder(books: dict[str, Path], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    with read_only_folder(tmp_path / "shared") as how:
        assert not os.access(tmp_path / "shared", os.W_OK) or how.startswith(("chattr", "a read-only"))
        code, lines, original, now = _refresh_to(books, tmp_path, tmp_path / "shared" / "refreshed.xlsx", capsys)
        left = sorted(p.name for p in (tmp_path / "shared").iterdir())
    print("exercised:", how)
    assert_one_line(code, lines, "shared", re.compile(r"(read-only|not writable|cannot write|permission|denied)",
                                                      re.I), re.compile(r"(another folder|--output|permission)", re.I))
    assert left == []
    assert now == original


# ---- content -----------------------------------------------------------------------------------
def test_signed_vba_refreshes_in_place(books: dict[str, Path], tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    book = Path(shutil.copy(books["xw_vba"], tmp_path / "macros.xlsm"))
    before = parts(book)
    code, lines, out = run_cli(["refresh", str(book), "-q"], capsys)
    assert code == 0, lines
    assert "without macros" not in " ".join(lines)
    after = parts(book)
    for name in ("xl/vbaProject.bin", "xl/vbaProjectSignature.bin", "xl/_rels/vbaProject.bin.rels"):
        assert after[name] == before[name], name
    assert "saved" in out


def test_huge_deal_values_name_the_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = template_data()
    deals = data["Deals"]
    j = deals[0].index("Annual Revenue")
    top = max(r[j] for r in deals[1:] if isinstance(r[j], (int, float)))
    for r in deals[1:]:
        if isinstance(r[j], (int, float)):
            r[j] = r[j] / top * 1.5e308
    book = xlsxwriter_book(tmp_path / "huge.xlsx", data, frozenset())
    out = tmp_path / "huge-refreshed.xlsx"
    code, lines, stdout = run_cli(["refresh", str(book), "-q", "--output", str(out)], capsys)
    text = " ".join(lines) + " " + stdout  # the message, or the result line and the notes
    assert code in (0, 1), lines
    assert "Annual Revenue" in text, text
    assert re.search(r"\b(unit|units|thousands|millions|billions)\b", text, re.I), text
    if code == 0:
        import openpyxl

        wb = openpyxl.load_workbook(out, read_only=True, data_only=True)
        report = {r[0]: r[1] for r in wb["Report"].iter_rows(max_col=2, values_only=True) if r and r[0]}
        coefs = [r[3] for r in wb["Model"].iter_rows(min_row=2, max_col=4, values_only=True) if r[0]]
        wb.close()
        blank = not coefs or not all(isinstance(c, (int, float)) for c in coefs)
        claimed = "model fitted" in stdout or report.get("Model") == "fitted"
        assert not (blank and claimed), "'model fitted' while the Model sheet's coefficients are blank"
    else:
        assert_one_line(code, lines, "Annual Revenue")


# ---- a signal during the save ------------------------------------------------------------------
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_during_save_leaves_nothing(tmp_path: Path, signum: int) -> None:
    book = Path(shutil.copy(TEMPLATE, tmp_path / "big.xlsx"))  # 2,000 leads: a save long enough to hit
    original = book.read_bytes()
    code = "import sys; from leadscore_xl.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen([sys.executable, "-c", code, "refresh", str(book), "-q"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline, seen = time.monotonic() + 120, False
    while proc.poll() is None and time.monotonic() < deadline:
        if any(".leadscore-tmp" in p.name for p in tmp_path.iterdir()):
            proc.send_signal(signum)
            seen = True
            break
        time.sleep(0.0005)
    _, err = proc.communicate(timeout=60)
    assert seen, "the refresh ended before its temporary file appeared"
    assert proc.returncode != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.xlsx"], err.decode()
    assert book.read_bytes() == original
    assert "Traceback" not in err.decode()
