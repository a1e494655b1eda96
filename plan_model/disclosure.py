"""What may leave the app about a value: the small-count rule of the public view and the API.

A count of persons (an indicator with ``integer: true``) between 1 and ``SMALL_COUNT - 1``
could identify people in a small municipality or service, so it is published as
"menys de N" and never as its number (statistical disclosure control: the threshold is the
setting ``SMALL_COUNT``, 5 by default; 0 turns the rule off). Zero is published (it
identifies nobody); percentages, means and milestones are published as they are. An
indicator's progress and share of target would reveal a suppressed count (value = share x
target), so they are suppressed with it; the levels above (objective, axis, lever) mix
several indicators and keep their figures.

An indicator marked ``sensitive: true`` in the catalog (violència masclista: issue 14) is
always treated as a count, whatever its ``integer``. The members of a breakdown follow the
same rule with complementary suppression (:func:`disclose_members`, below).

One home for the rule: the public pages, the embeds, the API and the open-data files all
ask :func:`disclose` (and :func:`disclose_members` for a breakdown).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from plan_model.breakdowns import MemberResult
from plan_model.models import Indicator

DEFAULT_SMALL_COUNT = 5


@dataclass(frozen=True)
class Disclosed:
    """A value as it may be published: ``value`` is ``None`` when it is suppressed (then
    ``below`` is the threshold it is under, for "menys de N") or missing."""

    value: float | None
    suppressed: bool = False
    below: int | None = None


def counts_apply(indicator: Indicator) -> bool:
    """Whether the small-count rule applies to the indicator: a count (``integer: true``) or
    one marked ``sensitive: true`` (violència masclista: always treated so), never a
    milestone."""
    return not indicator.is_milestone and (indicator.integer or indicator.sensitive)


def is_small_count(indicator: Indicator, value: float | None, small_count: int) -> bool:
    """Whether ``value`` of ``indicator`` is a count too small to publish (a count, or any
    indicator marked ``sensitive``: issue 14)."""
    if value is None or small_count <= 0 or not counts_apply(indicator):
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


# --- breakdown members (issue 14, item 7) -----------------------------------------------------
#
# The members of one dimension (the ABSS, the sexes...) add up to the indicator's total, so
# a member suppressed alone could be recovered as the total minus the others. The rule:
#
# - primary suppression: a member under the threshold (1 to SMALL_COUNT - 1) of a count, or
#   of any indicator marked ``sensitive: true`` (violència masclista: always treated so), is
#   shown as «< 5» (``below``);
# - complementary suppression: while a suppressed member could be worked out from the
#   published total and members (the bounds 1..4 of «< 5» included: e.g. five members of 1
#   and a total of 5), a further member is suppressed, the smallest first (a zero last);
#   it is shown without a bound (``below`` None: «no publicat»), so it may be anything;
# - should that not be enough (every member suppressed and one still determined), every
#   member is shown without a bound.
#
# Each dimension is protected on its own: the members of two dimensions share nothing but
# the total (their crossed cells are not published).


@dataclass(frozen=True)
class MembersDisclosed:
    """One dimension's members as they may be published, in the order given, and the total."""

    total: Disclosed
    members: dict[str, Disclosed]


def disclose_members(
    indicator: Indicator,
    total: float | None,
    members: Mapping[str, float | None],
    small_count: int,
) -> MembersDisclosed:
    """The members of one dimension of ``indicator`` (member code → value, their sum being
    ``total``) as the public may see them, with complementary suppression (above)."""
    shown_total = disclose(indicator, total, small_count)
    clean = {m: _finite(v) for m, v in members.items()}
    if small_count <= 0 or not counts_apply(indicator):
        return MembersDisclosed(shown_total, {m: Disclosed(v) for m, v in clean.items()})
    primary = {m for m, v in clean.items() if v is not None and 0 < v < small_count}
    complementary = _complementary(clean, primary, shown_total.value, small_count)
    if complementary is None:  # nothing protects them but hiding every bound
        hidden = {m: Disclosed(None, suppressed=True) for m in clean}
        return MembersDisclosed(shown_total, hidden)
    out: dict[str, Disclosed] = {}
    for member, value in clean.items():
        if member in primary:
            out[member] = Disclosed(None, suppressed=True, below=small_count)
        elif member in complementary:
            out[member] = Disclosed(None, suppressed=True)
        else:
            out[member] = Disclosed(value)
    return MembersDisclosed(shown_total, out)


def _finite(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def _complementary(
    values: dict[str, float | None], primary: set[str], total: float | None, small_count: int
) -> set[str] | None:
    """The members to suppress besides ``primary`` so that none is determined (None when
    even all of them would not do)."""
    chosen: set[str] = set()
    if not primary or total is None:
        return chosen  # a suppressed total ties nothing: no member can be worked out
    candidates = sorted(
        (m for m, v in values.items() if m not in primary and v is not None),
        key=lambda m: (values[m] == 0, values[m]),
    )
    while determined(values, primary, chosen, total, small_count):
        if not candidates:
            return None
        chosen.add(candidates.pop(0))
    return chosen


def determined(
    values: dict[str, float | None],
    primary: set[str],
    complementary: set[str],
    total: float,
    small_count: int,
) -> bool:
    """Whether some suppressed member can be worked out exactly from the published total and
    members, knowing a primary one is between 1 and ``small_count - 1`` and a complementary
    one is at least 0 (exact for a sum: each member's range is an interval)."""
    hidden = primary | complementary
    published = sum(v for m, v in values.items() if m not in hidden and v is not None)
    rest = total - published
    top = float(small_count - 1)
    low_sum = float(len(primary))  # a primary member is at least 1, a complementary one 0
    high_sum = top * len(primary)  # and at most SMALL_COUNT - 1; a complementary one: any
    for member in hidden:
        own_low, own_high = (1.0, top) if member in primary else (0.0, math.inf)
        unbounded_others = len(complementary - {member}) > 0
        others_high = (
            math.inf if unbounded_others else high_sum - (own_high if member in primary else 0.0)
        )
        lowest = max(own_low, rest - others_high)
        highest = min(own_high, rest - (low_sum - own_low))
        if highest - lowest < 1:
            return True
    return False


def disclose_breakdowns(
    indicator: Indicator,
    total: float | None,
    breakdowns: Mapping[str, Sequence[MemberResult]],
    small_count: int,
) -> dict[str, MembersDisclosed]:
    """Every dimension of an indicator's breakdown (``plan_model.breakdowns.member_results``,
    e.g. ``DashboardData.breakdowns``) as the public may see it: :func:`disclose_members`
    per dimension, each against the same total."""
    return {
        dimension: disclose_members(
            indicator, total, {r.member: r.value for r in results}, small_count
        )
        for dimension, results in breakdowns.items()
    }
