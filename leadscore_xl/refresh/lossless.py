"""The lossless save: the user's package with only the refresh's own parts rewritten.

:func:`write_back` takes the original :class:`~leadscore_xl.refresh.package.Package` and a
scratch package that openpyxl wrote with the owned sheets alone (Model, Report, Call
List), and changes, in the original:

* the Leads sheet's output cells (:mod:`~leadscore_xl.refresh.sheetxml`), its table's
  range and columns, and its print area and titles when the refresh set them;
* the owned sheets: each replaced sheet keeps its part name, position and ``sheetId``;
  its old drawings, charts and tables (the parts only it reaches) go, and the scratch
  package's come in under free names, with their relationships and content types; text
  is written as inline strings, so ``sharedStrings.xml`` stays as it is; cell formats
  are appended to ``styles.xml`` (:mod:`~leadscore_xl.refresh.stylesxml`);
* ``workbook.xml``: the new sheets, their sheet-scoped names, ``fullCalcOnLoad`` (Excel
  recalculates on open); the calculation chain goes only if it names a changed cell.

Every other part (VBA and its signature, pivots, slicers, customXml, drawings of other
sheets, themes, shared strings, document properties...) is not parsed and keeps its bytes.
"""

from __future__ import annotations

import copy
import posixpath
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from leadscore_xl.refresh.package import DOC_REL, MAIN_NS, PARSER, REL_NS, Package, child, relative, rels_name, to_bytes
from leadscore_xl.refresh.sheetxml import SheetEdit, cell_xml, col_number, edit_sheet
from leadscore_xl.refresh.stylesxml import StyleMerge
from leadscore_xl.sheet.table import column_letters

__all__ = ["BookParts", "LeadsEdit", "write_back"]

_M = f"{{{MAIN_NS}}}"
_R = f"{{{REL_NS}}}"
_RID = f"{{{DOC_REL}}}id"
_SHEET_TYPE = DOC_REL + "/worksheet"
_WORKBOOK_ORDER = ("fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
                   "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize", "customWorkbookViews",
                   "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr",
                   "webPublishObjects", "extLst")  # fmt: skip


@dataclass
class LeadsEdit:
    """What the refresh changed on the Leads sheet. ``cells``: row -> column -> (kind, text,
    scratch cell format) as :func:`~leadscore_xl.refresh.sheetxml.cell_xml` takes them; the
    sheet's other changes are in ``edit``, whose cells are filled in here."""

    sheet: str
    cells: dict[int, dict[int, tuple[str, str, int]]]
    edit: SheetEdit
    table: str | None = None  # the table's name
    ref: str | None = None  # its new range
    filter_ref: str | None = None
    columns: list[str] = field(default_factory=list)  # every column name, the new ones last
    names: dict[str, str] = field(default_factory=dict)  # _xlnm.Print_Area / _xlnm.Print_Titles -> formula


class BookParts:
    """workbook.xml, its relationships and its sheets, of one package."""

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        root_rels = pkg.rels("")
        self.part = next((r.target for r in root_rels if r.type.endswith("/officeDocument")), "xl/workbook.xml")
        self.root = pkg.xml(self.part)
        self.rels_root = pkg.xml(rels_name(self.part)) if rels_name(self.part) in pkg.parts else None
        self.rels = {r.id: r for r in pkg.rels(self.part)}
        self.sheets = self.root.find(f"{_M}sheets")

    def sheet(self, name: str) -> Any:
        return next((s for s in self.sheets if s.get("name") == name), None)

    def sheet_part(self, name: str) -> str | None:
        element = self.sheet(name)
        return None if element is None else self.rels[element.get(_RID)].target

    def index(self, name: str) -> int:
        return [s.get("name") for s in self.sheets].index(name)

    def add_rel(self, kind: str, target: str) -> str:
        ids = {r.get("Id") for r in self.rels_root}
        k = len(ids) + 1
        while f"rId{k}" in ids:
            k += 1
        etree.SubElement(self.rels_root, f"{_R}Relationship", Id=f"rId{k}", Type=kind,
                         Target=relative(self.part, target))  # fmt: skip
        return f"rId{k}"

    def drop_rel(self, target: str) -> None:
        for r in list(self.rels_root):
            if r.get("Id") in self.rels and self.rels[r.get("Id")].target == target:
                self.rels_root.remove(r)

    def names(self) -> Any:
        return child(self.root, "definedNames", _WORKBOOK_ORDER)

    def set_local_names(self, index: int, names: dict[str, str], replace_all: bool) -> None:
        group = self.names()
        for d in list(group):
            if d.get("localSheetId") == str(index) and (replace_all or d.get("name") in names):
                group.remove(d)
        for name, formula in names.items():
            etree.SubElement(group, f"{_M}definedName", name=name, localSheetId=str(index)).text = formula
        if not len(group):
            self.root.remove(group)

    def save(self) -> None:
        self.pkg.set(self.part, to_bytes(self.root))
        self.pkg.set(rels_name(self.part), to_bytes(self.rels_root))


def write_back(pkg: Package, scratch: Package, leads: list[LeadsEdit], owned: list[str]) -> None:
    """Apply the refresh to ``pkg`` (see the module's docstring)."""
    book, made = BookParts(pkg), BookParts(scratch)
    styles = StyleMerge(pkg.parts[_styles_part(book)], scratch.parts[_styles_part(made)])
    changed: dict[str, set[tuple[int, int]] | None] = {}  # sheetId -> changed cells (None: all)
    for edit in leads:
        edit.edit.cells = {r: {c: cell_xml(f"{column_letters(c)}{r}", styles.index(style), kind, text)
                               for c, (kind, text, style) in row.items()} for r, row in edit.cells.items()}  # fmt: skip
        _edit_leads(book, edit)
        changed[book.sheet(edit.sheet).get("sheetId")] = {(r, c) for r, row in edit.cells.items() for c in row}
    old_parts = {name: book.sheet_part(name) for name in owned}
    keep = _kept(book, {p for p in old_parts.values() if p})
    for name in owned:
        element = _transplant(book, made, styles, name, old_parts[name], keep)
        changed[element.get("sheetId")] = None
    _calc(book, changed)
    if styles.changed:
        pkg.set(_styles_part(book), styles.to_bytes())
    book.save()


def _styles_part(book: BookParts) -> str:
    return next(r.target for r in book.rels.values() if r.type.endswith("/styles"))


# ---- Leads --------------------------------------------------------------------------------------
def _edit_leads(book: BookParts, leads: LeadsEdit) -> None:
    part = book.sheet_part(leads.sheet)
    assert part is not None
    book.pkg.set(part, edit_sheet(book.pkg.parts[part], leads.edit))
    if leads.table is not None:
        for rel in book.pkg.rels(part):
            if rel.type.endswith("/table") and not rel.external:
                table = book.pkg.xml(rel.target)
                if table.get("displayName") == leads.table:
                    book.pkg.set(rel.target, to_bytes(_extend_table(table, leads)))
    if leads.names:
        book.set_local_names(book.index(leads.sheet), leads.names, replace_all=False)


def _extend_table(table: Any, leads: LeadsEdit) -> Any:
    ns = etree.QName(table).namespace
    if leads.ref:
        table.set("ref", leads.ref)
    found = table.find(f"{{{ns}}}autoFilter")
    if found is not None and leads.filter_ref:
        found.set("ref", leads.filter_ref)
    columns = table.find(f"{{{ns}}}tableColumns")
    next_id = max((int(c.get("id", "0")) for c in columns), default=0) + 1
    for k, name in enumerate(leads.columns[len(columns):]):
        etree.SubElement(columns, f"{{{ns}}}tableColumn", id=str(next_id + k), name=name)
    columns.set("count", str(len(columns)))
    return table


# ---- the owned sheets ---------------------------------------------------------------------------
def _kept(book: BookParts, replaced: set[str]) -> set[str]:
    """Parts that something other than the replaced sheets reaches."""
    roots = [r.target for r in book.pkg.rels("") if not r.external and r.target != book.part]
    roots += [r.target for r in book.rels.values() if not r.external and r.target not in replaced]
    return book.pkg.reach(roots) | {book.part}


def _transplant(book: BookParts, made: BookParts, styles: StyleMerge, name: str, old: str | None, keep: set[str]) -> Any:
    pkg, scratch = book.pkg, made.pkg
    source = made.sheet_part(name)
    assert source is not None
    if old is not None:
        for part in pkg.reach([old]) - keep - {old}:
            pkg.remove(part)
        pkg.parts.pop(rels_name(old), None)
        element = book.sheet(name)
    else:
        old = pkg.free_name("xl/worksheets/sheet1.xml")
        pkg.parts[old] = b""
        element = etree.SubElement(book.sheets, f"{_M}sheet", name=name)
        element.set("sheetId", str(max(int(s.get("sheetId", "0")) for s in book.sheets) + 1))
        element.set(_RID, book.add_rel(_SHEET_TYPE, old))
    state = made.sheet(name).get("state")
    element.attrib.pop("state", None)
    if state:
        element.set("state", state)
    names = {source: old}
    for part in sorted(scratch.reach([source]) - {source}):
        names[part] = pkg.free_name(part)
        pkg.parts[names[part]] = b""
    strings = _shared_strings(scratch, made)
    table_id = _max_table_id(pkg)
    for part, target in names.items():
        data = scratch.parts[part]
        if part == source:
            data = _sheet_xml(data, styles, strings)
        elif part.startswith("xl/tables/"):
            table_id += 1
            data = _renumber(data, table_id)
        pkg.set(target, data, scratch.content_type(part))
        _copy_rels(scratch, pkg, part, target, names)
    local = _local_names(made, name)
    book.set_local_names(book.index(name), local, replace_all=True)
    return element


def _copy_rels(scratch: Package, pkg: Package, part: str, target: str, names: dict[str, str]) -> None:
    if rels_name(part) not in scratch.parts:
        return
    root = scratch.xml(rels_name(part))
    for r, rel in zip(root, scratch.rels(part)):
        if not rel.external:
            r.set("Target", relative(target, names[rel.target]))
    pkg.set(rels_name(target), to_bytes(root))


def _local_names(made: BookParts, name: str) -> dict[str, str]:
    found = made.root.find(f"{_M}definedNames")
    index = str(made.index(name))
    return {} if found is None else {d.get("name"): d.text or "" for d in found if d.get("localSheetId") == index}


def _max_table_id(pkg: Package) -> int:
    ids = [int(etree.fromstring(data, PARSER).get("id", "0")) for name, data in pkg.parts.items()
           if posixpath.dirname(name) == "xl/tables" and data]  # fmt: skip
    return max(ids, default=0)


def _renumber(data: bytes, table_id: int) -> bytes:
    root = etree.fromstring(data, PARSER)
    root.set("id", str(table_id))
    return to_bytes(root)


def _shared_strings(scratch: Package, made: BookParts) -> list[Any]:
    part = next((r.target for r in made.rels.values() if r.type.endswith("/sharedStrings")), None)
    return [] if part is None or part not in scratch.parts else list(scratch.xml(part))


def _sheet_xml(data: bytes, styles: StyleMerge, strings: list[Any]) -> bytes:
    """A scratch sheet with the user's style indexes and its text as inline strings."""
    root = etree.fromstring(data, PARSER)
    for cell in root.iter(f"{_M}c"):
        if cell.get("s") is not None:
            cell.set("s", str(styles.index(int(cell.get("s")))))
        if cell.get("t") == "s":
            value = cell.find(f"{_M}v")
            cell.remove(value)
            cell.set("t", "inlineStr")
            inline = etree.SubElement(cell, f"{_M}is")
            for piece in strings[int(value.text)]:
                inline.append(copy.deepcopy(piece))
    for row in root.iter(f"{_M}row"):
        if row.get("s") is not None:
            row.set("s", str(styles.index(int(row.get("s")))))
    for col in root.iter(f"{_M}col"):
        if col.get("style") is not None:
            col.set("style", str(styles.index(int(col.get("style")))))
    return to_bytes(root)



# ---- recalculation ------------------------------------------------------------------------------
def _calc(book: BookParts, changed: dict[str, set[tuple[int, int]] | None]) -> None:
    child(book.root, "calcPr", _WORKBOOK_ORDER).set("fullCalcOnLoad", "1")
    chain = next((r.target for r in book.rels.values() if r.type.endswith("/calcChain")), None)
    if chain is None or chain not in book.pkg.parts or not _names_changed(book.pkg.xml(chain), changed):
        return
    book.pkg.remove(chain)
    book.drop_rel(chain)


def _names_changed(chain: Any, changed: dict[str, set[tuple[int, int]] | None]) -> bool:
    sheet = None
    for c in chain:
        sheet = c.get("i", sheet)
        if sheet not in changed:
            continue
        cells = changed[sheet]
        ref = c.get("r", "")
        letters = ref.rstrip("0123456789")
        if cells is None or (int(ref[len(letters):]), col_number(letters)) in cells:
            return True
    return False
