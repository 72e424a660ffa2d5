"""A parsed Rules range (:class:`RuleSet`) and its compiled form per Leads header row.

The parser (:mod:`leadscore_xl.rules.table`) builds a RuleSet; ``bind`` compiles it with
:class:`~leadscore_xl.rules.scoring.CompiledRules`. The scorer reads rules from
:mod:`leadscore_xl.rules.rule` and never imports this module or the parser, so the
imports run one way: table -> ruleset -> scoring -> predicates/results -> rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from leadscore_xl.rules.rule import Rule
from leadscore_xl.rules.scoring import CompiledRules

__all__ = ["RuleSet"]


@dataclass(frozen=True, eq=False)
class RuleSet:
    """The parsed rules of one Rules range; ``bind`` compiles them against headers."""

    rules: tuple[Rule, ...]
    _bound: dict[tuple[str, ...] | None, Any] = field(default_factory=dict, repr=False)

    @property
    def groups(self) -> tuple[str, ...]:
        """Group names in order of first appearance."""
        return tuple(dict.fromkeys(r.group for r in self.rules))

    def bind(self, headers: Sequence[str]) -> Any:
        """The rules compiled for a Leads header row (cached per header row)."""
        last = self._bound.get(None)
        if last is not None and last.headers is headers:  # the same cached header tuple again
            return last
        key = tuple(headers)
        compiled = self._bound.get(key)
        if compiled is None:
            compiled = self._bound[key] = CompiledRules.build(self, key)
        self._bound[None] = compiled  # type: ignore[index]
        return compiled
