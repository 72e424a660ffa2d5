"""File safety without openpyxl: which parts a round trip would drop, and the atomic save.

:func:`atomic_save` writes to a temporary file in the target's folder, fsyncs it and
``os.replace`` it over the target: a run killed at any moment leaves either the old
file or the new one, never a half-written workbook.

openpyxl re-writes the whole package. It writes back sheets, cells, styles, tables,
defined names, data validation, conditional formats, legacy comments, external links
and, for ``.xlsm``, the VBA project and the ribbon (customUI). It drops or damages the
rest: charts and images it did not make, shapes, pivot tables and caches, slicers,
timelines, dynamic-array metadata (``xl/metadata.xml``, so ``=LEADSCORES(...)`` would
open as ``=@LEADSCORES(...)``), threaded comments, form controls, embedded objects, Power
Query and data connections, and sheet extensions such as sparklines.

:func:`unsafe_parts` inspects the zip's part names and relationships *before* loading.
Parts reachable only from sheets the refresh owns (Model, Report) are rebuilt anyway
and do not count. ``xl/calcChain.xml``, printer-driver settings and the thumbnail are
dropped too, but harmlessly: Excel rebuilds the first, and the page setup itself is kept.
"""

from __future__ import annotations

import importlib.util
import os
import posixpath
import re
import stat
import tempfile
import zipfile
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from xml.etree import ElementTree

from leadscore_xl.errors import BookError
from leadscore_xl.sheet.table import column_letters
from leadscore_xl.sheet.table import norm

__all__ = ["atomic_save", "blocked_message", "check_not_open", "check_writable", "choose_table", "output_note",
           "plan_columns", "unsafe_parts"]  # fmt: skip

_SAFE = re.compile(
    r"^(\[Content_Types\]\.xml|_rels/\.rels|docProps/(app|core|custom)\.xml"
    r"|xl/(workbook\.xml|_rels/workbook\.xml\.rels|styles\.xml|sharedStrings\.xml|theme/theme\d+\.xml)"
    r"|xl/worksheets/sheet\d+\.xml|xl/worksheets/_rels/sheet\d+\.xml\.rels|xl/tables/table\d+\.xml"
    r"|xl/comments\d*\.xml|xl/comments/comment\d+\.xml|xl/drawings/(comments?|vml)Drawing\d+\.vml"
    r"|xl/externalLinks/externalLink\d+\.xml|xl/externalLinks/_rels/externalLink\d+\.xml\.rels"
    r"|xl/calcChain\.xml|xl/printerSettings/printerSettings\d+\.bin|docProps/thumbnail\.\w+)$"
)
_SAFE_WITH_MACROS = re.compile(r"^(xl/vbaProject\.bin|customUI/.*|xl/customUI/.*)$")
_CATEGORIES = (
    (r"^xl/charts/", "charts"),
    (r"^xl/drawings/", "drawings (images, shapes or charts)"),
    (r"^xl/media/", "images"),
    (r"^xl/pivotTables/", "pivot tables"),
    (r"^xl/pivotCache/", "pivot caches"),
    (r"^xl/(slicers|slicerCaches)/", "slicers"),
    (r"^xl/(timelines|timelineCaches)/", "timelines"),
    (r"^xl/metadata\.xml$", "dynamic-array formulas (xl/metadata.xml)"),
    (r"^xl/richData/", "pictures in cells or linked data types"),
    (r"^xl/(threadedComments|persons)/", "threaded comments"),
    (r"^xl/(ctrlProps|activeX)/", "form controls"),
    (r"^xl/embeddings/", "embedded objects"),
    (r"^(xl/connections\.xml|xl/queryTables/|customXml/)", "data connections or Power Query"),
    (r"^xl/model/", "a data model"),
    (r"^xl/chartsheets/", "chart sheets"),
    (r"customUI", "a custom ribbon (customUI) in a file without macros"),
    (r"^xl/vbaProject", "macros (VBA) in a file without macros"),
)
# Worksheet extensions openpyxl drops, by their documented extension URIs.
_SHEET_EXTENSIONS = {
    b"{05c60535-1f16-4fd2-b633-f4f36f0b64e0}": "sparklines",
    b"{78c0d931-6437-407d-a8ee-f0aad7539e65}": "Excel 2010 conditional formats (data bars, icon sets)",
    b"{cce6a557-97bc-4b89-adb6-d9c93caab3df}": "data validation lists that refer to other sheets",
    b"{a8765ba9-456a-4dab-b4f3-acf838c121de}": "slicers",
    b"{3a4cf648-6aed-40f4-86ff-dc5316d8aed3}": "slicers",
    b"{7e03d99c-dc04-49d9-9315-930204a7b6e9}": "timelines",
}
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def unsafe_parts(path: str | Path, owned: Collection[str] = ("Model", "Report")) -> list[str]:
    """What a load-and-save with openpyxl would lose, one phrase per kind, with where it is.

    An empty list means the file can be saved in place.
    """
    macros = Path(path).suffix.lower() in (".xlsm", ".xltm")
    with zipfile.ZipFile(path) as archive:
        names = {n for n in archive.namelist() if not n.endswith("/")}
        graph = {n: _targets(archive, n, names) for n in names if not n.endswith(".rels")}
        sheets = _sheets(archive, graph)
        owned_keys = {norm(s) for s in owned}
        ours = _reach((p for s, p in sheets.items() if norm(s) in owned_keys), graph)
        others = {s: p for s, p in sheets.items() if norm(s) not in owned_keys}
        home = {part: sheet for sheet, p in others.items() for part in _reach([p], graph)}
        found: dict[str, set[str]] = {}
        for name in sorted(names):
            if name.endswith(".rels") or name in ours or _SAFE.match(name):
                continue
            if macros and _SAFE_WITH_MACROS.match(name):
                continue
            found.setdefault(_category(name), set()).update([f'on sheet "{home[name]}"'] if name in home else [])
        for sheet, part in others.items():
            for label in _extensions(archive, part):
                found.setdefault(label, set()).add(f'on sheet "{sheet}"')
    return [f"{label} ({', '.join(sorted(where))})" if where else label for label, where in found.items()]


def _category(name: str) -> str:
    for pattern, label in _CATEGORIES:
        if re.search(pattern, name):
            return label
    return f"parts openpyxl does not keep ({name})"


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _targets(archive: zipfile.ZipFile, part: str, names: set[str]) -> list[tuple[str, str]]:
    """(relationship type, target part) of every internal relationship of ``part``."""
    rels = _rels_name(part)
    if rels not in names:
        return []
    root = ElementTree.fromstring(archive.read(rels))
    out = []
    for rel in root.iter(f"{_REL_NS}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(posixpath.dirname(part), target)
        )
        out.append((rel.get("Type", ""), resolved))
    return out


def _sheets(archive: zipfile.ZipFile, graph: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    """Sheet name -> its part, from the workbook part and its relationships."""
    root_rels = ElementTree.fromstring(archive.read("_rels/.rels"))
    workbook = next(
        (r.get("Target", "").lstrip("/") for r in root_rels.iter(f"{_REL_NS}Relationship")
         if r.get("Type", "").endswith("/officeDocument")),
        "xl/workbook.xml",
    )  # fmt: skip
    rels = _rels_for_ids(archive, workbook)
    tree = ElementTree.fromstring(archive.read(workbook))
    return {
        s.get("name", ""): rels[s.get(_DOC_REL, "")]
        for s in tree.iter(f"{_MAIN}sheet")
        if s.get(_DOC_REL, "") in rels
    }


def _rels_for_ids(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    root = ElementTree.fromstring(archive.read(_rels_name(part)))
    out = {}
    for rel in root.iter(f"{_REL_NS}Relationship"):
        target = rel.get("Target", "")
        out[rel.get("Id", "")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(posixpath.dirname(part), target)
        )
    return out


def _reach(starts: Iterable[str], graph: dict[str, list[tuple[str, str]]]) -> set[str]:
    """Parts reachable from ``starts`` (pivot caches are the workbook's, not a sheet's)."""
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        part = todo.pop()
        if part in seen:
            continue
        seen.add(part)
        todo.extend(t for kind, t in graph.get(part, []) if not kind.endswith("/pivotCacheDefinition"))
    return seen


def _extensions(archive: zipfile.ZipFile, part: str, chunk: int = 1 << 20) -> set[str]:
    """Labels of the dropped extensions in a worksheet's XML (streamed, case-insensitive)."""
    found: set[str] = set()
    tail = b""
    try:
        stream = archive.open(part)
    except KeyError:
        return found
    with stream:
        while block := stream.read(chunk):
            text = tail + block.lower()
            found.update(label for uri, label in _SHEET_EXTENSIONS.items() if uri in text)
            tail = text[-64:]
    return found


def atomic_save(write: Callable[[str], None], target: Path) -> None:
    """Call ``write(temp_path)``, then replace ``target`` by the temporary file."""
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".leadscore-tmp", dir=target.parent)
    os.close(handle)
    try:
        write(temp)
        with open(temp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(temp, target.stat().st_mode & 0o7777 if target.exists() else _new_file_mode())
        os.replace(temp, target)
    except PermissionError as exc:
        _remove(temp)
        raise BookError(
            f"{target.name} cannot be replaced ({exc.strerror}); close it in Excel, or write to a new file with --output"
        ) from exc
    except BaseException:
        _remove(temp)
        raise
    _fsync_dir(target.parent)


def _new_file_mode() -> int:
    """The permissions ``open()`` gives a new file: 0o666 less the umask (mkstemp's are 0o600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---- choices both Book adapters make the same way ------------------------------------------
def choose_table(sheet: str, tables: Sequence[tuple[str, int, int]]) -> int | None:
    """Which of a sheet's tables, given as (name, header row, first column), holds its data:
    the one named like the sheet (ignoring case and spaces), else the one whose top-left
    cell is A1, else the first from the top left; None when the sheet has no table."""
    if not tables:
        return None
    key = norm(sheet)
    named = [i for i, (name, _, _) in enumerate(tables) if norm(name) == key]
    if named:
        return named[0]
    at_a1 = [i for i, (_, row, col) in enumerate(tables) if (row, col) == (1, 1)]
    if at_a1:
        return at_a1[0]
    return min(range(len(tables)), key=lambda i: (tables[i][1], tables[i][2]))


def plan_columns(header: Mapping[str, int], names: Iterable[str], right: int) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """The sheet column of each output ``name``: its header's column (``header`` is keyed by
    :func:`~leadscore_xl.sheet.table.norm`), else a new one after ``right``. Returns the column of
    every name and the appended (name, column) pairs in order."""
    where: dict[str, int] = {}
    appended: list[tuple[str, int]] = []
    for name in names:
        col = header.get(norm(name))
        if col is None:
            right += 1
            col = right
            appended.append((name, col))
        where[name] = col
    return where, appended


def blocked_message(sheet: str, row: int, col: int, name: str) -> str:
    """Why an output column cannot be appended: a user's cell stands where it would go."""
    letters = column_letters(col)
    return (f'{sheet} cell {letters}{row} is not empty, but the refresh needs column {letters} for "{name}"; '
            f'nothing was changed. Move that data, or add a "{name}" column to the table')  # fmt: skip


def check_not_open(target: Path) -> None:
    """Refuse to replace a workbook that is open in Excel: Excel keeps an owner file
    ``~$NAME.xlsx`` beside it while it is open (and would later save over the refresh)."""
    if not target.exists():
        return
    owners = {target.with_name("~$" + target.name), target.with_name("~$" + target.name[2:])}
    if any(owner.exists() for owner in owners if len(owner.name) > 2 + len(target.suffix)):
        raise BookError(
            f"{target.name} is open in Excel (its lock file ~${target.name} is beside it), so the refresh will not "
            f"replace it; close it in Excel and run again, or write the refreshed workbook to a new file with "
            f"--output {target.stem}-refreshed{target.suffix}"
        )


def check_writable(target: Path) -> None:
    """Refuse a read-only target (os.replace would silently replace it on Linux and macOS)."""
    if target.exists() and not target.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise BookError(
            f"{target.name} is read-only, so the refresh will not replace it; make it writable, "
            f"or write the refreshed workbook to a new file with --output {target.stem}-refreshed{target.suffix}"
        )


_DRAWINGS = "drawings (images, shapes or charts)"


def output_note(dropped: Sequence[str], source: str, target: str) -> str:
    """What a refreshed copy keeps of the parts :func:`unsafe_parts` found, as one note:
    openpyxl re-creates the charts it reads (possibly simplified), keeps pictures only
    when Pillow is installed, and loses the rest."""
    images_kept = importlib.util.find_spec("PIL") is not None
    recreated: list[str] = []
    lost: list[str] = []
    shapes = ""
    for label in dropped:
        if label.startswith("charts"):
            recreated.append(label)
        elif label.startswith("images"):
            (recreated if images_kept else lost).append(label)
        elif label.startswith(_DRAWINGS):
            shapes = "any shapes, text boxes or other drawing objects" + label[len(_DRAWINGS):]
        else:
            lost.append(label)
    if shapes:
        lost.append(shapes)
    parts = []
    if recreated:
        parts.append(f"openpyxl re-created {'; '.join(recreated)}, possibly simplified (formatting it does not "
                     "know is dropped)")  # fmt: skip
    if lost:
        parts.append(f"it lacks {'; '.join(lost)}")
    return f"{source} holds parts openpyxl cannot write back exactly; in {target}, " + ", and ".join(parts)
