"""An adversarial corpus of small workbooks for the lossless refresh (issue 12).

Each workbook holds the four contract sheets (Leads, Rules, Deals, Settings), taken from
the template (the first :data:`N_LEADS` leads and :data:`N_DEALS` deals, so that one
refresh takes about a second), plus what other tools put in workbooks. Three makers:

* **XlsxWriter** (:func:`xlsxwriter_book`): charts on Leads and on other sheets, images, a
  form button (VML ``legacyDrawing``), a text box, notes, data validation, conditional
  formats with a data bar, defined names, a dynamic-array formula (``xl/metadata.xml``),
  sparklines, a hidden sheet, frozen panes, a table not at A1, a totals row, a formula
  column, existing Model/Report sheets with a chart, a signed VBA project (``.xlsm``);
* **LibreOffice** (:func:`libreoffice_convert`): XlsxWriter files re-saved by ``soffice
  --convert-to xlsx`` (one call for all), which writes a filled-down formula as a shared
  formula and stores calculated values;
* **package edits** (:func:`edit_package`, zipfile + lxml): a pivot table with its cache,
  a table slicer, threaded comments, customXml and a calculation chain.

:data:`CASES` names every workbook (known at collection time, so tests can be
parametrised); :func:`build_corpus` makes them all in a folder.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import struct
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter
import xlwings

from corpus_edits import EDITS, MAIN, PKG, REL, edit_package

__all__ = ["CASES", "MAIN", "OUTPUT_HEADERS", "PKG", "REL", "TEMPLATE", "Case", "build_corpus", "template_data",
           "xlsxwriter_book"]

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "workbook" / "LeadScoring.xlsx"
N_LEADS, N_DEALS = 200, 300
OUTPUT_HEADERS = ("Score", "Grade", "Route", "Probability", "Reasons", "Scored At")
XW_FEATURES = ("outputs", "offset", "totals", "formula", "chart_leads", "chart_other", "image", "button", "textbox",
               "comments", "dv", "cf", "names", "dynamic", "sparklines", "hidden", "freeze", "owned", "styles", "vba")


@dataclass(frozen=True)
class Case:
    name: str
    features: frozenset[str]  # XlsxWriter features
    edits: tuple[str, ...] = ()  # package edits, applied after LibreOffice if any
    libreoffice: bool = False

    @property
    def suffix(self) -> str:
        return ".xlsm" if "vba" in self.features else ".xlsx"

    @property
    def filename(self) -> str:
        return self.name + self.suffix


def _cases() -> list[Case]:
    every = frozenset(XW_FEATURES) - {"vba"}
    groups = {  # features that meet in real workbooks, one case per group (one refresh takes a second)
        "plain": (), "button": ("button",), "vba": ("vba",),
        "layout": ("offset", "totals", "freeze", "styles", "hidden"),
        "drawings_leads": ("chart_leads", "image", "button", "textbox", "comments"),
        "other_sheet": ("chart_other", "image", "dynamic", "sparklines", "names"),
        "formats": ("dv", "cf", "names", "formula", "freeze"),
        "owned": ("owned", "outputs"),
        "offset_totals_outputs": ("offset", "totals", "outputs"),
    }
    cases = [Case(f"xw_{name}", frozenset(f)) for name, f in groups.items()]
    cases += [Case("xw_all", every), Case("xw_all_vba", every | {"vba"})]
    needs = {"threaded": {"comments"}, "calcchain": {"formula"}, "shared": {"formula"}}
    cases += [Case(f"edit_{e}", frozenset(needs.get(e, ())), (e,)) for e in EDITS]
    cases += [
        Case("edit_all", every, EDITS),
        Case("edit_all_vba", every | {"vba"}, EDITS),
        Case("lo_plain", frozenset(), (), True),
        Case("lo_shared", frozenset({"formula"}), ("shared",), True),
        Case("lo_shared_outputs", frozenset({"formula", "outputs", "freeze"}), ("shared", "calcchain"), True),
        Case("lo_offset_totals", frozenset({"offset", "totals", "formula"}), ("shared",), True),
        Case("lo_charts_cf_dv", frozenset({"chart_leads", "chart_other", "cf", "dv", "names", "hidden", "formula"}),
             (), True),
        Case("lo_owned", frozenset({"owned", "outputs", "formula"}), (), True),
        Case("lo_pivot_customxml", frozenset({"formula"}), ("pivot", "customxml"), True),
    ]
    return cases


CASES = _cases()


# ---- the data, from the template ----------------------------------------------------------
def template_data() -> dict[str, list[list[Any]]]:
    """Leads (with the template's output columns), Rules, Deals and Settings, as rows."""
    wb = openpyxl.load_workbook(TEMPLATE, read_only=True)
    limits = {"Leads": N_LEADS + 1, "Deals": N_DEALS + 1, "Rules": None, "Settings": None}
    out = {}
    for sheet, limit in limits.items():
        rows = [list(r) for r in wb[sheet].iter_rows(max_row=limit, values_only=True)]
        width = max(i + 1 for i, h in enumerate(rows[0]) if h is not None)
        out[sheet] = [r[:width] for r in rows]
    wb.close()
    settings = out["Settings"]
    for row in settings:
        row[2:] = [None] * (len(row) - 2)  # the notes column as the template has it: D only
    return out


def _png(width: int = 8, height: int = 6, rgb: tuple[int, int, int] = (200, 30, 60)) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
    head = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def vba_bins() -> tuple[bytes, bytes]:
    """A real VBA project (xlwings' quickstart.xlsm) and a synthetic signature blob."""
    import zipfile

    with zipfile.ZipFile(Path(xlwings.__file__).parent / "quickstart.xlsm") as z:
        project = z.read("xl/vbaProject.bin")
    return project, b"\x01\x00\x00\x00LeadScore corpus signature " + bytes(range(256)) * 4


# ---- XlsxWriter -----------------------------------------------------------------------------
def _write_rows(ws: Any, rows: list[list[Any]], top: int, left: int, formats: dict[str, Any]) -> None:
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, bool):
                ws.write_boolean(top + i, left + j, v)
            elif isinstance(v, (dt.datetime, dt.date)):
                ws.write_datetime(top + i, left + j, v, formats["date"])
            elif isinstance(v, (int, float)):
                ws.write_number(top + i, left + j, v)
            else:
                ws.write_string(top + i, left + j, str(v))


def _table(ws: Any, rows: list[list[Any]], top: int, left: int, name: str, totals: bool = False) -> None:
    columns = [{"header": str(h)} for h in rows[0]]
    if totals:
        columns[0]["total_string"] = "Total"
        columns[-1]["total_function"] = "count"
    last = top + len(rows) - 1 + (1 if totals else 0)
    ws.add_table(top, left, last, left + len(rows[0]) - 1,
                 {"name": name, "columns": columns, "total_row": totals, "style": "Table Style Medium 9"})


def _leads(wb: Any, data: dict[str, list[list[Any]]], f: frozenset[str], formats: dict[str, Any]) -> None:
    ws = wb.add_worksheet("Leads")
    rows = [list(r) for r in data["Leads"]]
    if "outputs" not in f:
        rows = [r[: len(r) - len(OUTPUT_HEADERS)] for r in rows]
    top, left = (2, 1) if "offset" in f else (0, 0)
    if "formula" in f:  # a formula column filled down (its values cached)
        visits = rows[0].index("Pricing Page Visits")
        rows[0].append("Visits x2")
        for r in rows[1:]:
            r.append(None)
    _write_rows(ws, rows, top, left, formats)
    if "formula" in f:
        col = left + len(rows[0]) - 1
        src = xlsxwriter.utility.xl_col_to_name(left + visits)
        for i, r in enumerate(rows[1:], start=top + 2):
            ws.write_formula(i - 1, col, f"={src}{i}*2", None, (r[visits] or 0) * 2)
    _table(ws, rows, top, left, "Leads", totals="totals" in f)
    n = len(rows) - 1
    region = left + rows[0].index("Region")
    if "styles" in f:
        ws.set_column(left + 1, left + 1, 28, formats["italic"])
        ws.set_row(top + 3, None, formats["fill"])
        ws.write_string(top + 1, left + 1, str(rows[1][1]), formats["bold_red"])
        ws.write_number(top + 2, left + rows[0].index("Annual Revenue"), rows[2][7], formats["money"])
    if "freeze" in f:
        ws.freeze_panes(top + 1, left + 1)
    if "dv" in f:
        ws.data_validation(top + 1, region, top + n, region,
                           {"validate": "list", "source": ["North America", "EMEA", "APAC", "LATAM"]})
    if "cf" in f:
        rev = left + rows[0].index("Annual Revenue")
        ws.conditional_format(top + 1, rev, top + n, rev, {"type": "data_bar", "bar_color": "#63C384",
                                                           "bar_solid": True})
        ws.conditional_format(top + 1, left, top + n, left, {"type": "duplicate", "format": formats["bold_red"]})
    if "comments" in f:
        ws.write_comment(top + 1, left + 1, "Key account: call before Easter", {"author": "Ana Analyst"})
    if "chart_leads" in f:
        chart = wb.add_chart({"type": "column"})
        col = xlsxwriter.utility.xl_col_to_name(left + rows[0].index("Emails Opened"))
        chart.add_series({"name": "Emails opened", "values": f"=Leads!${col}${top + 2}:${col}${top + 21}"})
        ws.insert_chart(top + 5, left + 3, chart)
    if "image" in f:
        ws.insert_image(top + 8, left + 2, "logo.png", {"image_data": io.BytesIO(_png())})
    if "button" in f:
        ws.insert_button(top + 2, left + 4, {"caption": "Refresh", "macro": "refresh_scores", "width": 90})
    if "textbox" in f:
        ws.insert_textbox(top + 12, left + 5, "Leads come from the CRM every Monday", {"width": 220})
    if "names" in f:
        wb.define_name("Leads!LocalOwner", f"=Leads!$B${top + 2}")


def _other_sheets(wb: Any, f: frozenset[str], formats: dict[str, Any]) -> None:
    if not f & {"chart_other", "image", "dynamic", "sparklines", "names"}:
        return
    ws = wb.add_worksheet("Pipeline")
    ws.write_row(0, 0, ["Quarter", "Target", "Booked", "Gap"])
    for i, (q, t, b) in enumerate((("Q1", 100000, 62000), ("Q2", 120000, 81000), ("Q3", 90000, 97000)), start=1):
        ws.write_row(i, 0, [q, t, b])
        ws.write_formula(i, 3, f"=B{i + 1}-C{i + 1}", formats["money"], t - b)
    if "chart_other" in f:
        chart = wb.add_chart({"type": "line"})
        chart.add_series({"name": "Booked", "categories": "=Pipeline!$A$2:$A$4", "values": "=Pipeline!$C$2:$C$4"})
        ws.insert_chart("F2", chart)
    if "image" in f:
        ws.insert_image("F20", "badge.png", {"image_data": io.BytesIO(_png(4, 4, (20, 90, 200)))})
    if "dynamic" in f:
        ws.write_dynamic_array_formula("H2:H2", "=_xlfn.UNIQUE(Leads!G2:G201)")
        ws.write_dynamic_array_formula("J2:J4", "=_xlfn._xlws.SORT(B2:B4)")
    if "sparklines" in f:
        ws.add_sparkline("E2", {"range": "Pipeline!B2:C2"})
        ws.add_sparkline("E3", {"range": "Pipeline!B3:C3", "type": "column"})
    if "names" in f:
        wb.define_name("Targets", "=Pipeline!$B$2:$B$4")
        wb.define_name("BookedTotal", "=SUM(Pipeline!$C$2:$C$4)")


def _owned(wb: Any, formats: dict[str, Any]) -> None:
    """Model and Report sheets of an older refresh, with a chart: ours, may be replaced."""
    for title in ("Model", "Report"):
        ws = wb.add_worksheet(title)
        ws.write_row(0, 0, ["Metric", "Value"])
        ws.write_row(1, 0, ["Leads", 3])
        ws.write_row(2, 0, ["Old", 7])
        ws.add_table(0, 0, 2, 1, {"name": f"Old{title}", "columns": [{"header": "Metric"}, {"header": "Value"}]})
        chart = wb.add_chart({"type": "bar"})
        chart.add_series({"values": f"='{title}'!$B$2:$B$3", "categories": f"='{title}'!$A$2:$A$3"})
        ws.insert_chart("D2", chart)


def xlsxwriter_book(path: Path, data: dict[str, list[list[Any]]], f: frozenset[str]) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    formats = {"date": wb.add_format({"num_format": "yyyy-mm-dd"}), "money": wb.add_format({"num_format": "#,##0"}),
               "italic": wb.add_format({"italic": True}), "fill": wb.add_format({"bg_color": "#FFF2CC"}),
               "bold_red": wb.add_format({"bold": True, "font_color": "#C00000"})}
    _leads(wb, data, f, formats)
    for sheet in ("Rules", "Deals", "Settings"):
        ws = wb.add_worksheet(sheet)
        _write_rows(ws, data[sheet], 0, 0, formats)
        if sheet != "Settings":
            _table(ws, data[sheet], 0, 0, sheet)
    _other_sheets(wb, f, formats)
    if "owned" in f:
        _owned(wb, formats)
    if "hidden" in f:
        ws = wb.add_worksheet("Lookup")
        ws.write_column(0, 0, ["North America", "EMEA", "APAC", "LATAM"])
        ws.hide()
    if "vba" in f:
        project, signature = vba_bins()
        wb.add_signed_vba_project(io.BytesIO(project), io.BytesIO(signature), True, True)
    wb.close()
    return path


# ---- LibreOffice ----------------------------------------------------------------------------
def libreoffice_convert(paths: list[Path], outdir: Path, profile: Path) -> None:
    """Re-save every file with LibreOffice in one soffice call."""
    outdir.mkdir(parents=True, exist_ok=True)
    soffice = shutil.which("soffice") or shutil.which("libreoffice") or "soffice"
    cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
           "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir), *map(str, paths)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=240)
    for p in paths:
        if not (outdir / p.name).is_file():
            raise RuntimeError(f"LibreOffice did not convert {p.name}")


# ---- the corpus -------------------------------------------------------------------------------
def build_corpus(folder: Path, cases: list[Case] | None = None) -> dict[str, Path]:
    """Make every case in ``folder``; {case name: path}."""
    cases = CASES if cases is None else cases
    folder.mkdir(parents=True, exist_ok=True)
    data = template_data()
    staging = folder / "staging"
    staging.mkdir(exist_ok=True)
    out: dict[str, Path] = {}
    lo_inputs = []
    for case in cases:
        target = (staging if case.libreoffice else folder) / case.filename
        xlsxwriter_book(target, data, case.features)
        if case.libreoffice:
            lo_inputs.append(target)
        out[case.name] = folder / case.filename
    if lo_inputs:
        with tempfile.TemporaryDirectory() as profile:
            libreoffice_convert(lo_inputs, folder, Path(profile))
    shutil.rmtree(staging)
    for case in cases:
        if case.edits:
            edit_package(out[case.name], case.edits)
    return out


if __name__ == "__main__":
    import sys

    paths = build_corpus(Path(sys.argv[1] if len(sys.argv) > 1 else "corpus"))
    print(len(paths), "workbooks")
