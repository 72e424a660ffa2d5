"""The ``leadscore`` command: ``refresh``, ``demo`` and ``addin``.

::

    leadscore refresh BOOK.xlsx [--output OUT.xlsx] [--as-of 2026-03-31] [--formulas]
    leadscore demo [--output out/LeadScoring-refreshed.xlsx]
    leadscore addin [--output FOLDER]
    leadscore --version

``refresh`` does what the Refresh Scores button does, on the file, with a progress bar
on stderr. Without ``--output`` it saves in place (atomically), unless the file holds
parts that openpyxl would drop; then it refuses and says which. Exit status: 0 done,
1 the workbook or its content is unusable (the message says why and how to fix it),
2 bad command line, 130 interrupted (Ctrl-C; the workbook is left as it was: the save
is atomic).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from leadscore_xl import __version__
from leadscore_xl.errors import LeadScoreError

__all__ = ["ProgressBar", "find_template", "main"]

TEMPLATE = Path("workbook") / "LeadScoring.xlsx"
DEMO_OUTPUT = Path("out") / "LeadScoring-refreshed.xlsx"


class ProgressBar:
    """Progress on a stream: a redrawn bar on a terminal, one line per step otherwise."""

    def __init__(self, stream: TextIO, width: int = 28) -> None:
        self.stream = stream
        self.width = width
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last = ""

    def __call__(self, message: str, fraction: float) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        filled = round(fraction * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"[{bar}] {fraction:4.0%} {message}"
        if self.tty:
            self.stream.write("\r" + line.ljust(len(self._last)))
            if fraction >= 1.0:
                self.stream.write("\n")
        elif message != self._last:
            self.stream.write(line + "\n")
        self._last = line if self.tty else message
        self.stream.flush()


def find_template(start: Path | None = None) -> Path:
    """The bundled workbook/LeadScoring.xlsx: next to the package (a checkout) or under
    the current folder."""
    here = Path(__file__).resolve().parent.parent
    for base in (here, start or Path.cwd()):
        candidate = base / TEMPLATE
        if candidate.is_file():
            return candidate
    raise LeadScoreError(
        f"The sample workbook {TEMPLATE} was not found next to the package or in {start or Path.cwd()}; "
        "run the command from a checkout of LeadScore XL, or use: leadscore refresh YOUR_BOOK.xlsx"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leadscore", description="LeadScore XL: refresh lead scores in a workbook.")
    parser.add_argument("--version", action="version", version=f"leadscore {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    refresh = sub.add_parser("refresh", help="score the leads, fit the model, rebuild Model and Report")
    refresh.add_argument("book", type=Path, help="the workbook (.xlsx or .xlsm)")
    refresh.add_argument("-o", "--output", type=Path, help="write the refreshed workbook here instead of in place")
    refresh.add_argument("--as-of", help="score as of this date (YYYY-MM-DD); default: Settings, else today")
    _formula_options(refresh)
    refresh.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    demo = sub.add_parser("demo", help=f"refresh the bundled sample {TEMPLATE}")
    demo.add_argument("-o", "--output", type=Path, default=DEMO_OUTPUT, help=f"default: {DEMO_OUTPUT}")
    _formula_options(demo)
    demo.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    addin = sub.add_parser("addin", help="build the Lead Scoring ribbon add-in (leadscore_xl.addin.xlam)")
    addin.add_argument("-o", "--output", type=Path, default=Path("."),
                       help="a folder (default: the current one) or a path ending in leadscore_xl.addin.xlam")  # fmt: skip
    return parser


def _formula_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--formulas", dest="formulas", action="store_true", default=None,
                       help="write Probability as Excel formulas over the Model sheet (no Python needed to rescore)")  # fmt: skip
    group.add_argument("--values", dest="formulas", action="store_false",
                       help="write Probability as values (overrides the Settings key)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "addin":
            return _addin(args.output)
        if args.command == "demo":
            return _refresh(find_template(), args.output, None, args.formulas, args.quiet)
        return _refresh(args.book, args.output, args.as_of, args.formulas, args.quiet)
    except LeadScoreError as exc:
        print(f"leadscore: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\nleadscore: interrupted; {_unchanged(args)} was not changed", file=sys.stderr)
        return 130


def _unchanged(args: argparse.Namespace) -> str:
    """The file an interrupted command leaves as it was (the save replaces it atomically)."""
    if args.command == "refresh":
        return str(args.output or args.book)
    return str(args.output)


def _refresh(book: Path, output: Path | None, as_of: str | None, formulas: bool | None, quiet: bool) -> int:
    from leadscore_xl.refresh.book_file import open_book
    from leadscore_xl.refresh.book_parts import output_note
    from leadscore_xl.refresh.run import RefreshOptions, refresh

    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
    progress = None if quiet else ProgressBar(sys.stderr)
    workbook = open_book(book, output, progress)
    result = refresh(workbook, RefreshOptions(as_of=as_of, formulas=formulas))
    for note in [*workbook.notes, *result.notes]:
        print(f"note: {note}", file=sys.stderr)
    if workbook.dropped:
        print(f"note: {output_note(workbook.dropped, book.name, workbook.target.name)}", file=sys.stderr)
    print(f"{result.summary()}; saved {workbook.target}")
    return 0


def _addin(output: Path) -> int:
    from leadscore_xl.addin import build_addin  # written alongside; imported only when asked for

    path = build_addin(output)
    print(f"Built the Lead Scoring add-in: {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
