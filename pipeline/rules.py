"""Ordered rules: a decision is the first one a tuple of small named rule functions makes.

As in markdown-it-py's ``rules_block``, each rule looks at one thing (a row, a line, a
table) and either decides — returning its decision, which carries its reason — or passes
with ``None``. The tuple's order is the precedence. In a classifier the last rule decides
whatever reaches it (``decide``); in a list of checks every rule may pass (``first``).
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

    def first(self, subject: Subject) -> Decision | None:
        """The decision of the first rule that makes one, or ``None`` when every rule passes."""
        for rule in self.rules:
            decision = rule(subject)
            if decision is not None:
                return decision
        return None

    def decide(self, subject: Subject) -> Decision:
        """The decision of the first rule that makes one, where the last rule always decides.

        Reaching the end of the tuple is a bug.
        """
        decision = self.first(subject)
        if decision is None:
            raise AssertionError(f"no rule decided {subject!r}")
        return decision

    @property
    def names(self) -> tuple[str, ...]:
        """The rules' names, in order: ``('blank_row', 'section_divider', ...)``."""
        return tuple(rule.__name__ for rule in self.rules)
