"""The ``leadscore`` command: ``refresh``, ``demo`` and ``addin``.

::

    leadscore refresh BOOK.xlsx [--output OUT.xlsx] [--as-of 2026-03-31] [--formulas]
                              [--leads LEADS.csv [--mode append|replace] [--id-column NAME]]
    leadscore new BOOK.xlsx --leads LEADS.csv [--deals DEALS.csv] [--outcome NAME] [--day-first]
    leadscore demo [--output out/LeadScoring-refreshed.xlsx]
    leadscore addin [--output FOLDER]
    leadscore sql BOOK.xlsx [--dialect D] [--table NAME] [--view NAME]
    leadscore score LEADS --book BOOK.xlsx --out OUT [--engine duckdb|spark]
    leadscore fit DEALS --book BOOK.xlsx [--output OUT.xlsx]
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
import signal
import sys
import threading
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
    refresh.add_argument("--leads", type=Path, help="load new leads from this CSV/.xlsx/Parquet export first")
    refresh.add_argument("--mode", choices=("append", "replace"), default="append",
                         help="append (default): add new leads, update those already there by ID; replace: the file's leads only")  # fmt: skip
    refresh.add_argument("--id-column", help="the column leads are matched on (default: Record ID, Lead ID, Id, Email)")
    _date_option(refresh)
    new = sub.add_parser("new", help="make a scored workbook from your CRM export (leads, optionally past deals)")
    new.add_argument("book", type=Path, help="the workbook to create (.xlsx; never overwritten)")
    new.add_argument("--leads", type=Path, required=True, help="the leads: CSV (any delimiter/encoding), .xlsx or Parquet")
    new.add_argument("--deals", type=Path, help="past deals with their outcome, for suggested rules and the model")
    new.add_argument("--outcome", help="the deals' outcome column (default: found by name: Won, Deal Stage, Stage, ...)")
    new.add_argument("--as-of", help="score as of this date (YYYY-MM-DD); default: today")
    _date_option(new)
    new.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    demo = sub.add_parser("demo", help=f"refresh the bundled sample {TEMPLATE}")
    demo.add_argument("-o", "--output", type=Path, default=DEMO_OUTPUT, help=f"default: {DEMO_OUTPUT}")
    _formula_options(demo)
    demo.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    addin = sub.add_parser("addin", help="build the Lead Scoring ribbon add-in (leadscore_xl.addin.xlam)")
    addin.add_argument("-o", "--output", type=Path, default=Path("."),
                       help="a folder (default: the current one) or a path ending in leadscore_xl.addin.xlam")  # fmt: skip
    from leadscore_xl.sql.commands import add_parsers  # sql, score, fit: see leadscore_xl.sql

    add_parsers(sub)
    return parser


def _formula_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--formulas", dest="formulas", action="store_true", default=None,
                       help="write Probability as Excel formulas over the Model sheet (no Python needed to rescore)")  # fmt: skip
    group.add_argument("--values", dest="formulas", action="store_false",
                       help="write Probability as values (overrides the Settings key)")  # fmt: skip


def _date_option(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--day-first", dest="day_first", action="store_true", default=None,
                       help="read dates such as 03/04/2026 as 3 April (default: month-first when a file does not show)")  # fmt: skip
    group.add_argument("--month-first", dest="day_first", action="store_false", help="read them as March 4")


class _Interrupt:
    """SIGINT as KeyboardInterrupt, remembered: a library that swallows one (a bare
    ``except`` around an import) cannot make the command go on to save; the save looks
    at ``seen`` and, once the file is replaced, sets ``saved``: a Ctrl-C after that
    point lets the command finish (its file is complete) rather than say it was not
    changed (see :func:`~leadscore_xl.refresh.book_parts.atomic_save`)."""

    def __init__(self) -> None:
        self.seen: list[int] = []
        self.saved = False

    def __call__(self, signum: int, frame: object) -> None:
        self.seen.append(signum)
        if not self.saved:
            raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run a command; every outcome is one line on stderr and an exit status, Ctrl-C at
    any moment included (this module imports nothing heavy: the work imports on demand)."""
    ours = threading.current_thread() is threading.main_thread() and \
        signal.getsignal(signal.SIGINT) is signal.default_int_handler
    previous = signal.signal(signal.SIGINT, _Interrupt()) if ours else None
    try:
        return _main(argv)
    finally:
        if ours:
            signal.signal(signal.SIGINT, previous)


def _main(argv: list[str] | None) -> int:
    args: argparse.Namespace | None = None
    try:
        args = _parser().parse_args(argv)
        if args.command == "addin":
            return _addin(args.output)
        if args.command == "new":
            return _new(args)
        if args.command in ("sql", "score", "fit"):
            from leadscore_xl.sql.commands import run

            return run(args, ProgressBar)
        if args.command == "demo":
            return _refresh(find_template(), args.output, None, args.formulas, args.quiet)
        return _refresh(args.book, args.output, args.as_of, args.formulas, args.quiet, args)
    except LeadScoreError as exc:
        print(f"leadscore: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        newline = "\n" if sys.stderr.isatty() else ""  # past a progress bar drawn on the terminal
        print(f"{newline}leadscore: interrupted; {_unchanged(args)}", file=sys.stderr)
        return 130


def _unchanged(args: argparse.Namespace | None) -> str:
    """What an interrupted command leaves as it was (the save replaces the file atomically)."""
    if args is None:
        return "nothing was changed"
    if args.command in ("refresh", "new", "fit"):
        path = getattr(args, "output", None) or args.book
    elif args.command in ("sql", "score"):
        path = args.book
    else:
        path = args.output
    return f"{path} was not changed"


def _refresh(book: Path, output: Path | None, as_of: str | None, formulas: bool | None, quiet: bool,
             args: argparse.Namespace | None = None) -> int:  # fmt: skip
    from leadscore_xl.refresh.book_file import open_book
    from leadscore_xl.refresh.book_parts import check_writable
    from leadscore_xl.refresh.quiet import collected, numeric_note
    from leadscore_xl.refresh.run import RefreshOptions, refresh

    if output is not None:
        check_writable(output)  # a folder, a path under a file, a read-only folder: before any work
        output.parent.mkdir(parents=True, exist_ok=True)
    progress = None if quiet else ProgressBar(sys.stderr)
    with collected() as caught:  # no Python warning reaches the terminal: at most one note
        merge = args is not None and getattr(args, "leads", None) is not None
        workbook = open_book(book, output, progress, full=merge)  # new leads: every cell may change
        if merge:
            from leadscore_xl.intake.new import load_leads

            workbook.notes.extend(load_leads(workbook, args.leads, args.mode, args.id_column, args.day_first))
        result = refresh(workbook, RefreshOptions(as_of=as_of, formulas=formulas))
    numeric = numeric_note(caught)
    for note in [*workbook.notes, *result.notes, *([numeric] if numeric else [])]:
        print(f"note: {note}", file=sys.stderr)
    print(f"{result.summary()}; saved {workbook.target}")
    return 0


def _new(args: argparse.Namespace) -> int:
    from leadscore_xl.intake.new import NewOptions, new_book

    progress = None if args.quiet else ProgressBar(sys.stderr)
    options = NewOptions(day_first=args.day_first, outcome=args.outcome, as_of=args.as_of, progress=progress)
    made = new_book(args.book, args.leads, args.deals, options)
    for note in made.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"Made {made.path} from {made.leads:,} leads with {made.rules} rules from the {made.rules_from}; "
          f"{made.refreshed.summary()}")
    return 0


def _addin(output: Path) -> int:
    from leadscore_xl.addin import build_addin  # written alongside; imported only when asked for

    path = build_addin(output)
    print(f"Built the Lead Scoring add-in: {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
