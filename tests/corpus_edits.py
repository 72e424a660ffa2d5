"""Package edits for the corpus (tests/corpus.py): zipfile + lxml, what no writer library
makes. Each edit adds parts, their relationships and content types to a package held in
memory: a shared formula in Leads (as Excel saves a filled-down formula), a pivot table
with its cache and records, a table slicer, a threaded comment with its person list,
customXml and a calculation chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

__all__ = ["EDITS", "MAIN", "PKG", "REL", "Package", "edit_package"]

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
X15 = "http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"
TC = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"

EDITS = ("shared", "pivot", "slicer", "threaded", "customxml", "calcchain")


# ---- package edits --------------------------------------------------------------------------
class Package:
    """A zip package as ordered parts, edited in memory."""

    def __init__(self, path: Path) -> None:
        import zipfile

        with zipfile.ZipFile(path) as z:
            self.parts = {i.filename: z.read(i.filename) for i in z.infolist()}

    def save(self, path: Path) -> None:
        import zipfile

        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in self.parts.items():
                z.writestr(name, data)

    def xml(self, name: str) -> Any:
        return etree.fromstring(self.parts[name])

    def put(self, name: str, root_or_bytes: Any, content_type: str | None = None) -> None:
        data = root_or_bytes if isinstance(root_or_bytes, bytes) else etree.tostring(
            root_or_bytes, xml_declaration=True, encoding="UTF-8", standalone=True)
        self.parts[name] = data
        if content_type:
            types = self.xml("[Content_Types].xml")
            etree.SubElement(types, f"{{{CT}}}Override", PartName="/" + name, ContentType=content_type)
            self.parts["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8",
                                                               standalone=True)

    def relate(self, source: str, target: str, kind: str) -> str:
        """Add a relationship from ``source`` (a part name) to ``target`` (relative); its id."""
        folder, base = source.rsplit("/", 1) if "/" in source else ("", source)
        rels = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
        root = self.xml(rels) if rels in self.parts else etree.Element(f"{{{PKG}}}Relationships", nsmap={None: PKG})
        used = {r.get("Id") for r in root}
        rid = next(f"rId{k}" for k in range(1, 999) if f"rId{k}" not in used)
        etree.SubElement(root, f"{{{PKG}}}Relationship", Id=rid, Type=kind, Target=target)
        self.put(rels, root)
        return rid

    def sheet_part(self, title: str) -> str:
        wb = self.xml("xl/workbook.xml")
        rels = {r.get("Id"): r.get("Target") for r in self.xml("xl/_rels/workbook.xml.rels")}
        for s in wb.iter(f"{{{MAIN}}}sheet"):
            if s.get("name") == title:
                target = rels[s.get(f"{{{REL}}}id")].lstrip("/")
                return target if target.startswith("xl/") else "xl/" + target
        raise KeyError(title)


def _ext(parent: Any, uri: str) -> Any:
    """The ``<extLst><ext uri=...>`` child of ``parent`` (made at the end)."""
    lst = parent.find(f"{{{MAIN}}}extLst")
    if lst is None:
        lst = etree.SubElement(parent, f"{{{MAIN}}}extLst")
    return etree.SubElement(lst, f"{{{MAIN}}}ext", uri=uri)


def _insert_workbook_child(wb: Any, element: Any, after: tuple[str, ...]) -> None:
    """Put ``element`` after the last of the ``after`` children (schema order)."""
    index = max((i for i, c in enumerate(wb) if etree.QName(c).localname in after), default=len(wb) - 1)
    wb.insert(index + 1, element)


PIVOT_ROWS = [("Region", "Amount"), ("EMEA", 10), ("APAC", 20), ("LATAM", 30)]


def _pivot_sheet(pkg: Package) -> str:
    """A sheet "Pivot": the source range A1:B4 and the pivot table's cells at D1:E5."""
    rows = PIVOT_ROWS
    wb = pkg.xml("xl/workbook.xml")
    sheets = wb.find(f"{{{MAIN}}}sheets")
    sheet_id = max(int(s.get("sheetId")) for s in sheets) + 1
    n = 1 + max(int(p[len("xl/worksheets/sheet"):-4]) for p in pkg.parts if p.startswith("xl/worksheets/sheet")
                and p.endswith(".xml"))
    part = f"xl/worksheets/sheet{n}.xml"
    cells = []
    for i, row in enumerate(rows + [("Grand Total", 60)], start=1):
        src = "".join(f'<c r="{c}{i}" t="inlineStr"><is><t>{v}</t></is></c>' if isinstance(v, str)
                      else f'<c r="{c}{i}"><v>{v}</v></c>' for c, v in zip("AB", row)) if i <= 4 else ""
        label, value = (("Row Labels", "Sum of Amount") if i == 1 else (rows[i - 1] if i <= 4 else row))
        out = f'<c r="D{i}" t="inlineStr"><is><t>{label}</t></is></c>'
        out += f'<c r="E{i}" t="inlineStr"><is><t>{value}</t></is></c>' if i == 1 else f'<c r="E{i}"><v>{value}</v></c>'
        cells.append(f'<row r="{i}">{src}{out}</row>')
    pkg.put(part, f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" '
                  f'xmlns:r="{REL}"><sheetData>{"".join(cells)}</sheetData></worksheet>'.encode(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml")
    rid = pkg.relate("xl/workbook.xml", f"worksheets/sheet{n}.xml", f"{REL}/worksheet")
    wb = pkg.xml("xl/workbook.xml")
    sheets = wb.find(f"{{{MAIN}}}sheets")
    etree.SubElement(sheets, f"{{{MAIN}}}sheet", {"name": "Pivot", "sheetId": str(sheet_id), f"{{{REL}}}id": rid})
    pkg.put("xl/workbook.xml", wb)
    return part


def _pivot_cache(pkg: Package) -> None:
    rows = PIVOT_ROWS
    records = "".join(f'<r><x v="{k}"/><n v="{v}"/></r>' for k, (_, v) in enumerate(rows[1:]))
    pkg.put("xl/pivotCache/pivotCacheRecords1.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<pivotCacheRecords xmlns="{MAIN}" '
            f'xmlns:r="{REL}" count="3">{records}</pivotCacheRecords>'.encode(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheRecords+xml")
    rec = pkg.relate("xl/pivotCache/pivotCacheDefinition1.xml", "pivotCacheRecords1.xml", f"{REL}/pivotCacheRecords")
    items = "".join(f'<s v="{r[0]}"/>' for r in rows[1:])
    pkg.put("xl/pivotCache/pivotCacheDefinition1.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<pivotCacheDefinition xmlns="{MAIN}" '
            f'xmlns:r="{REL}" r:id="{rec}" refreshOnLoad="0" createdVersion="6" refreshedVersion="6" '
            f'minRefreshableVersion="3" recordCount="3"><cacheSource type="worksheet"><worksheetSource ref="A1:B4" '
            f'sheet="Pivot"/></cacheSource><cacheFields count="2"><cacheField name="Region" numFmtId="0">'
            f'<sharedItems count="3">{items}</sharedItems></cacheField><cacheField name="Amount" numFmtId="0">'
            f'<sharedItems containsSemiMixedTypes="0" containsString="0" containsNumber="1" containsInteger="1" '
            f'minValue="10" maxValue="30"/></cacheField></cacheFields></pivotCacheDefinition>'.encode(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheDefinition+xml")


def _edit_pivot(pkg: Package) -> None:
    """A pivot table with its cache and records over a sheet "Pivot" (Sum of Amount by Region)."""
    part = _pivot_sheet(pkg)
    _pivot_cache(pkg)
    pkg.put("xl/pivotTables/pivotTable1.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<pivotTableDefinition xmlns="{MAIN}" '
            'name="PivotTable1" cacheId="7" applyNumberFormats="0" applyBorderFormats="0" applyFontFormats="0" '
            'applyPatternFormats="0" applyAlignmentFormats="0" applyWidthHeightFormats="1" dataCaption="Values" '
            'updatedVersion="6" minRefreshableVersion="3" createdVersion="6" useAutoFormatting="1" '
            'itemPrintTitles="1" indent="0" outline="1" outlineData="1"><location ref="D1:E5" firstHeaderRow="1" '
            'firstDataRow="1" firstDataCol="1"/><pivotFields count="2"><pivotField axis="axisRow" showAll="0">'
            '<items count="4"><item x="0"/><item x="1"/><item x="2"/><item t="default"/></items></pivotField>'
            '<pivotField dataField="1" showAll="0"/></pivotFields><rowFields count="1"><field x="0"/></rowFields>'
            '<rowItems count="4"><i><x/></i><i><x v="1"/></i><i><x v="2"/></i><i t="grand"><x/></i></rowItems>'
            '<colItems count="1"><i/></colItems><dataFields count="1"><dataField name="Sum of Amount" fld="1" '
            'baseField="0" baseItem="0"/></dataFields><pivotTableStyleInfo name="PivotStyleLight16" '
            'showRowHeaders="1" showColHeaders="1" showRowStripes="0" showColStripes="0" showLastColumn="1"/>'
            '</pivotTableDefinition>'.encode(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotTable+xml")
    pkg.relate("xl/pivotTables/pivotTable1.xml", "../pivotCache/pivotCacheDefinition1.xml",
               f"{REL}/pivotCacheDefinition")
    pkg.relate(part, "../pivotTables/pivotTable1.xml", f"{REL}/pivotTable")
    cache_rid = pkg.relate("xl/workbook.xml", "pivotCache/pivotCacheDefinition1.xml", f"{REL}/pivotCacheDefinition")
    wb = pkg.xml("xl/workbook.xml")
    caches = etree.Element(f"{{{MAIN}}}pivotCaches")
    etree.SubElement(caches, f"{{{MAIN}}}pivotCache", {"cacheId": "7", f"{{{REL}}}id": cache_rid})
    _insert_workbook_child(wb, caches, ("sheets", "functionGroups", "externalReferences", "definedNames", "calcPr",
                                        "oleSize", "customWorkbookViews"))
    pkg.put("xl/workbook.xml", wb)


def _table_id_and_column(pkg: Package, sheet: str, header: str) -> tuple[int, int]:
    part = pkg.sheet_part(sheet)
    folder, base = part.rsplit("/", 1)
    for r in pkg.xml(f"{folder}/_rels/{base}.rels"):
        if r.get("Type").endswith("/table"):
            table = pkg.xml("xl/tables/" + r.get("Target").rsplit("/", 1)[1])
            names = [c.get("name") for c in table.iter(f"{{{MAIN}}}tableColumn")]
            return int(table.get("id")), names.index(header) + 1
    raise KeyError(sheet)


def _edit_slicer(pkg: Package) -> None:
    """A table slicer on the Leads table's Region column (cache, slicer and both extLst)."""
    table_id, column = _table_id_and_column(pkg, "Leads", "Region")
    pkg.put("xl/slicerCaches/slicerCache1.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<slicerCacheDefinition xmlns="{X14}" '
            f'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x" '
            f'xmlns:x="{MAIN}" name="Slicer_Region" sourceName="Region"><extLst><x:ext '
            f'uri="{{2F2917AC-EB37-4324-AD4E-5DD8C200BD13}}" xmlns:x15="{X15}"><x15:tableSlicerCache '
            f'tableId="{table_id}" column="{column}"/></x:ext></extLst></slicerCacheDefinition>'.encode(),
            "application/vnd.ms-excel.slicerCache+xml")
    pkg.put("xl/slicers/slicer1.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<slicers xmlns="{X14}" '
            f'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x" '
            f'xmlns:x="{MAIN}"><slicer name="Region" cache="Slicer_Region" caption="Region" rowHeight="241300"/>'
            '</slicers>'.encode(), "application/vnd.ms-excel.slicer+xml")
    part = pkg.sheet_part("Leads")
    rid = pkg.relate(part, "../slicers/slicer1.xml", "http://schemas.microsoft.com/office/2007/relationships/slicer")
    sheet = pkg.xml(part)
    ext = _ext(sheet, "{3A4CF648-6AED-40f4-86FF-DC5316D8AED3}")
    lst = etree.SubElement(ext, f"{{{X14}}}slicerList", nsmap={"x14": X14})
    etree.SubElement(lst, f"{{{X14}}}slicer", {f"{{{REL}}}id": rid})
    pkg.put(part, sheet)
    cache = pkg.relate("xl/workbook.xml", "slicerCaches/slicerCache1.xml",
                       "http://schemas.microsoft.com/office/2007/relationships/slicerCache")
    wb = pkg.xml("xl/workbook.xml")
    ext = _ext(wb, "{46BE6895-7355-4a93-B00E-2C351335B9C9}")
    caches = etree.SubElement(ext, f"{{{X15}}}slicerCaches", nsmap={"x15": X15, "x14": X14})
    etree.SubElement(caches, f"{{{X14}}}slicerCache", {f"{{{REL}}}id": cache})
    pkg.put("xl/workbook.xml", wb)


def _edit_threaded(pkg: Package) -> None:
    """A threaded comment (and its person list) on the Leads note's cell."""
    person = "{8A3C5D1E-1111-4B2C-9D3E-ABCDEF012345}"
    part = pkg.sheet_part("Leads")
    sheet = pkg.xml(part)
    ref = next(c.get("r") for c in sheet.iter(f"{{{MAIN}}}c"))
    folder, base = part.rsplit("/", 1)
    comments = [r for r in pkg.xml(f"{folder}/_rels/{base}.rels") if r.get("Type").endswith("/comments")]
    if comments:  # the cell of the legacy note (XlsxWriter's "comments" feature)
        name = "xl/" + comments[0].get("Target").split("../", 1)[-1]
        ref = next(pkg.xml(name).iter(f"{{{MAIN}}}comment")).get("ref")
    pkg.put("xl/threadedComments/threadedComment1.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<ThreadedComments xmlns="{TC}" '
            f'xmlns:x="{MAIN}"><threadedComment ref="{ref}" dT="2026-03-01T10:00:00.00" personId="{person}" '
            'id="{0F000000-0000-4000-8000-000000000001}"><text>Key account: call before Easter</text>'
            '</threadedComment></ThreadedComments>'.encode(), "application/vnd.ms-excel.threadedcomments+xml")
    pkg.put("xl/persons/person.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<personList xmlns="{TC}" xmlns:x="{MAIN}">'
            f'<person displayName="Ana Analyst" id="{person}" userId="ana@example.com" providerId="None"/>'
            '</personList>'.encode(), "application/vnd.ms-excel.person+xml")
    pkg.relate(part, "../threadedComments/threadedComment1.xml",
               "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment")
    pkg.relate("xl/workbook.xml", "persons/person.xml",
               "http://schemas.microsoft.com/office/2017/10/relationships/person")


def _edit_customxml(pkg: Package) -> None:
    pkg.put("customXml/item1.xml", b'<?xml version="1.0" encoding="UTF-8"?>\n<crm xmlns="urn:leadscore-corpus">'
                                   b'<owner>sales-ops</owner><export>2026-03-30</export></crm>')
    types = pkg.xml("[Content_Types].xml")
    if not any(d.get("Extension") == "xml" for d in types.iter(f"{{{CT}}}Default")):
        etree.SubElement(types, f"{{{CT}}}Default", Extension="xml", ContentType="application/xml")
        pkg.put("[Content_Types].xml", types)
    pkg.put("customXml/itemProps1.xml",
            b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<ds:datastoreItem '
            b'ds:itemID="{5B1B8A10-2222-4C3D-8E4F-0123456789AB}" '
            b'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"><ds:schemaRefs>'
            b'<ds:schemaRef ds:uri="urn:leadscore-corpus"/></ds:schemaRefs></ds:datastoreItem>',
            "application/vnd.openxmlformats-officedocument.customXmlProperties+xml")
    pkg.relate("customXml/item1.xml", "itemProps1.xml", f"{REL}/customXmlProps")
    pkg.relate("xl/workbook.xml", "../customXml/item1.xml", f"{REL}/customXml")


def _edit_calcchain(pkg: Package) -> None:
    """A calculation chain naming the formula cells of every sheet."""
    wb = pkg.xml("xl/workbook.xml")
    entries = []
    for s in wb.iter(f"{{{MAIN}}}sheet"):
        sheet = pkg.xml(pkg.sheet_part(s.get("name")))
        entries += [f'<c r="{c.get("r")}" i="{s.get("sheetId")}"/>' for c in sheet.iter(f"{{{MAIN}}}c")
                    if c.find(f"{{{MAIN}}}f") is not None]
    if not entries or "xl/calcChain.xml" in pkg.parts:
        return
    pkg.put("xl/calcChain.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain '
                                f'xmlns="{MAIN}">{"".join(entries)}</calcChain>'.encode(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml")
    pkg.relate("xl/workbook.xml", "calcChain.xml", f"{REL}/calcChain")


def _edit_shared(pkg: Package) -> None:
    """Leads' filled-down formula column as Excel saves it: one shared formula (values kept)."""
    part = pkg.sheet_part("Leads")
    sheet = pkg.xml(part)
    by_column: dict[str, list[Any]] = {}
    for c in sheet.iter(f"{{{MAIN}}}c"):
        if c.find(f"{{{MAIN}}}f") is not None:
            by_column.setdefault(c.get("r").rstrip("0123456789"), []).append(c)
    for si, cells in enumerate(c for c in by_column.values() if len(c) > 1):
        first, last = cells[0].get("r"), cells[-1].get("r")
        for k, c in enumerate(cells):
            f = c.find(f"{{{MAIN}}}f")
            f.attrib.clear()
            f.set("t", "shared")
            if k == 0:
                f.set("ref", f"{first}:{last}")
            else:
                f.text = None
            f.set("si", str(si))
    pkg.put(part, sheet)


_EDITORS = {"shared": _edit_shared, "pivot": _edit_pivot, "slicer": _edit_slicer, "threaded": _edit_threaded,
            "customxml": _edit_customxml, "calcchain": _edit_calcchain}


def edit_package(path: Path, edits: tuple[str, ...]) -> None:
    pkg = Package(path)
    for edit in edits:
        _EDITORS[edit](pkg)
    pkg.save(path)


