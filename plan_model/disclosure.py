"""What may leave the app about a value: the small-count rule of the public view and the API.

A count of persons (an indicator with ``integer: true``) between 1 and ``SMALL_COUNT - 1``
could identify people in a small municipality or service, so it is published as
"menys de N" and never as its number (statistical disclosure control: the threshold is the
setting ``SMALL_COUNT``, 5 by default; 0 turns the rule off). Zero is published (it
identifies nobody); percentages, means and milestones are published as they are. An
indicator's progress and share of target would reveal a suppressed count (value = share x
target), so they are suppressed with it; the levels above (objective, axis, lever) mix
several indicators and keep their figures.

One home for the rule: the public pages, the embeds, the API and the open-data files all
ask :func:`disclose`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from plan_model.models import Indicator

DEFAULT_SMALL_COUNT = 5


@dataclass(frozen=True)
class Disclosed:
    """A value as it may be published: ``value`` is ``None`` when it is suppressed (then
    ``below`` is the threshold it is under, for "menys de N") or missing."""

    value: float | None
    suppressed: bool = False
    below: int | None = None


def is_small_count(indicator: Indicator, value: float | None, small_count: int) -> bool:
    """Whether ``value`` of ``indicator`` is a count too small to publish."""
    if value is None or small_count <= 0 or not indicator.integer or indicator.is_milestone:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return 0 < value < small_count


def disclose(indicator: Indicator, value: float | None, small_count: int) -> Disclosed:
    """``value`` of ``indicator`` as the public may see it (the rule of this module)."""
    if value is not None and isinstance(value, float) and math.isnan(value):
        value = None
    if is_small_count(indicator, value, small_count):
        return Disclosed(value=None, suppressed=True, below=small_count)
    return Disclosed(value=value)
