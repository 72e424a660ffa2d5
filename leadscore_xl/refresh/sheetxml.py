"""The Leads sheet's XML, edited in place: only the output cells and the sheet's head.

:func:`edit_sheet` splits the worksheet part at ``<sheetData>``. The rows are streamed
as bytes: a row the refresh writes to keeps every other ``<c>`` element byte for byte,
the output cells are replaced or inserted in column order, and a row's ``spans`` hint
is dropped (it is optional). The rest of the part (the head and the tail: dimension,
columns, views, page setup; conditional formats, data validation, drawings, tables...)
is parsed with lxml, the few settings the refresh owns are set, and everything else is
written back as it was.

A cell is made by :func:`cell_xml`: text as an inline string (never a formula, and with
``_xHHHH_`` escaped so that Excel shows it literally), a formula as ``<f>``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from leadscore_xl.refresh.package import MAIN_NS, PARSER, child, to_bytes
from leadscore_xl.sheet.table import column_letters

__all__ = ["SheetEdit", "cell_xml", "col_number", "drop_cells", "edit_sheet", "row_span"]

_NAME = rb"(?:[A-Za-z_][\w.-]*:)?"
_ROW = re.compile(rb"<(" + _NAME + rb")row(?=[\s/>])([^>]*?)(/>|>(.*?)</" + _NAME + rb"row>)", re.S)
_CELL = re.compile(rb"<" + _NAME + rb"c(?=[\s/>])[^>]*?(?:/>|>.*?</" + _NAME + rb"c>)", re.S)
_EXT = re.compile(rb"<" + _NAME + rb"extLst(?=[\s/>]).*?</" + _NAME + rb"extLst>", re.S)
_CELL_REF = re.compile(rb'\sr="\$?([A-Z]{1,3})\$?\d+"')
_ROW_REF = re.compile(rb'\sr="(\d+)"')
_SPANS = re.compile(rb'\sspans="[^"]*"')
_STYLE = re.compile(rb'\ss="(\d+)"')
_HEIGHT = re.compile(rb'\s(?:ht|customHeight)="[^"]*"')
_SHEET_DATA = re.compile(rb"<(" + _NAME + rb")sheetData(?=[\s/>])[^>]*?(/>|>)")
_ESCAPED = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_REF_BOX = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")
_M = f"{{{MAIN_NS}}}"
# CT_Worksheet's children in schema order: where a missing element is inserted.
_ORDER = ("sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr", "sheetProtection",
          "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate", "customSheetViews",
          "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions",
          "pageMargins", "pageSetup", "headerFooter")  # fmt: skip


@dataclass
class SheetEdit:
    """What the refresh changes on a sheet. ``cells``: row -> column -> the new ``<c>``
    element (``b""`` removes the cell); ``heights``: row -> points; ``widths``: column ->
    characters; ``freeze``: a cell such as ``"A2"`` to freeze panes at; ``fit``: print
    landscape, one page wide; ``dimension``: (top, left, bottom, right) of the cells
    written, which the used range is widened to."""

    cells: dict[int, dict[int, bytes]] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)
    freeze: str | None = None
    fit: bool = False
    dimension: tuple[int, int, int, int] | None = None


def col_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cell_xml(ref: str, style: int, kind: str, text: str) -> bytes:
    """One ``<c>``: kind "s" text, "n" a number, "b" a boolean ("1"/"0"), "f" a formula
    (without its "="), "" no value (a formatted blank)."""
    s = f' s="{style}"' if style else ""
    if kind == "s":
        body = _escape(_ESCAPED.sub(r"_x005F_\1", text))
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{body}</t></is></c>'.encode()
    if kind == "n":
        return f'<c r="{ref}"{s}><v>{text}</v></c>'.encode()
    if kind == "b":
        return f'<c r="{ref}"{s} t="b"><v>{text}</v></c>'.encode()
    if kind == "f":
        return f'<c r="{ref}"{s}><f>{_escape(text)}</f></c>'.encode()
    return f'<c r="{ref}"{s}/>'.encode()


def edit_sheet(xml: bytes, edit: SheetEdit) -> bytes:
    found = _SHEET_DATA.search(xml)
    if found is None:
        raise ValueError("no sheetData")
    prefix = found.group(1)
    if found.group(2) == b"/>":
        body, end = b"", found.end()
    else:
        close = b"</" + prefix + b"sheetData>"
        end = xml.index(close, found.end())
        body, end = xml[found.end():end], end + len(close)
    root = etree.fromstring(xml[:found.start()] + b"<" + prefix + b"sheetData/>" + xml[end:], PARSER)
    _edit_head(root, edit)
    outside = to_bytes(root)
    spot = _SHEET_DATA.search(outside)
    assert spot is not None and spot.group(2) == b"/>"
    rows = _edit_rows(body, edit, prefix)
    return b"".join([outside[:spot.start()], b"<", prefix, b"sheetData>", rows, b"</", prefix, b"sheetData>",
                     outside[spot.end():]])  # fmt: skip


# ---- rows ---------------------------------------------------------------------------------
def _edit_rows(body: bytes, edit: SheetEdit, prefix: bytes) -> bytes:
    todo = sorted(set(edit.cells) | set(edit.heights))
    if not todo:
        return body
    fast = _append_rows(body, edit, prefix)
    if fast is not None:
        return fast
    out: list[bytes] = []
    pos, last, k = 0, 0, 0
    for row in _ROW.finditer(body):
        ref = _ROW_REF.search(row.group(2))
        r = int(ref.group(1)) if ref else last + 1
        last = r
        while k < len(todo) and todo[k] < r:  # rows the file does not hold
            out += [body[pos:row.start()], _new_row(todo[k], edit, prefix)]
            pos, k = row.start(), k + 1
        if k < len(todo) and todo[k] == r:
            out += [body[pos:row.start()], _row(row, r, edit, prefix)]
            pos, k = row.end(), k + 1
    out.append(body[pos:])
    out += [_new_row(r, edit, prefix) for r in todo[k:]]
    return b"".join(out)


def _append_rows(body: bytes, edit: SheetEdit, prefix: bytes) -> bytes | None:
    """The common case at C speed: the edited rows are consecutive rows of the file, each
    row and cell starts with its reference, and no cell lies right of the first output
    column except output cells. The old output cells are cut out of those rows by one
    substitution and the new ones appended to each row. None when the case does not apply."""
    columns = sorted({c for row in edit.cells.values() for c in row})
    rows = sorted(set(edit.cells) | set(edit.heights))
    if prefix or not columns or rows[-1] - rows[0] + 1 != len(rows):
        return None
    if body.count(b"<c ") + body.count(b"<c>") != body.count(b'<c r="') or \
            body.count(b"<row ") + body.count(b"<row>") != body.count(b'<row r="'):
        return None
    letters = {column_letters(c) for c in columns}
    others = {x.decode() for x in set(re.findall(rb'<c r="([A-Z]{1,3})\d', body))} - letters
    first, last = _row_start(body, rows[0]), _row_start(body, rows[-1] + 1)
    if any(col_number(x) > columns[0] for x in others) or first is None:
        return None
    last = len(body) if last is None else last
    middle = body[first:last]
    if re.search(rb"<row[^>]*/>|<extLst", middle):
        return None
    cut = re.compile(rb'<c r="(?:' + "|".join(sorted(letters)).encode() + rb')\d+"[^>]*?(?:/>|>.*?</c>)', re.S)
    chunks = cut.sub(b"", middle).split(b"</row>")
    if len(chunks) != len(rows) + 1 or chunks[-1].strip():
        return None
    out = []
    for r, chunk in zip(rows, chunks):
        end = chunk.find(b">")
        if not chunk.startswith(b"<row ") or int(chunk[chunk.index(b'r="') + 3:chunk.index(b'"', chunk.index(b'r="') + 3)]) != r:
            return None
        new = edit.cells.get(r)
        attrs = chunk[5:end]
        if r in edit.heights or b"spans=" in attrs:
            attrs = _row_attrs(attrs, r, edit)
        out += [chunk[:5], attrs, chunk[end:],
                b"".join(data for _, data in sorted(new.items())) if new else b"", b"</row>"]
    out.append(chunks[-1])
    return body[:first] + b"".join(out) + body[last:]


def _row_start(body: bytes, r: int) -> int | None:
    found = re.search(rb'<row r="%d"' % r, body)
    return None if found is None else found.start()


def _with_prefix(cell: bytes, prefix: bytes) -> bytes:
    if not prefix:
        return cell
    return b"<" + prefix + cell[1:].replace(b"<", b"<" + prefix).replace(b"<" + prefix + b"/", b"</" + prefix)


def _row_attrs(attrs: bytes, r: int, edit: SheetEdit) -> bytes:
    attrs = _SPANS.sub(b"", attrs)
    if r in edit.heights:
        attrs = _HEIGHT.sub(b"", attrs) + f' ht="{edit.heights[r]:g}" customHeight="1"'.encode()
    return attrs


def _new_row(r: int, edit: SheetEdit, prefix: bytes) -> bytes:
    cells = [_with_prefix(c, prefix) for _, c in sorted(edit.cells.get(r, {}).items()) if c]
    attrs = _row_attrs(f' r="{r}"'.encode(), r, edit)
    return b"<" + prefix + b"row" + attrs + b">" + b"".join(cells) + b"</" + prefix + b"row>"


def _row(match: re.Match[bytes], r: int, edit: SheetEdit, prefix: bytes) -> bytes:
    new = edit.cells.get(r, {})
    inner = match.group(4) or b""
    cells: list[tuple[int, bytes]] = []
    col = 0
    for cell in _CELL.finditer(inner):
        data = cell.group()
        ref = _CELL_REF.search(data, 0, data.find(b">"))
        col = col_number(ref.group(1)) if ref else col + 1
        if col not in new:
            cells.append((col, data))
    cells += [(c, _with_prefix(data, match.group(1))) for c, data in new.items() if data]
    cells.sort(key=lambda item: item[0])
    ext = _EXT.search(inner)
    tail = [ext.group()] if ext else []
    tag = match.group(1)
    return b"".join([b"<", tag, b"row", _row_attrs(match.group(2).rstrip(b"/"), r, edit), b">",
                     *(c for _, c in cells), *tail, b"</", tag, b"row>"])  # fmt: skip


# ---- the head: columns, dimension, panes, page setup --------------------------------------------
def _child(root: Any, name: str) -> Any:
    return child(root, name, _ORDER)


def _edit_head(root: Any, edit: SheetEdit) -> None:
    if edit.dimension:
        element = _child(root, "dimension")
        top, left, bottom, right = edit.dimension
        old = _REF_BOX.match(element.get("ref", ""))
        if old:
            left, top = min(left, col_number(old.group(1))), min(top, int(old.group(2)))
            right = max(right, col_number(old.group(3) or old.group(1)))
            bottom = max(bottom, int(old.group(4) or old.group(2)))
        element.set("ref", used_range(top, left, bottom, right))
    if edit.widths:
        _set_widths(_child(root, "cols"), edit.widths)
    if edit.freeze:
        _freeze(_child(root, "sheetViews"), edit.freeze)
    if edit.fit:
        props = _child(root, "sheetPr")
        setup = props.find(_M + "pageSetUpPr")
        if setup is None:
            setup = etree.SubElement(props, _M + "pageSetUpPr")
        setup.set("fitToPage", "1")
        page = _child(root, "pageSetup")
        page.attrib.update({"orientation": "landscape", "fitToWidth": "1", "fitToHeight": "0"})


def _set_widths(cols: Any, widths: Mapping[int, float]) -> None:
    for col, width in sorted(widths.items()):
        element = _single_col(cols, col)
        if element.get("width") is None or float(element.get("width")) != width:
            element.set("width", f"{width:g}")
            element.set("customWidth", "1")
    for element in sorted(cols, key=lambda e: int(e.get("min", "0"))):
        cols.append(element)  # in order of their first column


def _single_col(cols: Any, col: int) -> Any:
    """The ``<col>`` element of ``col`` alone, splitting a range that covers it."""
    for element in cols:
        low, high = int(element.get("min", "0")), int(element.get("max", "0"))
        if low <= col <= high:
            if low == high:
                return element
            pieces = [(a, b) for a, b in ((low, col - 1), (col, col), (col + 1, high)) if a <= b]
            made = {}
            for a, b in pieces:
                piece = etree.Element(_M + "col", dict(element.attrib))
                piece.set("min", str(a))
                piece.set("max", str(b))
                element.addprevious(piece)
                made[a] = piece
            cols.remove(element)
            return made[col]
    return etree.SubElement(cols, _M + "col", min=str(col), max=str(col))


def _freeze(views: Any, cell: str) -> None:
    view = views.find(_M + "sheetView")
    if view is None:
        view = etree.SubElement(views, _M + "sheetView", workbookViewId="0")
    if view.find(_M + "pane") is not None:
        return
    letters = cell.rstrip("0123456789")
    x, y = col_number(letters) - 1, int(cell[len(letters):]) - 1
    pane = etree.Element(_M + "pane")
    if x:
        pane.set("xSplit", str(x))
    if y:
        pane.set("ySplit", str(y))
    active = "bottomRight" if x and y else "bottomLeft" if y else "topRight"
    pane.attrib.update({"topLeftCell": cell, "activePane": active, "state": "frozen"})
    view.insert(0, pane)
    for selection in view.findall(_M + "selection"):
        selection.set("pane", active)


def used_range(top: int, left: int, bottom: int, right: int) -> str:
    return f"{column_letters(left)}{top}:{column_letters(right)}{bottom}"


def row_span(xml: bytes, first: int, last: int, start: int = 0, end: int | None = None,
             prefix: bytes = b"") -> tuple[int, int] | None:
    """Byte offsets, within ``start``..``end``, from the first row numbered ``first`` or
    more to the first row after ``last`` (else ``end``); None when no row is numbered
    ``first`` or more (rows whose reference is not their first attribute are not seen)."""
    end = len(xml) if end is None else end
    begin = None
    for row in re.compile(b"<" + prefix + rb'row r="(\d+)"').finditer(xml, start, end):
        r = int(row.group(1))
        if begin is None and r >= first:
            begin = row.start()
        if r > last:
            return (begin if begin is not None else row.start()), row.start()
    return None if begin is None else (begin, end)


def drop_cells(xml: bytes, columns: set[int], first_row: int, last_row: int,
               styled: set[int] = frozenset()) -> tuple[bytes, dict[tuple[int, int], int]]:  # type: ignore[assignment]
    """The sheet without its cells in ``columns`` of rows ``first_row``..``last_row`` (for a
    lighter copy to load; cells whose reference is not their first attribute are kept), and
    the cell format (``s``) of each dropped cell in the ``styled`` columns, by (row, column)."""
    found = _SHEET_DATA.search(xml)
    styles: dict[tuple[int, int], int] = {}
    if found is None or found.group(2) == b"/>" or not columns:
        return xml, styles
    prefix = found.group(1)
    span = row_span(xml, first_row, last_row, found.end(), xml.index(b"</" + prefix + b"sheetData>", found.end()),
                    prefix)  # fmt: skip
    if span is None:
        return xml, styles
    begin, stop = span

    def pattern(cols: set[int]) -> re.Pattern[bytes]:
        letters = b"|".join(column_letters(c).encode() for c in sorted(cols))
        return re.compile(b"<" + prefix + b'c r="(' + letters + rb')(\d+)"([^>]*?)(?:/>|>.*?</' + prefix + b"c>)", re.S)

    def keep_style(cell: re.Match[bytes]) -> bytes:
        s = _STYLE.search(cell.group(3))
        if s is not None and s.group(1) != b"0":
            styles[(int(cell.group(2)), col_number(cell.group(1)))] = int(s.group(1))
        return b""

    middle = xml[begin:stop]
    if columns - styled:
        middle = pattern(columns - styled).sub(b"", middle)
    if styled & columns:
        middle = pattern(styled & columns).sub(keep_style, middle)
    return xml[:begin] + middle + xml[stop:], styles
