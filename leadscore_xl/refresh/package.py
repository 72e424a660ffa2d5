"""The workbook package (zip of XML parts) checked before anything is loaded.

:func:`check_package` reads every part once (CRC and deflate stream), parses every XML
part, checks ``[Content_Types].xml`` and the refs of the tables, and turns each defect
into one :class:`~leadscore_xl.errors.BookError` line naming the file and the fix.

:class:`Package` holds every part of the package; the refresh replaces the parts it owns
(see :mod:`~leadscore_xl.refresh.lossless`) and every other part is written back with the
same bytes.
"""

from __future__ import annotations

import posixpath
import pyexpat
import re
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from lxml import etree

from leadscore_xl.errors import BookError

__all__ = ["PARSER", "Package", "Rel", "check_package", "child", "relative", "rels_name", "to_bytes"]

_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6})(:\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6}))?$")
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
PARSER = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)  # never a file named by an entity
_FIX = "open it in Excel or LibreOffice and save it again (or restore a backup)"


def _damaged(source: Path, what: str) -> BookError:
    return BookError(f"{source.name} cannot be opened as an Excel workbook: {what}; {_FIX}")


def check_package(source: Path) -> Package:
    """The package of ``source``, read once; a one-line BookError if it is not a sound
    workbook package."""
    try:
        with zipfile.ZipFile(source) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            return Package(infos, {i.filename: _check_part(source, archive, i) for i in infos})
    except zipfile.BadZipFile as exc:
        raise _damaged(source, f"the zip archive is corrupt ({exc})") from exc
    except OSError as exc:
        raise _damaged(source, f"it cannot be read ({exc})") from exc


def _check_part(source: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    name = info.filename
    try:
        data = archive.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise _damaged(source, f"the part {name} is corrupt ({exc})") from exc
    if not name.endswith((".xml", ".rels")):
        return data
    if name != "[Content_Types].xml" and not name.startswith("xl/tables/"):
        try:  # well-formed? expat alone, without building a tree: a large sheet costs a second
            pyexpat.ParserCreate().Parse(data, True)
        except pyexpat.ExpatError as exc:
            raise _damaged(source, f"the part {name} is not valid XML ({exc})") from exc
        return data
    try:
        root = etree.fromstring(data, PARSER)
    except etree.XMLSyntaxError as exc:
        raise _damaged(source, f"the part {name} is not valid XML ({exc})") from exc
    if name == "[Content_Types].xml" and root.tag != f"{_CT}Types":
        raise _damaged(source, "its [Content_Types].xml is not a list of content types")
    if name.startswith("xl/tables/"):
        ref = root.get("ref", "")
        match = _REF.match(ref)
        if match is None or (match.group(3) and (len(match.group(3)), match.group(3)) < (len(match.group(1)), match.group(1))):
            raise _damaged(source, f"the table in {name} has the invalid range {ref!r}")
    return data


# ---- the package as parts: read once, edit the owned ones, write the rest back unchanged ----------
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CT_NS = _CT[1:-1]


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str  # the resolved part name, or the raw target when external
    external: bool


def rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def relative(source: str, target: str) -> str:
    """``target`` as a relationship target written in ``source``'s rels."""
    return posixpath.relpath(target, posixpath.dirname(source) or ".")


class Package:
    """Every part of a workbook package, decompressed, with its zip entry. Parts not set or
    removed are written back with the same bytes, name, order, date and compression."""

    def __init__(self, infos: list[zipfile.ZipInfo], parts: dict[str, bytes]) -> None:
        self.infos, self.parts = infos, parts
        self._types: Any = None

    @classmethod
    def read(cls, path: Path | IO[bytes]) -> Package:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            return cls(infos, {i.filename: archive.read(i) for i in infos})

    # ---- parts and relationships ------------------------------------------------------------
    def xml(self, name: str) -> Any:
        return etree.fromstring(self.parts[name], PARSER)

    def set(self, name: str, data: bytes, content_type: str | None = None) -> None:
        self.parts[name] = data
        if content_type is not None:
            self._override(name, content_type)

    def remove(self, name: str) -> None:
        self.parts.pop(name, None)
        self.parts.pop(rels_name(name), None)
        types = self.types()
        for item in types.findall(f"{_CT}Override"):
            if item.get("PartName", "").lstrip("/") == name:
                types.remove(item)

    def rels(self, part: str) -> list[Rel]:
        name = rels_name(part)
        if name not in self.parts:
            return []
        out = []
        for r in self.xml(name):
            target, external = r.get("Target", ""), r.get("TargetMode") == "External"
            if not external:
                target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(posixpath.dirname(part), target))
            out.append(Rel(r.get("Id", ""), r.get("Type", ""), target, external))
        return out

    def reach(self, roots: list[str], skip: Callable[[Rel], bool] = lambda r: False) -> set[str]:
        """The parts reachable from ``roots`` by internal relationships."""
        seen: set[str] = set()
        todo = list(roots)
        while todo:
            part = todo.pop()
            if part in seen or part not in self.parts:
                continue
            seen.add(part)
            todo += [r.target for r in self.rels(part) if not r.external and not skip(r)]
        return seen

    def free_name(self, like: str) -> str:
        """A part name in ``like``'s folder, with its stem and suffix and a number no part has."""
        folder, base = posixpath.split(like)
        stem, dot, ext = base.rpartition(".")
        stem = stem.rstrip("0123456789")
        k = 1
        while posixpath.join(folder, f"{stem}{k}{dot}{ext}") in self.parts:
            k += 1
        return posixpath.join(folder, f"{stem}{k}{dot}{ext}")

    # ---- content types ----------------------------------------------------------------------
    def types(self) -> Any:
        if self._types is None:
            self._types = self.xml("[Content_Types].xml")
        return self._types

    def content_type(self, name: str) -> str | None:
        types = self.types()
        for item in types.findall(f"{_CT}Override"):
            if item.get("PartName", "").lstrip("/") == name:
                return item.get("ContentType")
        ext = name.rpartition(".")[2].lower()
        for item in types.findall(f"{_CT}Default"):
            if item.get("Extension", "").lower() == ext:
                return item.get("ContentType")
        return None

    def _override(self, name: str, content_type: str) -> None:
        if self.content_type(name) == content_type:
            return
        types = self.types()
        for item in types.findall(f"{_CT}Override"):
            if item.get("PartName", "").lstrip("/") == name:
                item.set("ContentType", content_type)
                return
        etree.SubElement(types, f"{_CT}Override", PartName="/" + name, ContentType=content_type)

    # ---- writing ----------------------------------------------------------------------------
    def save(self, path: str) -> None:
        if self._types is not None:
            self.parts["[Content_Types].xml"] = to_bytes(self._types)
        known = {i.filename: i for i in self.infos}
        names = [i.filename for i in self.infos if i.filename in self.parts]
        names += [n for n in self.parts if n not in known]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for name in names:
                old = known.get(name)
                info = zipfile.ZipInfo(name, date_time=old.date_time if old else _now())
                info.compress_type = old.compress_type if old else zipfile.ZIP_DEFLATED
                info.external_attr = old.external_attr if old else 0o600 << 16
                data = self.parts[name]  # a large part deflated fast: it is most of the time, not of the size
                out.writestr(info, data, compresslevel=1 if len(data) > 1 << 20 else None)


def child(root: Any, name: str, order: tuple[str, ...]) -> Any:
    """``root``'s child ``name`` (main namespace), inserted where ``order`` (the schema's
    sequence of children) puts it when missing."""
    ns = etree.QName(root).namespace
    found = root.find(f"{{{ns}}}{name}")
    if found is not None:
        return found
    element = etree.Element(f"{{{ns}}}{name}")
    later = set(order[order.index(name) + 1:])
    after = [c for c in root if isinstance(c.tag, str) and etree.QName(c).localname in later]
    if after:
        after[0].addprevious(element)
    else:
        root.append(element)
    return element


def to_bytes(root: Any) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _now() -> tuple[int, int, int, int, int, int]:
    return time.localtime()[:6]  # type: ignore[return-value]
