"""One validated row of the Rules table (:class:`Rule`) and what it compares with.

Plain data: the parser (:mod:`leadscore_xl.rules.table`) makes these, the scorer
(:mod:`leadscore_xl.rules.scoring`) and the explanations read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from leadscore_xl.sheet.table import header_text as _text

__all__ = ["NO_VALUE_OPS", "Operand", "Rule"]

NO_VALUE_OPS = frozenset({"is blank", "is not blank", "always"})


@dataclass(frozen=True)
class Operand:
    """What a rule compares with: text keys, numbers, and substrings for ``contains``."""

    keys: frozenset[str] = frozenset()
    numbers: tuple[float, ...] = ()
    subs: tuple[str, ...] = ()
    whole_days: bool = False  # the numbers are dates without a time: compare the cells' days

@dataclass(frozen=True)
class Rule:
    """One validated row of the Rules table."""

    row: int
    name: str
    group: str
    attribute: str
    op: str
    value: object
    points: float
    operand: Operand = field(default_factory=Operand)
    disqualify: bool = False
    half_life: float | None = None
    date_attribute: str | None = None

    @property
    def condition(self) -> str:
        """The rule as a sentence fragment: ``Job Title in VP; Director``."""
        if self.op == "always":
            return "every scored lead"
        if self.op in NO_VALUE_OPS:
            return f"{self.attribute} {self.op}"
        if self.op == "within":
            return f"{self.attribute} within {self.operand.numbers[0]:g} days"
        return f"{self.attribute} {self.op} {_text(self.value)}"
