"""The ``leadscore`` command: refresh, demo, addin, exit codes, messages and progress."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from leadscore_xl import cli
from test_book_file import book_with_chart_and_image
from test_refresh_support import build_workbook, column, save


def test_refresh_writes_the_output_and_says_what_it_did(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = save(build_workbook(), tmp_path / "book.xlsx")
    before = src.read_bytes()
    out = tmp_path / "new" / "book-refreshed.xlsx"  # the folder is created
    assert cli.main(["refresh", str(src), "--output", str(out), "--as-of", "2026-03-31"]) == 0
    captured = capsys.readouterr()
    assert captured.out == f"Scored 12 of 12 leads; model fitted; saved {out}\n"
    lines = captured.err.splitlines()  # not a terminal: one progress line per step
    assert lines[0] == "[#---------------------------]   2% Reading Settings and Rules"
    assert lines[-1] == "[############################] 100% Done"
    assert src.read_bytes() == before
    assert column(out, "Leads", "Score")[0] == pytest.approx(78.0)


def test_refresh_in_place_keeps_a_foreign_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = book_with_chart_and_image(tmp_path / "book.xlsx")
    with zipfile.ZipFile(src) as z:
        before = {n: z.read(n) for n in z.namelist() if n.startswith(("xl/charts/", "xl/media/"))}
    assert cli.main(["refresh", str(src), "-q"]) == 0
    out = capsys.readouterr()
    assert "openpyxl" not in out.err and out.out.startswith("Scored 12 of 12 leads")
    with zipfile.ZipFile(src) as z:
        assert {n: z.read(n) for n in before} == before


def test_unusable_input_exits_1_with_the_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wb = build_workbook()
    wb["Rules"]["D2"] = "is about"
    src = save(wb, tmp_path / "book.xlsx")
    assert cli.main(["refresh", str(src), "-q"]) == 1
    err = capsys.readouterr().err
    assert err.startswith('leadscore: Rules row 2: operator "is about" is not')


def test_bad_command_lines_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["refresh"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        cli.main(["refresh", "a.xlsx", "--formulas", "--values"])
    assert info.value.code == 2


def test_demo_refreshes_the_bundled_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    template = cli.find_template()
    assert template.name == "LeadScoring.xlsx" and template.parent.name == "workbook"
    monkeypatch.chdir(tmp_path)  # found next to the package, whatever the current folder
    before = template.read_bytes()
    assert cli.main(["demo", "-q"]) == 0
    out = tmp_path / "out" / "LeadScoring-refreshed.xlsx"
    assert capsys.readouterr().out.startswith("Scored 2,000 of 2,000 leads; model fitted; saved out")
    wb = openpyxl.load_workbook(out, read_only=True)
    header = next(wb["Leads"].iter_rows(max_row=1, values_only=True))
    assert header[-6:] == ("Score", "Grade", "Route", "Probability", "Reasons", "Scored At")
    assert template.read_bytes() == before


def test_addin_builds_the_ribbon_add_in(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("leadscore_xl.addin")
    assert cli.main(["addin", "--output", str(tmp_path)]) == 0
    built = tmp_path / "leadscore_xl.addin.xlam"
    assert capsys.readouterr().out == f"Built the Lead Scoring add-in: {built}\n"
    assert b"Refresh Scores" in zipfile.ZipFile(built).read("customUI/customUI.xml")
    assert cli.main(["addin", "--output", str(tmp_path / "Other.xlam")]) == 1


def test_progress_bar_redraws_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    bar = cli.ProgressBar(stream, width=10)
    bar("Reading", 0.0)
    bar("Scoring", 0.5)
    bar("Done", 1.0)
    assert stream.getvalue() == (
        "\r[----------]   0% Reading"
        "\r[#####-----]  50% Scoring"
        "\r[##########] 100% Done   \n"  # padded over the longer line before it
    )


def test_the_console_script_runs() -> None:
    script = shutil.which("leadscore")
    command = [script] if script else [sys.executable, "-m", "leadscore_xl.cli"]
    done = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("usage: leadscore [-h] [--version] COMMAND ...")
    for command_name in ("refresh", "demo", "addin"):
        assert f"\n    {command_name} " in done.stdout
