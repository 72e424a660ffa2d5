"""What a file that is not a plain workbook is, from its first bytes, in words that say how
to make it one.

An .xlsx is a zip (``PK``). Excel saves a password-protected workbook as an OLE compound
file (magic ``D0 CF 11 E0 A1 B1 1A E1``) holding the streams ``EncryptionInfo`` and
``EncryptedPackage``; an Excel 97-2003 .xls is an OLE compound file too, with a
``Workbook`` (or ``Book``) stream. A CSV export is text. Stream names are stored in the
compound file's directory in UTF-16LE, so they are found by a search of the file's bytes.
"""

from __future__ import annotations

import mmap
from pathlib import Path

__all__ = ["not_a_workbook"]

ZIP_MAGIC = b"PK"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_SNIFF = 8192


def not_a_workbook(path: Path) -> str | None:
    """The one-line message for a file that is not an .xlsx/.xlsm package (encrypted,
    the old .xls format, CSV or other text), else None (a zip, or a kind not known)."""
    try:
        with path.open("rb") as f:
            head = f.read(_SNIFF)
    except OSError:  # unreadable: the workbook load says so
        return None
    name = path.name
    if head.startswith(ZIP_MAGIC):
        return None
    if head.startswith(OLE_MAGIC):
        if _holds(path, _ENCRYPTED):
            return (f"{name} is encrypted with a password, and an encrypted workbook cannot be read without Excel; "
                    "open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password: "
                    "clear it), save, and refresh again")  # fmt: skip
        return (f"{name} is an Excel 97-2003 workbook (the old .xls format), not an .xlsx; open it in Excel or "
                "LibreOffice and save it as an Excel Workbook (.xlsx), then refresh that file")  # fmt: skip
    if _is_text(head):
        if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            return (f"{name} is an HTML or XML file, not an .xlsx workbook; open it in Excel and save it as an "
                    "Excel Workbook (.xlsx)")  # fmt: skip
        if _delimited(head):
            return (f"{name} is a CSV text file, not an Excel workbook; open it in Excel and save it as .xlsx, "
                    f"or use `leadscore new BOOK.xlsx --leads {name}`")  # fmt: skip
    return None


def _delimited(head: bytes) -> bool:
    """Whether the first line has a comma, semicolon or tab between values, as a CSV header."""
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    return any(sep in first for sep in (b",", b";", b"\t"))


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as exc:
            if encoding == "utf-8" and exc.start >= len(head) - 3:  # a character cut by the sniff's end
                return True
            continue
        return True
    return False


def _holds(path: Path, needle: bytes) -> bool:
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(needle) >= 0
