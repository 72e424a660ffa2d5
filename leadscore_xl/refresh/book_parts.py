"""File safety: the atomic save and the checks made before a refresh writes anything.

:func:`atomic_save` writes to a temporary file in the target's folder, fsyncs it and
``os.replace`` it over the target: a run killed at any moment leaves either the old
file or the new one, never a half-written workbook. A symbolic link is followed, mode
and owner are kept, SIGINT/SIGTERM remove the temporary file, and a full disk is one
line. :func:`check_writable` and :func:`check_not_open` refuse a target that cannot or
must not be replaced, before any work is done.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from leadscore_xl.errors import BookError
from leadscore_xl.sheet.table import column_letters
from leadscore_xl.sheet.table import norm

__all__ = ["atomic_save", "blocked_message", "check_not_open", "check_writable", "choose_table", "plan_columns"]

def atomic_save(write: Callable[[str], None], target: Path) -> None:
    """Call ``write(temp_path)``, then replace ``target`` by the temporary file. A symbolic
    link is followed (its target is refreshed, the link stays); mode and owner are kept;
    SIGINT/SIGTERM during the save remove the temporary file and are then re-raised."""
    target = Path(os.path.realpath(target))
    if getattr(signal.getsignal(signal.SIGINT), "seen", None):  # a Ctrl-C that a library swallowed
        raise KeyboardInterrupt
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".leadscore-tmp", dir=target.parent)
    os.close(handle)
    caught: list[int] = []
    previous = _trap(caught)
    try:
        write(temp)
        with open(temp, "rb+") as f:
            os.fsync(f.fileno())
        _keep_mode(temp, target)
        if caught or getattr(previous.get(signal.SIGINT), "seen", None):
            raise KeyboardInterrupt
        os.replace(temp, target)
        if hasattr(previous.get(signal.SIGINT), "saved"):  # the command's handler: a Ctrl-C from now on is too late
            previous[signal.SIGINT].saved = True  # type: ignore[union-attr]
    except PermissionError as exc:
        _remove(temp)
        raise BookError(
            f"{target.name} cannot be replaced ({exc.strerror}); close it in Excel, or write to a new file with --output"
        ) from exc
    except OSError as exc:
        _remove(temp)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise BookError(f"No space left on the device for {target.name} in {target.parent}; nothing was "
                            "changed. Free some space, or write to another disk with --output") from exc
        raise
    except BaseException:
        _remove(temp)
        raise
    finally:
        _restore(previous, caught)
    _fsync_dir(target.parent)


def _trap(caught: list[int]) -> dict[int, object]:
    """Note SIGINT/SIGTERM instead of dying mid-save (main thread only)."""
    previous: dict[int, object] = {}
    if threading.current_thread() is not threading.main_thread():
        return previous
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, lambda n, _f: caught.append(n))
    return previous


def _restore(previous: dict[int, object], caught: list[int]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)  # type: ignore[arg-type]
    if caught:
        signal.raise_signal(caught[0])


def _keep_mode(temp: str, target: Path) -> None:
    if not target.exists():
        os.chmod(temp, _new_file_mode())
        return
    info = target.stat()
    os.chmod(temp, info.st_mode & 0o7777)
    try:
        os.chown(temp, info.st_uid, info.st_gid)
    except (OSError, AttributeError):  # not ours to give away: the owner stays the runner
        pass


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
    """Refuse a read-only target (os.replace would silently replace it on Linux and macOS),
    an output that is a folder, lies under a file, or is in a folder we may not write to."""
    for parent in target.parents:
        if parent.exists() and not parent.is_dir():
            raise BookError(f"{parent.name} is a file, not a folder, so {target.name} cannot be written under it; "
                            "choose another output path")
    if target.is_dir():
        raise BookError(f"{target.name} is a folder; give the path of a file, e.g. {target / 'refreshed.xlsx'}")
    folder = Path(os.path.realpath(target)).parent
    if folder.is_dir() and not _can_write(folder):
        raise BookError(f"The folder {folder.name} is read-only (permission denied), so {target.name} cannot be "
                        "written there; choose another folder with --output")
    if target.exists() and not target.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise BookError(
            f"{target.name} is read-only, so the refresh will not replace it; make it writable, "
            f"or write the refreshed workbook to a new file with --output {target.stem}-refreshed{target.suffix}"
        )


def _can_write(folder: Path) -> bool:
    """Whether a file can be made in ``folder`` (os.access is wrong for root and immutable folders)."""
    try:
        handle, probe = tempfile.mkstemp(prefix=".leadscore-probe.", dir=folder)
    except OSError:
        return False
    os.close(handle)
    os.remove(probe)
    return True
