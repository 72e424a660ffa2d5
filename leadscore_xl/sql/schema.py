"""What a Leads column holds in SQL, and the small builders every query part uses.

The compiler needs each column's type, because a rule is tested differently on text
(trimmed, case-insensitive keys) than on numbers, yes/no or dates. A :class:`Schema`
comes from the engine (``DESCRIBE`` of a Parquet or CSV file) or, for ``leadscore sql``,
from the workbook's Leads sheet.

Literals are built as syntax-tree nodes, never pasted into SQL text: numbers as
``CAST(... AS DOUBLE)`` (so that Spark does not use decimals), text as string
literals that sqlglot escapes for each dialect.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from sqlglot import exp

from leadscore_xl.errors import InputError, quote
from leadscore_xl.sheet.table import Kind, Table, norm

__all__ = ["DIALECTS", "Schema", "SqlType", "all_of", "any_of", "arith", "boolean", "bounded", "check_dialect", "column",
           "identifier", "number", "text"]

DIALECTS = ("duckdb", "spark", "postgres", "snowflake", "bigquery")
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Words some of the dialects reserve (SQL:2016's reserved words that engines enforce, and
#: the engines' own): a column named so is quoted, like a name with a space.
RESERVED = frozenset("""
all analyse analyze and any array as asc asymmetric at between both by case cast check collate column connect
constraint create cross cube current_date current_time current_timestamp current_user default delete desc
distinct do else end except exists false fetch filter for foreign from full grant group groups having ilike in
inner insert intersect interval into is join lateral leading left like limit localtime localtimestamp merge minus
natural not null of offset on only or order outer over overlaps partition placing primary qualify range references
regexp returning right rlike rollup row rows sample select session_user set similar some start symmetric table
tablesample then to trailing trigger true union unique unknown update user using values variadic when where window
with within
""".split())


class SqlType(str, Enum):
    """The kinds of column the compiler tells apart."""

    TEXT = "text"
    NUMBER = "number"
    BOOL = "bool"
    DATE = "date"
    TIMESTAMP = "timestamp"

    @property
    def is_date(self) -> bool:
        return self in (SqlType.DATE, SqlType.TIMESTAMP)


_KINDS = {Kind.NUMBER: SqlType.NUMBER, Kind.BOOL: SqlType.BOOL, Kind.DATE: SqlType.TIMESTAMP}
_ENGINE_TYPES = (
    ("BOOL", SqlType.BOOL),
    ("TIMESTAMP", SqlType.TIMESTAMP),
    ("DATETIME", SqlType.TIMESTAMP),
    ("DATE", SqlType.DATE),
    ("INT", SqlType.NUMBER),
    ("DOUBLE", SqlType.NUMBER),
    ("FLOAT", SqlType.NUMBER),
    ("DECIMAL", SqlType.NUMBER),
    ("NUMERIC", SqlType.NUMBER),
    ("REAL", SqlType.NUMBER),
)


@dataclass(frozen=True)
class Schema:
    """The Leads columns in order, each with its :class:`SqlType`."""

    columns: tuple[tuple[str, SqlType], ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    def type_of(self, position: int) -> SqlType:
        return self.columns[position][1]

    @classmethod
    def from_table(cls, table: Table) -> Schema:
        """The types a workbook's Leads table would have in a warehouse (text for
        columns mixing text and numbers, and for empty ones)."""
        return cls(tuple((h, _KINDS.get(table.column(i).kind, SqlType.TEXT)) for i, h in enumerate(table.headers)))

    @classmethod
    def from_engine(cls, described: Iterable[tuple[str, str]], source: str = "the leads") -> Schema:
        """From (name, engine type) pairs such as DuckDB's ``DESCRIBE``."""
        out = []
        for name, type_name in described:
            upper = type_name.upper()
            kind = next((k for prefix, k in _ENGINE_TYPES if prefix in upper), None)
            if kind is None and upper.startswith(("VARCHAR", "STRING", "TEXT", "CHAR")):
                kind = SqlType.TEXT
            if kind is None:
                raise InputError(f"Column {quote(name)} of {source} has the type {type_name}, which LeadScore XL "
                                 "cannot score; cast it to text, a number, a yes/no or a date")  # fmt: skip
            out.append((name, kind))
        return cls(tuple(out))


def check_dialect(dialect: str) -> str:
    """The dialect name, lower-cased; an InputError naming the ones there are."""
    key = norm(str(dialect))
    if key not in DIALECTS:
        raise InputError(f"SQL dialect {quote(dialect)} is not supported; use one of {', '.join(DIALECTS)}")
    return key


def identifier(name: str) -> exp.Identifier:
    """A name, quoted only when it is not a plain word (``Job Title`` is quoted)."""
    return exp.Identifier(this=name, quoted=not _PLAIN.match(name) or name.lower() in RESERVED)


def column(name: str) -> exp.Column:
    return exp.Column(this=identifier(name))


def number(value: float) -> exp.Expression:
    """A number as ``CAST(literal AS DOUBLE)``, written so that every engine reads back
    exactly this float (more than 15 digits go in scientific notation, which engines
    read as a double, not as a decimal)."""
    digits = repr(float(value))
    if "e" not in digits and len(digits.replace("-", "").replace(".", "").lstrip("0")) > 15:
        digits = f"{Decimal(digits):e}"
    literal: exp.Expression = exp.Literal.number(digits.lstrip("-"))
    if digits.startswith("-"):
        literal = exp.Neg(this=literal)
    return exp.Cast(this=literal, to=exp.DataType.build("DOUBLE"))


def text(value: str) -> exp.Literal:
    return exp.Literal.string(value)


def boolean(value: bool) -> exp.Boolean:
    return exp.Boolean(this=value)


def arith(klass: type[exp.Binary], left: exp.Expression, right: exp.Expression) -> exp.Expression:
    """``left op right`` with operands in parentheses where precedence needs them (a chain
    of the same operator stays flat: it is evaluated left to right, as the core adds)."""
    if isinstance(left, exp.Binary) and type(left) is not klass:
        left = exp.Paren(this=left)
    if isinstance(right, exp.Binary):
        right = exp.Paren(this=right)
    return klass(this=left, expression=right)


def bounded(value: exp.Expression, low: float | None, high: float | None) -> exp.Expression:
    """``value`` held within [low, high] (None: no bound), as numpy's clip does."""
    if low is not None:
        value = exp.Greatest(this=value, expressions=[number(low)], ignore_nulls=True)
    if high is not None:
        value = exp.Least(this=value, expressions=[number(high)], ignore_nulls=True)
    return value


def any_of(conditions: Sequence[exp.Expression]) -> exp.Expression:
    return exp.or_(*conditions) if conditions else boolean(False)


def all_of(conditions: Sequence[exp.Expression]) -> exp.Expression:
    return exp.and_(*conditions) if conditions else boolean(True)
