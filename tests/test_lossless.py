"""The lossless headless refresh (issue 12), over the corpus of tests/corpus.py.

Every corpus workbook is refreshed in place and with --output (and the in-place result
once more), in a session fixture. For each result:

* every zip part the refresh does not own is byte-identical (decompressed). Owned: the
  Leads sheet and its tables, styles.xml, workbook.xml and its rels, [Content_Types].xml,
  calcChain.xml, the Leads rels (each original relationship kept), and the sheets Model,
  Report and Call List with every part only they reach;
* every Leads cell outside the output columns is the same ``<c>`` element (exclusive C14N)
  pointing at the same cell format (the xf with its font, fill, border and number format);
* the owned sheets hold the tables of a refreshed template (headers; names too when the
  workbook had no owned sheets of its own, whose table names are reused);
* LibreOffice opens every result (one soffice call), and Leads holds the scores;
* a second refresh gives the same output cells (Scored At aside).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import posixpath
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from corpus import CASES, MAIN, OUTPUT_HEADERS, PKG, REL, TEMPLATE
from lossless_fixtures import CASE_NAMES, Refreshed, corpus, parts, refresh_file, refreshed  # noqa: F401

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [pytest.mark.office,
              pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")]
OWNED_SHEETS = ("Model", "Report", "Call List")
OWNED_ALWAYS = {"xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
                "xl/calcChain.xml"}
MODES = ("in_place", "output")
_M = f"{{{MAIN}}}"


def _norm(text: object) -> str:
    return "".join(str(text).split()).casefold()


OUTPUT_KEYS = {_norm(h) for h in OUTPUT_HEADERS}


# ---- the package graph ------------------------------------------------------------------------
def rels_path(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def relationships(pkg: dict[str, bytes], part: str) -> list[tuple[str, str, str]]:
    """(Id, Type, resolved part name) of ``part``'s internal relationships."""
    name = rels_path(part)
    if name not in pkg:
        return []
    out = []
    for r in etree.fromstring(pkg[name]):
        if r.get("TargetMode") == "External":
            continue
        target = r.get("Target")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(posixpath.dirname(part), target))
        out.append((r.get("Id"), r.get("Type"), path))
    return out


def sheet_parts(pkg: dict[str, bytes]) -> dict[str, str]:
    rels = {rid: path for rid, _, path in relationships(pkg, "xl/workbook.xml")}
    wb = etree.fromstring(pkg["xl/workbook.xml"])
    return {s.get("name"): rels[s.get(f"{{{REL}}}id")] for s in wb.iter(f"{_M}sheet")}


def closure(pkg: dict[str, bytes], roots: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        part = todo.pop()
        if part in seen:
            continue
        seen.add(part)
        if rels_path(part) in pkg:
            seen.add(rels_path(part))
        todo += [p for _, _, p in relationships(pkg, part)]
    return seen


def owned_parts(pkg: dict[str, bytes]) -> set[str]:
    sheets = sheet_parts(pkg)
    leads = sheets["Leads"]
    ours = [sheets[s] for s in OWNED_SHEETS if s in sheets]
    leads_rels = relationships(pkg, leads)
    tables = {p for _, kind, p in leads_rels if kind.endswith("/table")}
    others = [p for _, kind, p in relationships(pkg, "xl/workbook.xml")
              if p not in ours and p != leads and not kind.endswith(("/calcChain", "/styles"))]
    others += [p for _, kind, p in leads_rels if p not in tables]
    others += [p for _, _, p in relationships(pkg, "") if p != "xl/workbook.xml"] if "_rels/.rels" in pkg else []
    kept = closure(pkg, others)
    return (closure(pkg, ours) - kept) | tables | OWNED_ALWAYS | {leads, rels_path(leads)}


def root_relationships(pkg: dict[str, bytes]) -> list[str]:
    return [r.get("Target").lstrip("/") for r in etree.fromstring(pkg["_rels/.rels"])]


# ---- Leads cells and styles -------------------------------------------------------------------
def _column(ref: str) -> str:
    return ref.rstrip("0123456789")


def _c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True)


def leads_table(pkg: dict[str, bytes]) -> tuple[str, list[str], int]:
    """The Leads table's ref, column names and totals-row count."""
    leads = sheet_parts(pkg)["Leads"]
    for _, kind, path in relationships(pkg, leads):
        if kind.endswith("/table"):
            table = etree.fromstring(pkg[path])
            if table.get("displayName") == "Leads":
                names = [c.get("name") for c in table.iter(f"{_M}tableColumn")]
                return table.get("ref"), names, int(table.get("totalsRowCount", "0"))
    raise AssertionError("no Leads table")


def output_columns(pkg: dict[str, bytes]) -> set[str]:
    """The letters of the output columns (by the Leads table's header)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import range_boundaries

    ref, names, _ = leads_table(pkg)
    left = range_boundaries(ref)[0]
    return {get_column_letter(left + j) for j, n in enumerate(names) if _norm(n) in OUTPUT_KEYS}


def cells(pkg: dict[str, bytes]) -> dict[str, etree._Element]:
    sheet = etree.fromstring(pkg[sheet_parts(pkg)["Leads"]])
    return {c.get("r"): c for c in sheet.iter(f"{_M}c")}


def resolved_style(styles: etree._Element, index: int) -> bytes:
    """The cellXfs entry with the font, fill, border and number format it points at."""
    def nth(tag: str, i: str | None) -> bytes:
        group = styles.find(f"{_M}{tag}")
        return b"" if group is None or i is None or int(i) >= len(group) else _c14n(group[int(i)])

    xf = styles.find(f"{_M}cellXfs")[index]
    fmts = {f.get("numFmtId"): f.get("formatCode") for f in styles.iter(f"{_M}numFmt")}
    number = fmts.get(xf.get("numFmtId"), xf.get("numFmtId") or "0")
    return b"|".join([_c14n(xf), nth("fonts", xf.get("fontId")), nth("fills", xf.get("fillId")),
                      nth("borders", xf.get("borderId")), str(number).encode()])


# ---- the tests --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def expected_tables() -> dict[str, list[tuple[str, list[str]]]]:
    return owned_tables(parts(TEMPLATE))


def owned_tables(pkg: dict[str, bytes]) -> dict[str, list[tuple[str, list[str]]]]:
    out = {}
    for title, part in sheet_parts(pkg).items():
        if title in OWNED_SHEETS:
            tables = [etree.fromstring(pkg[p]) for _, kind, p in relationships(pkg, part) if kind.endswith("/table")]
            out[title] = sorted((t.get("displayName"), [c.get("name") for c in t.iter(f"{_M}tableColumn")])
                                for t in tables)
    return out


def result(refreshed: dict[str, Refreshed], case: str, mode: str) -> Path:
    item = refreshed[case]
    item.check(mode)
    return getattr(item, mode)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASE_NAMES)
def test_parts_not_owned_are_byte_identical(refreshed: dict[str, Refreshed], case: str, mode: str) -> None:
    before, after = parts(refreshed[case].original), parts(result(refreshed, case, mode))
    mine = owned_parts(before)
    changed = sorted(p for p in before if p not in mine and after.get(p) != before[p])
    assert changed == [], f"changed or lost: {changed}"
    new = sorted(p for p in after if p not in before and p not in owned_parts(after))
    assert new == [], f"new parts outside the owned sheets: {new}"
    leads = sheet_parts(before)["Leads"]
    kept = set(relationships(after, sheet_parts(after)["Leads"]))
    lost = [r for r in relationships(before, leads) if r not in kept]
    assert lost == [], f"Leads relationships lost: {lost}"
    assert sheet_parts(after)["Leads"] == leads
    calc = etree.fromstring(after["xl/workbook.xml"]).find(f"{_M}calcPr")
    assert calc is not None and calc.get("fullCalcOnLoad") in ("1", "true"), "Excel is not told to recalculate"


# Leads elements a refresh may set: widths of its columns, page setup (print titles and
# fit to width), a frozen header when there is no pane, the used range.
LEADS_MAY_CHANGE = {"sheetData", "dimension", "cols", "sheetPr", "sheetViews", "sheetFormatPr", "pageMargins",
                    "pageSetup", "printOptions", "headerFooter", "rowBreaks", "colBreaks"}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASE_NAMES)
def test_leads_sheet_extras_kept(refreshed: dict[str, Refreshed], case: str, mode: str) -> None:
    """Data validation, conditional formats (with their x14 extensions: data bars), the
    slicer list, drawings, notes and buttons (legacyDrawing), merged cells, the table
    parts and a frozen pane: the Leads sheet's elements outside the cells stay as they were."""
    before, after = parts(refreshed[case].original), parts(result(refreshed, case, mode))
    old = etree.fromstring(before[sheet_parts(before)["Leads"]])
    new = etree.fromstring(after[sheet_parts(after)["Leads"]])

    def extras(root: etree._Element) -> list[bytes]:
        return [_c14n(e) for e in root if etree.QName(e).localname not in LEADS_MAY_CHANGE]

    assert extras(new) == extras(old)
    pane = old.find(f"{_M}sheetViews/{_M}sheetView/{_M}pane")
    if pane is not None:
        got = new.find(f"{_M}sheetViews/{_M}sheetView/{_M}pane")
        assert got is not None and _c14n(got) == _c14n(pane), "the frozen pane changed"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASE_NAMES)
def test_leads_cells_outside_outputs_identical(refreshed: dict[str, Refreshed], case: str, mode: str) -> None:
    before, after = parts(refreshed[case].original), parts(result(refreshed, case, mode))
    outputs = output_columns(after)
    assert len(outputs) == len(OUTPUT_HEADERS)
    old = {r: c for r, c in cells(before).items() if _column(r) not in outputs}
    new = {r: c for r, c in cells(after).items() if _column(r) not in outputs}
    assert sorted(new) == sorted(old)
    differ = [r for r in old if _c14n(old[r]) != _c14n(new[r])]
    assert differ == [], f"{len(differ)} cells changed, e.g. {differ[:5]}"
    styles_before = etree.fromstring(before["xl/styles.xml"])
    styles_after = etree.fromstring(after["xl/styles.xml"])
    used = sorted({int(c.get("s", "0")) for c in old.values()})
    moved = [s for s in used if resolved_style(styles_before, s) != resolved_style(styles_after, s)]
    assert moved == [], f"cell formats changed: {moved}"
    assert len(styles_after.find(f"{_M}cellXfs")) >= len(styles_before.find(f"{_M}cellXfs"))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASE_NAMES)
def test_owned_sheets_hold_the_tables(refreshed: dict[str, Refreshed], case: str, mode: str,
                                      expected_tables: dict[str, list[tuple[str, list[str]]]]) -> None:
    import openpyxl

    path = result(refreshed, case, mode)
    got = owned_tables(parts(path))
    assert sorted(got) == sorted(expected_tables)
    features = next(c.features for c in CASES if c.name == case)
    for sheet, tables in expected_tables.items():
        assert [h for _, h in got[sheet]] == [h for _, h in tables] or sorted(h for _, h in got[sheet]) == sorted(
            h for _, h in tables), sheet
        if "owned" not in features:
            assert [n for n, _ in got[sheet]] == [n for n, _ in tables], sheet
    wb = openpyxl.load_workbook(path, read_only=True)  # openpyxl reads the result
    try:
        assert set(OWNED_SHEETS) <= set(wb.sheetnames)
        assert wb["Model"].max_row > 2
    finally:
        wb.close()


def output_values(path: Path) -> dict[str, list[object]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ref, names, totals = leads_table(parts(path))
        from openpyxl.utils.cell import range_boundaries

        left, top, right, bottom = range_boundaries(ref)
        bottom -= totals
        rows = list(wb["Leads"].iter_rows(min_row=top, max_row=bottom, min_col=left, max_col=right,
                                          values_only=True))
    finally:
        wb.close()
    return {n: [r[j] for r in rows[1:]] for j, n in enumerate(names)
            if _norm(n) in OUTPUT_KEYS and _norm(n) != "scoredat"}


@pytest.mark.parametrize("case", CASE_NAMES)
def test_second_refresh_same_outputs(refreshed: dict[str, Refreshed], case: str) -> None:
    first = output_values(result(refreshed, case, "in_place"))
    second = output_values(result(refreshed, case, "second"))
    assert sorted(first) == sorted(second)
    for name, values in first.items():
        changed = [i for i, (a, b) in enumerate(zip(values, second[name])) if a != b
                   and not (isinstance(a, float) and isinstance(b, float) and b == pytest.approx(a, rel=1e-9))]
        assert changed == [], f"{name}: {len(changed)} cells changed, e.g. rows {changed[:5]}"
    scores = first["Score"]
    assert sum(isinstance(v, (int, float)) for v in scores) == len(scores) > 100


@pytest.fixture(scope="module")
def libreoffice_csv(refreshed: dict[str, Refreshed], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every result converted to CSV (its first sheet, Leads) by one soffice call."""
    folder = tmp_path_factory.mktemp("libreoffice")
    inputs = []
    for case, item in refreshed.items():
        for mode in MODES:
            if mode not in item.errors:
                inputs.append(shutil.copy(getattr(item, mode), folder / f"{mode}-{item.original.name}"))
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([str(SOFFICE), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(folder / "csv"),
                        *map(str, inputs)], capture_output=True, timeout=300, check=False)
    return {p.stem: p for p in (folder / "csv").glob("*.csv")}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASE_NAMES)
def test_libreoffice_opens_the_result(refreshed: dict[str, Refreshed], libreoffice_csv: dict[str, Path],
                                      case: str, mode: str) -> None:
    path = result(refreshed, case, mode)
    key = f"{mode}-{path.stem}"
    assert key in libreoffice_csv, "LibreOffice did not convert the result"
    with open(libreoffice_csv[key], newline="", encoding="utf-8") as f:
        rows = [r for r in csv.reader(f) if any(r)]
    header_row = next(i for i, r in enumerate(rows) if "Score" in r)
    j, ids = rows[header_row].index("Score"), rows[header_row].index("Lead ID")
    scores = [r[j] for r in rows[header_row + 1:] if len(r) > j and r[ids].startswith("L-")]
    assert len(scores) == 200
    assert all(0 <= float(s) <= 100 for s in scores)


@pytest.mark.parametrize("case", ["xw_plain", "edit_all_vba"])
def test_symlink_refreshed_in_place(corpus: dict[str, Path], tmp_path: Path, case: str) -> None:  # noqa: F811
    real = tmp_path / "store" / corpus[case].name
    real.parent.mkdir()
    shutil.copy2(corpus[case], real)
    os.chmod(real, 0o640)
    link = tmp_path / ("link" + real.suffix)
    link.symlink_to(os.path.relpath(real, tmp_path))
    error = refresh_file(str(link), None)
    assert error is None, error
    assert link.is_symlink() and os.readlink(link) == os.path.relpath(real, tmp_path)
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == [real.name]  # no temporary file left
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([link.name, "store"])
    values = output_values(real)
    assert sum(isinstance(v, (int, float)) for v in values["Score"]) == 200
    before, after = parts(corpus[case]), parts(real)
    assert [p for p in before if p not in owned_parts(before) and after.get(p) != before[p]] == []


@pytest.mark.parametrize("mode", MODES)
def test_a_calculation_chain_naming_no_changed_cell_is_kept(refreshed: dict[str, Refreshed], mode: str) -> None:
    """edit_calcchain's chain names the formula cells of the user's columns and sheets, none
    of which the refresh writes: it stays, byte for byte, with its relationship."""
    before, after = parts(refreshed["edit_calcchain"].original), parts(result(refreshed, "edit_calcchain", mode))
    assert after.get("xl/calcChain.xml") == before["xl/calcChain.xml"]
    assert any(kind.endswith("/calcChain") for _, kind, _ in relationships(after, "xl/workbook.xml"))


# ---- the Leads values read from the XML, as openpyxl reads them ---------------------------------
def read_both(path: Path) -> tuple[list[list[object]], list[list[object]], list[str]]:
    """The Leads table read straight from the XML, and by openpyxl (read-only, formulas as
    their saved values), with the notes of each."""
    from leadscore_xl.refresh.book_file import _table_box, open_book
    from leadscore_xl.refresh.file_read import fast_values

    book = open_book(path, path.with_name("unused-" + path.name))
    try:
        sheet = book._loaded.reduced
        assert sheet is not None, "the Leads sheet was loaded whole"
        ws = book.wb[sheet]
        box = _table_box(ws)
        fast, missing = fast_values(book._loaded, sheet, box)
        slow = book._rows(ws, *box)
        book._resolve_formulas(ws, slow, box[0], list(range(box[1], box[3] + 1)))
        return fast, slow, [f"{j}:{n}" for j, n in sorted(missing.items())] + book.notes
    finally:
        book._loaded.values.close()


@pytest.mark.parametrize("case", CASE_NAMES)
def test_leads_values_read_from_the_xml_are_openpyxls(corpus: dict[str, Path], case: str) -> None:  # noqa: F811
    fast, slow, _ = read_both(corpus[case])
    assert len(fast) == len(slow) > 100
    differ = [(i, j, a, b) for i, (x, y) in enumerate(zip(fast, slow)) for j, (a, b) in enumerate(zip(x, y))
              if a != b or type(a) is not type(b)]
    assert differ == []


def test_leads_values_of_the_template_are_openpyxls() -> None:
    fast, slow, _ = read_both(TEMPLATE)
    assert fast == slow and len(fast) == 2001


@pytest.mark.parametrize("case", ["xw_plain", "lo_shared_outputs", "edit_all_vba", "xw_layout"])
def test_leads_values_of_a_refreshed_file_are_openpyxls(refreshed: dict[str, Refreshed], case: str) -> None:
    """A refreshed file holds the writer's own cells (inline strings, formulas, dates)."""
    fast, slow, _ = read_both(result(refreshed, case, "in_place"))
    assert fast == slow
    assert any(isinstance(v, str) and v.startswith(("Demo", "Decision", "Job", "Company", "-", "+"))
               for row in fast[1:] for v in row)  # the Reasons, written as inline strings


TEXTS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r\ufffe\uffff"
                              + "".join(chr(c) for c in range(1, 32) if c not in (9, 10))), max_size=12)
VALUES = st.one_of(st.none(), TEXTS, st.integers(-10**15, 10**15), st.booleans(),
                   st.floats(allow_nan=False, allow_infinity=False, width=64),
                   st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 1, 1)).map(
                       lambda d: d.replace(microsecond=0)),
                   st.sampled_from(["=1+1", "=A2&\"x\"", "#N/A"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(VALUES, min_size=3, max_size=3), min_size=1, max_size=8))
def test_any_leads_values_are_read_as_openpyxl_reads_them(tmp_path: Path, rows: list[list[object]]) -> None:
    import openpyxl
    from openpyxl.worksheet.table import Table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Leads"
    ws.append(["Lead ID", "Text", "Value", "Score"])
    for i, row in enumerate(rows):
        ws.append([f"L-{i}", *row])
    ws.add_table(Table(displayName="Leads", ref=f"A1:D{len(rows) + 1}"))
    path = tmp_path / "any.xlsx"
    wb.save(path)
    fast, slow, notes = read_both(path)
    assert fast == slow and [type(v) for r in fast for v in r] == [type(v) for r in slow for v in r]
