"""The package writer's pieces (issue 12): the Leads sheet's stream edit, cells written as
text, and cell formats appended to styles.xml. The whole writer is tested on the corpus
in test_lossless.py; these tests pin the cases the corpus producers never write."""

from __future__ import annotations

import io
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from leadscore_xl.refresh.package import MAIN_NS, Package
from leadscore_xl.refresh.sheetxml import SheetEdit, cell_xml, edit_sheet
from leadscore_xl.refresh.stylesxml import StyleMerge

M = f"{{{MAIN_NS}}}"
HEAD = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">')  # fmt: skip


def sheet(rows: str, head: str = "", tail: str = "") -> bytes:
    return f"{HEAD}{head}<sheetData>{rows}</sheetData>{tail}</worksheet>".encode()


def cells(xml: bytes) -> dict[str, bytes]:
    root = etree.fromstring(xml)
    return {c.get("r"): etree.tostring(c, method="c14n") for c in root.iter(f"{M}c")}


def text_of(xml: bytes, ref: str) -> str:
    root = etree.fromstring(xml)
    cell = next(c for c in root.iter(f"{M}c") if c.get("r") == ref)
    return "".join(cell.itertext())


# ---- cells ------------------------------------------------------------------------------------
def test_text_that_looks_like_a_formula_is_an_inline_string() -> None:
    xml = cell_xml("B2", 3, "s", '=HYPERLINK("http://x","y")')
    assert xml == b'<c r="B2" s="3" t="inlineStr"><is><t>=HYPERLINK("http://x","y")</t></is></c>'
    assert b"<f>" not in xml


def test_text_is_escaped_for_xml_and_for_excel() -> None:
    # _x0041_ would show as "A" in Excel unless its underscore is escaped as _x005F_
    xml = cell_xml("A1", 0, "s", " a<b & _x0041_ ")
    assert xml == b'<c r="A1" t="inlineStr"><is><t xml:space="preserve"> a&lt;b &amp; _x005F_x0041_ </t></is></c>'


def test_numbers_booleans_formulas_and_blanks() -> None:
    assert cell_xml("C3", 0, "n", "0.1") == b'<c r="C3"><v>0.1</v></c>'
    assert cell_xml("C3", 2, "b", "1") == b'<c r="C3" s="2" t="b"><v>1</v></c>'
    assert cell_xml("C3", 0, "f", 'IF(A1>0,"a&b",0)') == b'<c r="C3"><f>IF(A1&gt;0,"a&amp;b",0)</f></c>'
    assert cell_xml("C3", 5, "", "") == b'<c r="C3" s="5"/>'


# ---- the Leads sheet ----------------------------------------------------------------------------
ROWS = ('<row r="1" spans="1:2"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>7</v></c></row>'
        '<row r="3"><c r="A3"><f t="shared" ref="A3:A4" si="0">B3*2</f><v>14</v></c><c r="C3"><v>1</v></c></row>'
        '<row r="4"><c r="A4"><f t="shared" si="0"/><v>2</v></c></row>')  # fmt: skip


def test_only_the_output_cells_change_and_rows_stay_in_order() -> None:
    old = sheet(ROWS)
    edit = SheetEdit(cells={1: {2: cell_xml("B1", 0, "s", "Score")}, 2: {2: cell_xml("B2", 0, "n", "5")},
                            3: {2: cell_xml("B3", 0, "n", "9")}, 5: {2: cell_xml("B5", 0, "n", "1")}})  # fmt: skip
    new = edit_sheet(old, edit)
    before, after = cells(old), cells(new)
    assert {r: c for r, c in after.items() if not r.startswith("B")} == {r: c for r, c in before.items()
                                                                         if not r.startswith("B")}  # fmt: skip
    assert text_of(new, "B1") == "Score" and text_of(new, "B2") == "5" and text_of(new, "B5") == "1"
    root = etree.fromstring(new)
    assert [r.get("r") for r in root.iter(f"{M}row")] == ["1", "2", "3", "4", "5"]
    assert [c.get("r") for c in root.iter(f"{M}c")] == ["A1", "B1", "B2", "A3", "B3", "C3", "A4", "B5"]
    assert root.find(f"{M}sheetData/{M}row").get("spans") is None  # a hint that would be wrong now
    assert b'<c r="A3"><f t="shared" ref="A3:A4" si="0">B3*2</f><v>14</v></c>' in new  # the bytes themselves


def test_cells_without_references_and_a_prefixed_namespace() -> None:
    old = (f'<?xml version="1.0"?><x:worksheet xmlns:x="{MAIN_NS}"><x:sheetData>'
           '<x:row><x:c><x:v>1</x:v></x:c><x:c><x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>').encode()
    new = edit_sheet(old, SheetEdit(cells={1: {2: cell_xml("B1", 0, "n", "9")}, 2: {1: cell_xml("A2", 0, "n", "3")}}))
    root = etree.fromstring(new)
    values = [[v.text for v in row.iter(f"{M}v")] for row in root.iter(f"{M}row")]
    assert values == [["1", "9"], ["3"]]
    assert b"<x:c r=\"B1\"><x:v>9</x:v></x:c>" in new


def test_head_widths_split_a_column_range_and_panes_freeze_under_the_header() -> None:
    head = '<dimension ref="A1:C4"/><sheetViews><sheetView workbookViewId="0"><selection activeCell="A1"/></sheetView>' \
           '</sheetViews><cols><col min="1" max="4" width="12" customWidth="1" style="2"/></cols>'
    tail = '<conditionalFormatting sqref="A1"><cfRule type="cellIs" priority="1"/></conditionalFormatting>' \
           '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    new = edit_sheet(sheet(ROWS, head, tail), SheetEdit(widths={3: 20.5}, freeze="A2", fit=True, dimension=(2, 2, 5, 4)))
    root = etree.fromstring(new)
    cols = [(c.get("min"), c.get("max"), c.get("width"), c.get("style")) for c in root.iter(f"{M}col")]
    assert cols == [("1", "2", "12", "2"), ("3", "3", "20.5", "2"), ("4", "4", "12", "2")]
    pane = root.find(f"{M}sheetViews/{M}sheetView/{M}pane")
    assert (pane.get("ySplit"), pane.get("topLeftCell"), pane.get("state")) == ("1", "A2", "frozen")
    assert root.find(f"{M}dimension").get("ref") == "A1:D5"
    assert [etree.QName(e).localname for e in root] == ["sheetPr", "dimension", "sheetViews", "cols", "sheetData",
                                                        "conditionalFormatting", "pageMargins", "pageSetup"]  # fmt: skip
    assert root.find(f"{M}pageSetup").get("orientation") == "landscape"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.booleans(), min_size=4, max_size=4), min_size=1, max_size=12),
       st.sets(st.integers(1, 5), min_size=1, max_size=3), st.sets(st.integers(1, 14), max_size=14))
def test_edits_keep_every_other_cell(grid: list[list[bool]], columns: set[int], rows: set[int]) -> None:
    """Any sheet (cells present or not), any output columns and rows: the cells outside the
    edit are the same elements, the edited ones hold the new values, rows and cells in order."""
    letters = "ABCDE"
    xml = "".join(f'<row r="{i}">' + "".join(f'<c r="{letters[j]}{i}"><v>{i * 10 + j}</v></c>'
                                             for j, here in enumerate(line) if here) + "</row>"
                  for i, line in enumerate(grid, start=1))  # fmt: skip
    old = sheet(xml)
    edit = SheetEdit(cells={r: {c: cell_xml(f"{letters[c - 1]}{r}", 0, "n", str(-r * 10 - c)) for c in columns}
                            for r in rows})  # fmt: skip
    new = edit_sheet(old, edit)
    before, after = cells(old), cells(new)
    edited = {f"{letters[c - 1]}{r}" for r in rows for c in columns}
    assert {k: v for k, v in before.items() if k not in edited} == {k: v for k, v in after.items() if k not in edited}
    assert all(text_of(new, ref) == str(-int(ref[1:]) * 10 - (letters.index(ref[0]) + 1)) for ref in edited)
    root = etree.fromstring(new)
    numbers = [int(r.get("r")) for r in root.iter(f"{M}row")]
    assert numbers == sorted(set(numbers))
    for row in root.iter(f"{M}row"):
        refs = [c.get("r")[0] for c in row]
        assert refs == sorted(refs)


# ---- styles.xml ------------------------------------------------------------------------------------
def styles(fonts: str, xfs: str, formats: str = "") -> bytes:
    return (f'<styleSheet xmlns="{MAIN_NS}">{formats}<fonts count="9">{fonts}</fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            f'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="9">{xfs}</cellXfs></styleSheet>').encode()


USER = styles('<font><sz val="11"/><name val="Calibri"/></font><font><i/><sz val="9"/></font>',
              '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
              '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'  # a duplicate, as Excel leaves them
              '<xf numFmtId="165" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>',
              '<numFmts count="2"><numFmt numFmtId="165" formatCode="0.0"/><numFmt numFmtId="170" formatCode="x"/></numFmts>')
SCRATCH = styles('<font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="12"/></font>',
                 '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
                 '<xf numFmtId="164" fontId="1" fillId="0" borderId="0" xfId="0"><alignment wrapText="1"/></xf>'
                 '<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0"/>',
                 '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>')


def test_formats_are_appended_and_existing_indexes_never_move() -> None:
    merge = StyleMerge(USER, SCRATCH)
    assert merge.index(0) == 0  # the same format is reused
    bold, percent = merge.index(1), merge.index(2)
    assert (bold, percent) == (3, 4)
    root = etree.fromstring(merge.to_bytes())
    old = etree.fromstring(USER)
    for group in ("fonts", "cellXfs", "numFmts"):
        mine, theirs = root.find(f"{M}{group}"), old.find(f"{M}{group}")
        assert [etree.tostring(e) for e in mine[:len(theirs)]] == [etree.tostring(e) for e in theirs]
        assert mine.get("count") == str(len(mine))
    xf = root.find(f"{M}cellXfs")[bold]
    assert root.find(f"{M}fonts")[int(xf.get("fontId"))].find(f"{M}b") is not None
    assert xf.find(f"{M}alignment").get("wrapText") == "1"
    number = {f.get("numFmtId"): f.get("formatCode") for f in root.iter(f"{M}numFmt")}
    assert number[xf.get("numFmtId")] == "0.0%" and int(xf.get("numFmtId")) == 171  # after the user's 170
    assert root.find(f"{M}cellXfs")[percent].get("numFmtId") == "10"  # a built-in format keeps its id


def test_a_second_refresh_adds_no_formats() -> None:
    first = StyleMerge(USER, SCRATCH)
    indexes = [first.index(i) for i in range(3)]
    again = StyleMerge(first.to_bytes(), SCRATCH)
    assert [again.index(i) for i in range(3)] == indexes and not again.changed


# ---- the package ----------------------------------------------------------------------------------
def test_parts_not_set_are_written_back_with_their_bytes_and_compression() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
                   zipfile.ZIP_DEFLATED)
        z.writestr("xl/vbaProject.bin", b"\x00\x01binary", zipfile.ZIP_STORED)
        z.writestr("xl/a.xml", b"<a/>", zipfile.ZIP_DEFLATED)
    pkg = Package.read(io.BytesIO(buffer.getvalue()))
    pkg.set("xl/a.xml", b"<b/>", "application/x-test+xml")
    pkg.set("xl/new.xml", b"<n/>")
    out = io.BytesIO()
    pkg.save(out)  # type: ignore[arg-type]
    with zipfile.ZipFile(out) as z:
        assert z.namelist() == ["[Content_Types].xml", "xl/vbaProject.bin", "xl/a.xml", "xl/new.xml"]
        assert z.read("xl/vbaProject.bin") == b"\x00\x01binary"
        assert z.getinfo("xl/vbaProject.bin").compress_type == zipfile.ZIP_STORED
        assert z.read("xl/a.xml") == b"<b/>"
        assert b'PartName="/xl/a.xml" ContentType="application/x-test+xml"' in z.read("[Content_Types].xml")


def test_the_calculation_chain_goes_only_when_it_names_a_changed_cell() -> None:
    from leadscore_xl.refresh.lossless import _names_changed

    chain = etree.fromstring(f'<calcChain xmlns="{MAIN_NS}"><c r="A2" i="1"/><c r="B3"/><c r="C1" i="2"/></calcChain>')
    assert not _names_changed(chain, {"1": {(2, 2)}})  # B2 changed; the chain names A2 and B3 of sheet 1
    assert _names_changed(chain, {"1": {(3, 2)}})  # B3: its sheet is the previous entry's
    assert _names_changed(chain, {"2": None})  # a replaced sheet: every cell changed
    assert not _names_changed(chain, {"3": None})
