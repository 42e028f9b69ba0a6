"""Ordered rules: a decision is the first one a tuple of small named rule functions makes.

As in markdown-it-py's ``rules_block``, each rule looks at one thing (a row, a line, a
table) and either decides — returning its decision, which carries its reason — or passes
with ``None``. The tuple's order is the precedence; its last rule decides whatever reaches it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

Subject = TypeVar("Subject")
Decision = TypeVar("Decision")


@dataclass(frozen=True, slots=True)
class Rules(Generic[Subject, Decision]):
    """An ordered tuple of rules over one kind of subject (markdown-it-py's ``Ruler``, without the editing)."""

    rules: tuple[Callable[[Subject], Decision | None], ...]

    def decide(self, subject: Subject) -> Decision:
        """The decision of the first rule that makes one; reaching the end of the tuple is a bug."""
        for rule in self.rules:
            decision = rule(subject)
            if decision is not None:
                return decision
        raise AssertionError(f"no rule decided {subject!r}")

    @property
    def names(self) -> tuple[str, ...]:
        """The rules' names, in order: ``('blank_row', 'section_divider', ...)``."""
        return tuple(rule.__name__ for rule in self.rules)
