"""The file port: refusal of unsafe overwrites, atomic saves, text never a formula,
formula cells read by their saved values, and the Leads columns it may touch."""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference

from leadscore_xl.refresh.book_file import open_book
from leadscore_xl.refresh.package import Package
from leadscore_xl.errors import BookError
from leadscore_xl.refresh.run import RefreshOptions, refresh
from test_refresh import NOW
from test_refresh_support import LEAD_HEADER, RULES, build_workbook, column, lead_rows, save

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def rewrite_zip(path: Path, change: dict[str, bytes | None]) -> None:
    """Replace, add (bytes) or delete (None) parts of a zip in place."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    for name, data in change.items():
        if data is None:
            parts.pop(name, None)
        else:
            parts[name] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def book_with_chart_and_image(path: Path) -> Path:
    """A user sheet "Pipeline" with an openpyxl chart, plus a picture added to its drawing by hand."""
    wb = build_workbook()
    ws = wb.create_sheet("Pipeline")
    for row in [["Stage", "Deals"], ["Open", 5], ["Won", 2]]:
        ws.append(row)
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    ws.add_chart(chart, "D2")
    save(wb, path)
    with zipfile.ZipFile(path) as z:
        drawing = z.read("xl/drawings/drawing1.xml").decode()
        rels = z.read("xl/drawings/_rels/drawing1.xml.rels").decode()
        types = z.read("[Content_Types].xml").decode()
    pic = ('<xdr:oneCellAnchor><xdr:from><xdr:col>10</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>2</xdr:row>'
           '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="95250" cy="95250"/><xdr:pic><xdr:nvPicPr>'
           '<xdr:cNvPr id="9" name="Logo"/><xdr:cNvPicPr/></xdr:nvPicPr><xdr:blipFill><a:blip r:embed="rIdPic"/>'
           '<a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr><a:prstGeom prst="rect"/></xdr:spPr>'
           '</xdr:pic><xdr:clientData/></xdr:oneCellAnchor>')  # fmt: skip
    rel = ('<Relationship Id="rIdPic" Target="../media/image1.png" '
           'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"/>')  # fmt: skip
    rewrite_zip(path, {
        "xl/drawings/drawing1.xml": drawing.replace("</xdr:wsDr>", pic + "</xdr:wsDr>").encode(),
        "xl/drawings/_rels/drawing1.xml.rels": rels.replace("</Relationships>", rel + "</Relationships>").encode(),
        "xl/media/image1.png": PNG,
        "[Content_Types].xml": types.replace("<Default ", '<Default Extension="png" ContentType="image/png"/><Default ', 1).encode(),
    })  # fmt: skip
    return path


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_a_plain_workbook_and_our_own_report_charts_refresh_again(tmp_path: Path) -> None:
    src = save(build_workbook(), tmp_path / "book.xlsx")
    refresh(open_book(src), RefreshOptions(now=NOW))  # in place: now Report holds our charts
    charts = sorted(n for n in zipfile.ZipFile(src).namelist() if n.startswith("xl/charts/"))
    assert charts
    refresh(open_book(src), RefreshOptions(now=NOW))  # a second in-place refresh replaces them
    assert sorted(n for n in zipfile.ZipFile(src).namelist() if n.startswith("xl/charts/")) == charts


@pytest.mark.parametrize("in_place", [True, False])
def test_a_chart_and_image_on_a_user_sheet_are_kept_byte_for_byte(tmp_path: Path, in_place: bool) -> None:
    src = book_with_chart_and_image(tmp_path / "book.xlsx")
    before = _parts(src)
    out = src if in_place else tmp_path / "book-refreshed.xlsx"
    refresh(open_book(src, out), RefreshOptions(now=NOW))
    after = _parts(out)
    theirs = [n for n in before if n.startswith(("xl/charts/", "xl/drawings/", "xl/media/"))]
    assert "xl/media/image1.png" in theirs and any(n.startswith("xl/charts/") for n in theirs)
    assert [n for n in theirs if after.get(n) != before[n]] == []
    assert column(out, "Leads", "Score")[0] == pytest.approx(78.0)
    assert openpyxl.load_workbook(out)["Pipeline"]["B2"].value == 5
    if not in_place:
        assert _parts(src) == before


@pytest.mark.parametrize(
    "part",
    ["xl/metadata.xml", "xl/pivotTables/pivotTable1.xml", "xl/pivotCache/pivotCacheDefinition1.xml",
     "xl/slicers/slicer1.xml", "xl/threadedComments/threadedComment1.xml", "xl/ctrlProps/ctrlProp1.xml",
     "customXml/item1.xml", "xl/vbaProject.bin", "xl/mystery.bin"],
)  # fmt: skip
def test_parts_openpyxl_does_not_know_are_kept_in_place(tmp_path: Path, part: str) -> None:
    src = save(build_workbook(), tmp_path / "book.xlsx")
    rewrite_zip(src, {part: b"<x/>"})
    refresh(open_book(src), RefreshOptions(now=NOW))
    assert _parts(src)[part] == b"<x/>"
    assert column(src, "Leads", "Score")[0] == pytest.approx(78.0)


def test_sheet_extensions_openpyxl_drops_are_kept(tmp_path: Path) -> None:
    src = save(build_workbook(), tmp_path / "book.xlsx")
    sheet = zipfile.ZipFile(src).read("xl/worksheets/sheet1.xml").decode()
    ext = ('<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
           'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"/></extLst>')  # fmt: skip
    rewrite_zip(src, {"xl/worksheets/sheet1.xml": sheet.replace("</worksheet>", ext + "</worksheet>").encode()})
    refresh(open_book(src), RefreshOptions(now=NOW))
    assert "{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" in zipfile.ZipFile(src).read("xl/worksheets/sheet1.xml").decode()


def test_a_run_killed_while_saving_leaves_the_original_byte_identical(tmp_path: Path) -> None:
    src = save(build_workbook(), tmp_path / "book.xlsx")
    before = src.read_bytes()
    # The child refreshes in place and is SIGKILLed by itself after the writer has written
    # three parts of the new file (a real partial write of the temporary file).
    script = (
        "import os, signal, zipfile\n"
        "from leadscore_xl.cli import main\n"
        "count = [0]\n"
        "real = zipfile.ZipFile.writestr\n"
        "def writestr(self, *args, **kwargs):\n"
        "    count[0] += str(self.filename).endswith('.leadscore-tmp')\n"
        "    if count[0] > 3:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return real(self, *args, **kwargs)\n"
        "zipfile.ZipFile.writestr = writestr\n"
        f"main(['refresh', {str(src)!r}, '--quiet'])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]
    assert src.read_bytes() == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".leadscore-tmp")]
    assert len(leftovers) == 1 and leftovers[0].startswith(".book.xlsx.")  # the partial file, never the original


def test_a_failed_save_removes_its_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = save(build_workbook(), tmp_path / "book.xlsx")
    before = src.read_bytes()
    book = open_book(src)

    def broken(self: object, filename: str) -> None:
        Path(filename).write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(Package, "save", broken)
    with pytest.raises(OSError, match="disk full"):
        refresh(book, RefreshOptions(now=NOW))
    assert src.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


INJECTIONS = ['=HYPERLINK("http://x","y")', "+SUM(1,2)", "-2+3", "@cmd", "=1+1"]


def _sheet_xml(path: Path, sheet: str) -> str:
    wb = openpyxl.load_workbook(path)
    index = wb.sheetnames.index(sheet) + 1
    return zipfile.ZipFile(path).read(f"xl/worksheets/sheet{index}.xml").decode()


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    leads = lead_rows(len(INJECTIONS))
    for row, text in zip(leads, INJECTIONS):
        row[1] = text  # the Company column
    wb = build_workbook(leads, rules=RULES[:1] + [["=1+1", "Fit", "Job Title", "<>", "nobody", 40, None, None]] + RULES[1:])
    for r in range(2, len(INJECTIONS) + 2):
        wb["Leads"].cell(r, 2).data_type = "s"  # the fixture stores them as text, as Excel would
    wb["Rules"].cell(2, 1).data_type = "s"
    deals = wb["Deals"]
    deals.cell(2, 4).value = '=HYPERLINK("http://x","y")'  # a lead source level from the data
    deals.cell(2, 4).data_type = "s"
    src = save(wb, tmp_path / "book.xlsx")
    out = tmp_path / "out.xlsx"
    refresh(open_book(src, out), RefreshOptions(now=NOW))
    leads_ws = openpyxl.load_workbook(out)["Leads"]
    for r, text in enumerate(INJECTIONS, start=2):
        assert (leads_ws.cell(r, 2).value, leads_ws.cell(r, 2).data_type) == (text, "s")
    reasons = column(out, "Leads", "Reasons")
    assert reasons and all("=1+1 +40; " in r for r in reasons)
    assert reasons[0] == "=1+1 +40; Demo requested +25; VP title +20"
    assert "<f>" not in _sheet_xml(out, "Leads")
    report_xml = _sheet_xml(out, "Report")
    assert "<f>" not in report_xml
    report = openpyxl.load_workbook(out)["Report"]
    sources = [c.value for row in report.iter_rows() for c in row if c.value == '=HYPERLINK("http://x","y")']
    assert sources, "the channel report lists the level as text"


def test_formula_cells_in_leads_are_read_by_their_saved_values(tmp_path: Path) -> None:
    wb = build_workbook(lead_header=LEAD_HEADER[:3] + ["Size"] + LEAD_HEADER[4:],
                        rules=[r[:] for r in RULES])  # fmt: skip
    wb["Rules"]["C3"] = "Size"
    ws = wb["Leads"]
    ws["D2"] = "=600+600"  # a formula: the rule reads its saved value 1200 (+15)
    ws["D3"] = "=5*2"  # a formula without a saved value: blank, and a note says so
    src = save(wb, tmp_path / "book.xlsx")
    sheet = zipfile.ZipFile(src).read("xl/worksheets/sheet1.xml").decode()
    sheet, saved = re.subn(r"<f>600\+600</f>(?:<v ?/>|<v></v>)", "<f>600+600</f><v>1200</v>", sheet)  # openpyxl writes either
    assert saved == 1
    rewrite_zip(src, {"xl/worksheets/sheet1.xml": sheet.encode()})
    out = tmp_path / "out.xlsx"
    book = open_book(src, out)
    refresh(book, RefreshOptions(now=NOW))
    assert column(out, "Leads", "Score")[0] == pytest.approx(78.0)
    assert book.notes == [
        'Leads column "Size": 1 formula cells have no saved value (the file was last saved by a program that does '
        "not calculate), so they count as blank; open and save the file in Excel or LibreOffice to store their values"
    ]
    assert openpyxl.load_workbook(out)["Leads"]["D2"].value == "=600+600"


def test_an_output_column_is_never_appended_over_user_cells(tmp_path: Path) -> None:
    wb = build_workbook()
    wb["Leads"]["I5"] = "my note"  # right of the table, where Score would be appended
    src = save(wb, tmp_path / "book.xlsx")
    with pytest.raises(BookError) as info:
        refresh(open_book(src, tmp_path / "out.xlsx"), RefreshOptions(now=NOW))
    assert str(info.value) == ('Leads cell I5 is not empty, but the refresh needs column I for "Score"; '
                               'nothing was changed. Move that data, or add a "Score" column to the table')  # fmt: skip
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.parametrize(
    ("source", "output", "message"),
    [
        ("missing.xlsx", None, "missing.xlsx does not exist; give the path of an .xlsx or .xlsm workbook"),
        ("book.xls", None, "book.xls is not an .xlsx/.xlsm workbook; open it in Excel and save it as .xlsx or .xlsm"),
        ("book.xlsx", "out.xlsm", "book.xlsx must stay a .xlsx file, but the output is out.xlsm; give an output name ending in .xlsx"),
        ("book.xlsm", "out.xlsx", "book.xlsm keeps its macros only in a .xlsm file, but the output is out.xlsx; give an output name ending in .xlsm"),
        ("book.xlsx", "nowhere/out.xlsx", "The folder"),
        ("junk.xlsx", None, "junk.xlsx cannot be opened as an Excel workbook"),
    ],
)  # fmt: skip
def test_paths_that_cannot_work_are_refused(tmp_path: Path, source: str, output: str | None, message: str) -> None:
    for name in ("book.xls", "book.xlsx", "book.xlsm"):
        (tmp_path / name).write_bytes(b"PK")
    (tmp_path / "junk.xlsx").write_bytes(b"not a zip")
    save(build_workbook(), tmp_path / "book.xlsx")
    with pytest.raises(BookError) as info:
        open_book(tmp_path / source, None if output is None else tmp_path / output)
    assert message in str(info.value)


@pytest.mark.office
@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_a_refreshed_workbook_to_pdf(tmp_path: Path) -> None:
    src = save(build_workbook(), tmp_path / "book.xlsx")
    out = tmp_path / "refreshed.xlsx"
    refresh(open_book(src, out), RefreshOptions(now=NOW, formulas=True))
    env = dict(os.environ, HOME=str(tmp_path))  # a private LibreOffice profile
    done = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                          capture_output=True, timeout=180, env=env)  # fmt: skip
    pdf = tmp_path / "refreshed.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr.decode()[-2000:]
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
    # LibreOffice also computes the Probability formulas to the core's values (CSV of Leads).
    done = subprocess.run(["soffice", "--headless", "--convert-to", "csv", "--outdir", str(tmp_path / "csv"), str(out)],
                          capture_output=True, timeout=180, env=env)  # fmt: skip
    rows = list(csv.reader((tmp_path / "csv" / "refreshed.csv").open()))
    shown = [float(r[rows[0].index("Probability")].rstrip("%")) / 100 for r in rows[1:]]
    values = tmp_path / "values.xlsx"
    refresh(open_book(src, values), RefreshOptions(now=NOW))
    assert shown == pytest.approx(column(values, "Leads", "Probability"), rel=1e-9)
