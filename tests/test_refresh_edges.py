"""Refresh edge cases that real workbooks hit (issue 17): formatted empty rows below a
plain-range Leads sheet, files that are not plain workbooks, stray Python warnings and an
early Ctrl-C. Formula literals over 255 characters are tested in test_formula_limits.py."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.styles import Border, Side

from leadscore_xl import cli
from leadscore_xl.refresh.book_file import open_book
from leadscore_xl.refresh.run import RefreshOptions, refresh
from test_refresh import NOW
from test_refresh_support import LEAD_HEADER, RULES, SETTINGS, build_workbook, deal_rows, lead_rows, save

THIN = Border(bottom=Side(style="thin"))
INTERNAL = re.compile(r"\binternal\s*(?::|error|bug)", re.IGNORECASE)  # "Internal: ...", "internal error"


def _plain_leads(n: int) -> openpyxl.Workbook:
    """The fixture workbook with Leads as a plain range (no Excel table) of ``n`` leads."""
    wb = build_workbook(lead_rows(n))
    del wb["Leads"].tables["Leads"]
    return wb


def _values(ws: Any, header: str) -> dict[int, Any]:
    """Row -> value of a Leads column, over the cells the file holds (never ws.max_row,
    which would create a cell for every row down to a styled T1048576)."""
    col = next(c for (r, c), cell in ws._cells.items() if r == 1 and cell.value == header)
    return {r: cell.value for (r, c), cell in ws._cells.items() if c == col and r > 1 and cell.value is not None}


# ---- 1. formatted empty rows below a plain range -------------------------------------------
def test_formatted_empty_rows_below_a_plain_range_are_not_leads(tmp_path: Path) -> None:
    """Borders on rows 42-200 below 40 leads, and one styled cell at T1048576: the data
    ends at row 41, the last row holding a value. Today: "Internal: 40 values for the 199
    rows of the Leads table". The refresh touches only the cells the file holds (no cell is
    made for the empty rows), so its memory follows the data, not the used range."""
    from leadscore_xl.rules import api

    wb = _plain_leads(40)
    ws = wb["Leads"]
    for r in range(42, 201):
        for c in range(1, len(LEAD_HEADER) + 1):
            ws.cell(r, c).border = THIN
    ws["T1048576"].border = THIN
    src = save(wb, tmp_path / "book.xlsx")
    book = open_book(src, tmp_path / "out.xlsx")
    held = len(book.wb["Leads"]._cells)
    result = refresh(book, RefreshOptions(now=NOW))
    assert (result.leads, result.scored) == (40, 40)
    outputs = 6  # Score, Grade, Route, Reasons, Probability, Scored at: header + 40 rows each
    assert len(book.wb["Leads"]._cells) <= held + outputs * 41
    out = openpyxl.load_workbook(tmp_path / "out.xlsx")["Leads"]
    scores = _values(out, "Score")
    assert sorted(scores) == list(range(2, 42))  # nothing written on the formatted rows
    expected = api.score_leads([LEAD_HEADER] + lead_rows(40), RULES, SETTINGS).column("Score")
    assert [scores[r] for r in range(2, 42)] == pytest.approx(expected)
    assert out["A150"].border.bottom.style == "thin" and out["T1048576"].border.bottom.style == "thin"


def test_no_message_of_the_package_says_internal() -> None:
    """Every message is for the person at the sheet: none may call itself "Internal"."""
    root = Path(__file__).resolve().parents[1]
    hits = [f"{p.relative_to(root)}:{i}" for folder in ("leadscore_xl", "udfs", "workbook")
            for p in sorted((root / folder).rglob("*.py"))
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
            if INTERNAL.search(line)]  # fmt: skip
    assert hits == []


# ---- 3. files that are not plain workbooks ------------------------------------------------
def _encrypted(path: Path) -> Path:
    """A real password-protected .xlsx (an OLE compound file), encrypted by msoffcrypto-tool."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = save(build_workbook(), path.with_name("plain.xlsx"))
    with plain.open("rb") as source, path.open("wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    return path


def _old_xls(path: Path) -> Path:
    """A real Excel 97-2003 workbook (written by xlwt), under whatever name ``path`` has."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Leads")
    for j, header in enumerate(LEAD_HEADER):
        sheet.write(0, j, header)
    book.save(str(path))
    return path


def _csv(path: Path) -> Path:
    path.write_text(",".join(LEAD_HEADER) + "\nL-1,Acme,VP Sales,250,Referral,TRUE,2,2026-03-01\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (_encrypted, "book.xlsx", "book.xlsx is encrypted with a password, and an encrypted workbook cannot be read "
         "without Excel; open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with "
         "Password: clear it), save, and refresh again"),
        (_old_xls, "book.xlsx", "book.xlsx is an Excel 97-2003 workbook (the old .xls format), not an .xlsx; open it "
         "in Excel or LibreOffice and save it as an Excel Workbook (.xlsx), then refresh that file"),
        (_old_xls, "book.xls", "book.xls is an Excel 97-2003 workbook (the old .xls format), not an .xlsx; open it "
         "in Excel or LibreOffice and save it as an Excel Workbook (.xlsx), then refresh that file"),
        (_csv, "leads.xlsx", "leads.xlsx is a CSV text file, not an Excel workbook; open it in Excel and save it as "
         ".xlsx, or use `leadscore new BOOK.xlsx --leads leads.xlsx`"),
        (_csv, "leads.csv", "leads.csv is a CSV text file, not an Excel workbook; open it in Excel and save it as "
         ".xlsx, or use `leadscore new BOOK.xlsx --leads leads.csv`"),
    ],
)  # fmt: skip
def test_files_that_are_not_plain_workbooks_get_their_own_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                 make: Any, name: str, message: str) -> None:  # fmt: skip
    """Today all of them say "File is not a zip file"."""
    from leadscore_xl import cli

    src = make(tmp_path / name)
    before = src.read_bytes()
    assert cli.main(["refresh", str(src), "-q", "-o", str(tmp_path / f"out{src.suffix}")]) == 1
    assert capsys.readouterr().err == f"leadscore: {message}\n"
    assert src.read_bytes() == before


# ---- 5. Ctrl-C at any moment -------------------------------------------------------------------
def _cpu_seconds(pid: int) -> float:
    """CPU time the process has used (Linux /proc/PID/stat: utime + stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.fixture(scope="module")
def big_book(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A workbook whose refresh takes several CPU seconds (4,000 leads, 3,000 deals: about
    4 s, so that the last moment below falls before the save)."""
    return save(build_workbook(lead_rows(4000), deal_rows(3000)), tmp_path_factory.mktemp("big") / "big.xlsx").read_bytes()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process's CPU time from /proc")
@pytest.mark.parametrize("moment", [0.1, 0.3, 0.6, 1.2, 2.0])
def test_ctrl_c_at_any_moment_exits_130_with_one_line(tmp_path: Path, big_book: bytes, moment: float) -> None:
    """The real ``leadscore`` command, interrupted ``moment`` seconds after its start: during
    the imports (0.1 s: today a KeyboardInterrupt traceback and exit -2), while reading,
    fitting, writing. The moment is counted in the child's own CPU time as well as the
    wall clock, so that it falls at the same point of the program on a loaded machine."""
    exe = Path(sys.executable).with_name("leadscore")
    if not exe.exists():
        pytest.skip("the leadscore command is not installed next to this Python")
    src = tmp_path / "book.xlsx"
    src.write_bytes(big_book)
    before = big_book
    start = time.monotonic()
    child = subprocess.Popen([str(exe), "refresh", str(src), "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)  # fmt: skip
    while child.poll() is None and (time.monotonic() - start < moment or _cpu_seconds(child.pid) < moment):
        time.sleep(0.002)
    if child.poll() is not None:
        pytest.fail(f"the refresh ended before {moment} s: {child.communicate()}")
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert (child.returncode, out) == (130, "")
    assert err in ("leadscore: interrupted; nothing was changed\n", f"leadscore: interrupted; {src} was not changed\n")
    assert src.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


# ---- 4. no Python warning reaches the terminal ---------------------------------------------------
EXT_VALIDATION = "{CCE6A557-97BC-4B89-ADB6-D9C93CAAB3DF}"  # x14 data validation (lists on other sheets)
EXT_UNKNOWN = "{0A1B2C3D-4E5F-4061-8293-A4B5C6D7E8F9}"  # an extension neither openpyxl nor we know


def _with_extensions(src: Path, uris: list[str]) -> Path:
    """``src`` with worksheet extensions (extLst) added to its Leads sheet, as Excel writes them."""
    ext = "".join(f'<ext uri="{u}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"/>'
                  for u in uris)  # fmt: skip
    out = src.with_name(f"ext-{src.name}")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":  # Leads, the first sheet
                data = data.replace(b"</worksheet>", f"<extLst>{ext}</extLst></worksheet>".encode())
            zout.writestr(item, data)
    return out


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a fresh interpreter, with Python's default warning filters."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHONWARNINGS")}
    code = "import sys; from leadscore_xl.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300)


def _assert_no_python_warning(stderr: str) -> None:
    assert "Warning" not in stderr and "warn(" not in stderr and "  File " not in stderr
    assert all(line.startswith(("note: ", "leadscore: ")) for line in stderr.splitlines()), stderr


def test_openpyxl_warnings_become_at_most_one_note(tmp_path: Path) -> None:
    """Before: "UserWarning: Data Validation extension is not supported and will be removed"
    and "Unknown extension ...", each with openpyxl's source line. openpyxl only reads the
    file now and the save keeps both extensions, so there is nothing to say."""
    src = _with_extensions(save(build_workbook(), tmp_path / "book.xlsx"), [EXT_VALIDATION, EXT_UNKNOWN])
    done = _cli("refresh", str(src), "-q", "--as-of", "2026-03-31", "-o", str(tmp_path / "out.xlsx"))
    assert done.returncode == 0, done.stderr
    _assert_no_python_warning(done.stderr)
    assert "openpyxl" not in done.stderr and "extension" not in done.stderr
    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert EXT_VALIDATION in sheet and EXT_UNKNOWN in sheet


def test_numeric_overflow_warnings_become_one_note(tmp_path: Path) -> None:
    """Deals with sizes of +-1e308: today numpy prints "RuntimeWarning: overflow encountered
    in matmul" with the source line, several times. Now one note in words."""
    deals = deal_rows(300)
    for i, row in enumerate(deals):
        row[2] = 1e308 if i % 2 else -1e308
    src = save(build_workbook(deals=deals), tmp_path / "book.xlsx")
    done = _cli("refresh", str(src), "-q", "--as-of", "2026-03-31", "-o", str(tmp_path / "out.xlsx"))
    assert done.returncode in (0, 1), done.stderr
    _assert_no_python_warning(done.stderr)
    assert sum("overflow" in line for line in done.stderr.splitlines()) <= 1


def test_a_ctrl_c_that_a_library_swallows_still_stops_the_save(tmp_path: Path, big_book: bytes,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A SIGINT can land in a library's bare ``except`` (an import of lxml or _hashlib, say):
    the KeyboardInterrupt is lost there, but the command remembers the signal and does not save."""
    from leadscore_xl.refresh import book_file

    src = tmp_path / "book.xlsx"
    src.write_bytes(big_book)
    real = book_file.load

    def swallowing(*args: object, **kwargs: object) -> object:
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
        except KeyboardInterrupt:  # what such a library does
            pass
        return real(*args, **kwargs)

    monkeypatch.setattr(book_file, "load", swallowing)
    assert cli.main(["refresh", str(src), "-q"]) == 130
    assert src.read_bytes() == big_book
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_a_ctrl_c_after_the_save_lets_the_command_finish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Once the file is replaced, the work is done: a Ctrl-C then must not report that the
    workbook was not changed (it was, completely)."""
    from leadscore_xl.refresh import book_file

    src = save(build_workbook(), tmp_path / "book.xlsx")
    before = src.read_bytes()
    real = book_file.FileBook.save

    def save_then_interrupt(self: book_file.FileBook) -> None:
        real(self)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)

    monkeypatch.setattr(book_file.FileBook, "save", save_then_interrupt)
    assert cli.main(["refresh", str(src), "-q"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("Scored ") and "interrupted" not in out.err
    assert src.read_bytes() != before and openpyxl.load_workbook(src)["Leads"].max_column > len(LEAD_HEADER)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # main puts the handler back
