"""The small-count rule for breakdown members (issue 14, item 7): «< 5» for a small member,
complementary suppression so that the total and the other members never reveal it, sensitive
indicators always treated so. Checked against an attacker that tries every value."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plan_model.breakdowns import MemberResult
from plan_model.disclosure import (
    Disclosed,
    MembersDisclosed,
    disclose,
    disclose_breakdowns,
    disclose_members,
)
from plan_model.models import Indicator

N = 5


def indicator(*, integer: bool = True, sensitive: bool = False, kind: str = "numeric") -> Indicator:
    return Indicator(
        code="P3.01-I1",
        name="Dones ateses per violència masclista",
        kind=kind,
        responsible_service="SIAD",
        unit="persones",
        direction="increase",
        aggregation="sum",
        integer=integer,
        sensitive=sensitive,
        planned_completion="2025-T4" if kind == "milestone" else None,
    )


COUNT = indicator()


def shown(result: MembersDisclosed) -> dict[str, object]:
    return {
        m: ("<5" if d.below else "–") if d.suppressed else d.value
        for m, d in result.members.items()
    }


def test_a_small_member_and_a_second_one_are_suppressed() -> None:
    result = disclose_members(COUNT, 40, {"COSS": 3, "PLANA": 10, "VIC": 20, "MANLLEU": 7}, N)
    assert result.total == Disclosed(40)
    # 40 - 10 - 20 - 7 would give COSS: MANLLEU, the smallest other, goes too
    assert shown(result) == {"COSS": "<5", "PLANA": 10, "VIC": 20, "MANLLEU": "–"}


def test_two_small_members_protect_each_other() -> None:
    result = disclose_members(COUNT, 35, {"COSS": 3, "PLANA": 2, "VIC": 30}, N)
    assert shown(result) == {"COSS": "<5", "PLANA": "<5", "VIC": 30}


def test_a_second_cell_is_needed_when_the_bounds_give_them_away() -> None:
    # 1 + 1 = 2: two members of «< 5» that can only be 1 each
    result = disclose_members(COUNT, 12, {"D": 1, "H": 1, "X": 10}, N)
    assert shown(result) == {"D": "<5", "H": "<5", "X": "–"}


def test_zeros_and_large_members_are_published() -> None:
    result = disclose_members(COUNT, 30, {"D": 0, "H": 30}, N)
    assert shown(result) == {"D": 0.0, "H": 30.0}


def test_a_small_total_is_suppressed_with_its_members() -> None:
    result = disclose_members(COUNT, 3, {"D": 3, "H": 0}, N)
    assert result.total == Disclosed(None, suppressed=True, below=N)
    assert shown(result) == {"D": "<5", "H": 0.0}


def test_when_nothing_else_protects_them_no_bound_is_shown() -> None:
    # five members of 1, the rest 0, total 5: «< 5» five times would say «1» five times
    members = {f"M{i}": 1.0 for i in range(5)} | {"M5": 0.0}
    result = disclose_members(COUNT, 5, members, N)
    assert all(d.suppressed and d.below is None for d in result.members.values())


def test_sensitive_indicators_are_always_treated_so() -> None:
    vm = indicator(integer=False, sensitive=True)
    assert disclose(vm, 3.0, N) == Disclosed(None, suppressed=True, below=N)
    assert shown(disclose_members(vm, 23, {"D": 3, "H": 20}, N)) == {"D": "<5", "H": "–"}
    plain = indicator(integer=False)
    assert shown(disclose_members(plain, 23, {"D": 3, "H": 20}, N)) == {"D": 3.0, "H": 20.0}


def test_the_rule_can_be_turned_off_and_skips_milestones() -> None:
    assert shown(disclose_members(COUNT, 23, {"D": 3, "H": 20}, 0)) == {"D": 3.0, "H": 20.0}
    milestone = indicator(kind="milestone", integer=False)
    assert shown(disclose_members(milestone, 50, {"D": 3}, N)) == {"D": 3.0}


def test_missing_and_nan_members_are_left_missing() -> None:
    result = disclose_members(COUNT, 20, {"D": None, "H": float("nan"), "X": 20}, N)
    assert shown(result) == {"D": None, "H": None, "X": 20.0}


# --- no suppressed member can be recovered -------------------------------------------------


def feasible(
    result: MembersDisclosed, total: float | None, top: int, small_count: int
) -> dict[str, set[int]]:
    """Every value each suppressed member can take, given what is published: an attacker who
    tries them all (a member shown «< N» is 1..N-1; one shown without a bound 0..top)."""
    hidden = [m for m, d in result.members.items() if d.suppressed]
    ranges = [range(1, small_count) if result.members[m].below else range(top + 1) for m in hidden]
    published = sum(float(d.value or 0) for d in result.members.values() if not d.suppressed)
    known_total = result.total.value
    found: dict[str, set[int]] = {m: set() for m in hidden}
    for combo in itertools.product(*ranges):
        if known_total is not None and published + sum(combo) != known_total:
            continue
        for member, value in zip(hidden, combo, strict=True):
            found[member].add(value)
    return found


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 9), min_size=1, max_size=4),
    st.integers(3, 6),
)
def test_no_suppressed_member_can_be_recovered(values: list[int], small_count: int) -> None:
    members = {f"M{i}": float(v) for i, v in enumerate(values)}
    total = float(sum(values))
    result = disclose_members(COUNT, total, members, small_count)
    for member, value in members.items():
        shown_member = result.members[member]
        if 0 < value < small_count:
            assert shown_member.suppressed  # every small member is suppressed
        if not shown_member.suppressed:
            assert shown_member.value == value  # what is published is true
    top = max(int(total), small_count)
    for member, options in feasible(result, total, top, small_count).items():
        assert int(members[member]) in options  # the truth is among them
        assert len(options) >= 2, (members, shown(result), member, options)


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_one_small_member_among_equals(count: int) -> None:
    members = {"A": float(count), "B": 5.0, "C": 5.0}
    result = disclose_members(COUNT, count + 10.0, members, N)
    hidden = [m for m, d in result.members.items() if d.suppressed]
    assert "A" in hidden and len(hidden) >= 2


def test_every_dimension_of_a_breakdown_is_protected_against_the_same_total() -> None:
    results = {
        "abss": [MemberResult("abss", "VIC", 30.0), MemberResult("abss", "COSS", 3.0)],
        "sex": [MemberResult("sex", "D", 20.0), MemberResult("sex", "H", 13.0)],
    }
    found = disclose_breakdowns(COUNT, 33.0, results, N)
    assert shown(found["abss"]) == {"VIC": "–", "COSS": "<5"}
    assert shown(found["sex"]) == {"D": 20.0, "H": 13.0}
    assert found["abss"].total == Disclosed(33.0)
