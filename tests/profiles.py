"""How many examples each property test runs: the count it names, times the profile's factor.

A property test says ``@settings(max_examples=examples(n))``: ``n`` in the developer loop,
``THOROUGH * n`` under the ``thorough`` profile, which CI selects (``HYPOTHESIS_PROFILE=thorough``
in ``.ci/run``; ``conftest.py`` calls ``load_profile``). ``thorough`` is hypothesis' own ``ci`` profile
(derandomized, no example database) with the larger counts.
"""

from __future__ import annotations

from hypothesis import settings

#: How many times the developer loop's examples CI runs: the loop runs a tenth of CI's depth, so that
#: ``make test`` stays quick; CI searches as hard as it did when the loop ran a fifth (counts were halved).
THOROUGH = 10

settings.register_profile("thorough", parent=settings.get_profile("ci"))


def examples(count: int) -> int:
    """``count`` examples, or ``THOROUGH`` times as many under the ``thorough`` profile."""
    return count * THOROUGH if settings.get_current_profile_name() == "thorough" else count


def load_profile(name: str | None) -> None:
    """Make hypothesis profile ``name`` current (``None`` or empty: leave hypothesis' own choice)."""
    if name:
        settings.load_profile(name)
