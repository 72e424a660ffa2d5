"""styles.xml by appending: the cell formats the refresh's own cells need, added to the
user's stylesheet without changing any existing index.

The refresh builds its cells with openpyxl in a scratch package, whose ``styles.xml``
numbers formats its own way. :class:`StyleMerge` maps each scratch cell format (an entry
of ``cellXfs``) to one of the user's stylesheet: an existing entry with the same number
format, font, fill, border, alignment and protection (so a second refresh adds nothing),
else a new entry appended at the end, with its font, fill, border and number format
appended likewise when the user's stylesheet has no equal one.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from leadscore_xl.refresh.package import PARSER, MAIN_NS, to_bytes

__all__ = ["StyleMerge"]

_M = f"{{{MAIN_NS}}}"
_GROUPS = (("fonts", "font", "fontId"), ("fills", "fill", "fillId"), ("borders", "border", "borderId"))
# CT_Stylesheet's children in schema order: where a missing group is inserted.
_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles",
          "colors", "extLst")
_FIRST_CUSTOM_FORMAT = 164


def _key(element: Any) -> tuple[Any, ...]:
    """An element as a comparable value: name, attributes and children, prefixes ignored."""
    if element is None:
        return ()
    attrs = tuple(sorted((etree.QName(k).localname, v) for k, v in element.attrib.items()))
    return (etree.QName(element).localname, attrs, tuple(_key(c) for c in element if isinstance(c.tag, str)))


class StyleMerge:
    """The user's stylesheet, to which scratch cell formats are added on demand."""

    def __init__(self, user: bytes, scratch: bytes) -> None:
        self.root = etree.fromstring(user, PARSER)
        self.scratch = etree.fromstring(scratch, PARSER)
        self._mapped: dict[int, int] = {}
        self._formats = self._number_formats(self.root)
        self._scratch_formats = self._number_formats(self.scratch)
        self._xfs: dict[tuple[Any, ...], int] = {}
        for i, xf in enumerate(self._group(self.root, "cellXfs")):
            if xf.get("xfId", "0") == "0":
                self._xfs.setdefault(self._xf_key(self.root, self._formats, xf), i)
        self.changed = False

    @staticmethod
    def _number_formats(root: Any) -> dict[str, str]:
        group = root.find(f"{_M}numFmts")
        return {} if group is None else {f.get("numFmtId"): f.get("formatCode") for f in group}

    def _group(self, root: Any, name: str) -> Any:
        group = root.find(f"{_M}{name}")
        if group is None:
            group = etree.Element(f"{_M}{name}", count="0")
            later = [c for c in root if etree.QName(c).localname in _ORDER[_ORDER.index(name) + 1:]]
            if later:
                later[0].addprevious(group)
            else:
                root.append(group)
        return group

    def _xf_key(self, root: Any, formats: dict[str, str], xf: Any) -> tuple[Any, ...]:
        number = xf.get("numFmtId", "0")
        parts: list[Any] = [formats.get(number, number)]
        for group, _, attr in _GROUPS:
            items = root.find(f"{_M}{group}")
            i = int(xf.get(attr, "0"))
            parts.append(_key(items[i]) if items is not None and i < len(items) else ())
        parts += [_key(xf.find(f"{_M}alignment")), _key(xf.find(f"{_M}protection"))]
        return tuple(parts)

    def index(self, scratch_xf: int) -> int:
        """The user's cellXfs index for the scratch package's cellXfs entry ``scratch_xf``."""
        if scratch_xf in self._mapped:
            return self._mapped[scratch_xf]
        xf = self._group(self.scratch, "cellXfs")[scratch_xf]
        key = self._xf_key(self.scratch, self._scratch_formats, xf)
        found = self._xfs.get(key)
        if found is None:
            found = self._xfs[key] = self._append_xf(xf)
        self._mapped[scratch_xf] = found
        return found

    def _append_xf(self, xf: Any) -> int:
        new = etree.Element(f"{_M}xf")
        new.set("numFmtId", self._number_format(xf.get("numFmtId", "0")))
        for group, tag, attr in _GROUPS:
            new.set(attr, str(self._shared(group, tag, int(xf.get(attr, "0")))))
        new.set("xfId", "0")
        for name in ("alignment", "protection"):
            child = xf.find(f"{_M}{name}")
            if child is not None:
                new.append(_copy(child))
        for name in ("applyNumberFormat", "applyFont", "applyFill", "applyBorder", "applyAlignment",
                     "applyProtection"):  # fmt: skip
            if xf.get(name) is not None:
                new.set(name, xf.get(name))
        return self._add(self._group(self.root, "cellXfs"), new)

    def _add(self, group: Any, element: Any) -> int:
        group.append(element)
        group.set("count", str(len(group)))
        self.changed = True
        return len(group) - 1

    def _shared(self, group: str, tag: str, i: int) -> int:
        """The user's index of the scratch ``group`` entry ``i`` (appended when new)."""
        items = self.scratch.find(f"{_M}{group}")
        if items is None or i >= len(items):
            return 0
        key = _key(items[i])
        mine = self._group(self.root, group)
        for j, element in enumerate(mine):
            if _key(element) == key:
                return j
        return self._add(mine, _copy(items[i]))

    def _number_format(self, scratch_id: str) -> str:
        if int(scratch_id) < _FIRST_CUSTOM_FORMAT:
            return scratch_id
        code = self._scratch_formats[scratch_id]
        for number, mine in self._formats.items():
            if mine == code:
                return number
        number = str(max([_FIRST_CUSTOM_FORMAT - 1, *map(int, self._formats)]) + 1)
        group = self._group(self.root, "numFmts")
        etree.SubElement(group, f"{_M}numFmt", numFmtId=number, formatCode=code)
        group.set("count", str(len(group)))
        self._formats[number] = code
        self.changed = True
        return number

    def to_bytes(self) -> bytes:
        return to_bytes(self.root)


def _copy(element: Any) -> Any:
    """``element`` re-made in the main namespace (the scratch package may use another prefix)."""
    new = etree.Element(f"{_M}{etree.QName(element).localname}", dict(element.attrib))
    new.text = element.text
    for child in element:
        if isinstance(child.tag, str):
            new.append(_copy(child))
    return new
