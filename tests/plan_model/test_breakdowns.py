"""Totals from breakdown members (issue 14, item 5): member keys, sums, ratios of sums,
partial totals never counted twice, coverage, per-member figures and trends, and who reports
which rows (completeness and reminders follow the reporters)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.reporting.reminders import due_items
from plan_model.breakdowns import (
    MemberKeyError,
    MemberValue,
    aggregate,
    breakdowns_json,
    coverage,
    derive_total,
    indicators_reported_by,
    member_key,
    member_results,
    parse_member_key,
    reporting_service_codes,
    rows_reported_by,
    total_for,
)
from plan_model.completeness import expected_services
from plan_model.models import Plan
from tests.helpers.breakdown_plan import COUNT, HOMELESS, MILESTONE, PERCENT, breakdown_plan


@pytest.fixture(scope="module")
def bplan() -> Plan:
    return breakdown_plan()


# --- member keys ---------------------------------------------------------------------------


def test_member_keys_are_canonical() -> None:
    assert member_key({"sex": "D", "abss": "VIC"}) == "abss=VIC;sex=D"
    assert member_key({"abss": "VIC", "sex": ""}) == "abss=VIC"  # blank: the total over it
    assert member_key({}) == ""
    assert parse_member_key("abss=VIC;sex=D") == {"abss": "VIC", "sex": "D"}
    assert parse_member_key("") == {}


@pytest.mark.parametrize(
    "cell", [{"sex": "D;x"}, {"se=x": "D"}, {"sex": " D"}, {"": "D"}, {"sex": "D" * 200}]
)
def test_a_member_key_refuses_what_it_cannot_hold(cell: dict[str, str]) -> None:
    with pytest.raises(MemberKeyError):
        member_key(cell)


@pytest.mark.parametrize("key", ["abss", "abss=", "=VIC", "abss=VIC;abss=COSS", ";"])
def test_a_malformed_key_is_refused(key: str) -> None:
    with pytest.raises(MemberKeyError):
        parse_member_key(key)


codes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+", min_size=1, max_size=8)


@settings(deadline=None)
@given(st.dictionaries(codes, codes, max_size=4))
def test_member_keys_round_trip(cell: dict[str, str]) -> None:
    assert parse_member_key(member_key(cell)) == cell
    assert member_key(dict(reversed(list(cell.items())))) == member_key(cell)


# --- totals --------------------------------------------------------------------------------


def test_a_count_total_is_the_sum_of_its_members() -> None:
    values = [
        MemberValue("abss=VIC;sex=D", 30),
        MemberValue("abss=VIC;sex=H", 20),
        MemberValue("abss=COSS;sex=D", 7),
    ]
    assert derive_total(values).value == 57


def test_a_partial_total_stands_for_its_own_members() -> None:
    values = [
        MemberValue("abss=VIC", 50),  # Vic over both sexes
        MemberValue("abss=VIC;sex=D", 30),  # and its women: not added again
        MemberValue("abss=COSS;sex=D", 7),
        MemberValue("sex=D", 999),  # a margin of another dimension: not the leading one
    ]
    assert derive_total(values).value == 57


def test_a_ratio_total_is_the_ratio_of_the_sums() -> None:
    values = [
        MemberValue("abss=COSS", 50.0, numerator=1, denominator=2),
        MemberValue("abss=VIC", 90.0, numerator=90, denominator=100),
    ]
    total = derive_total(values)
    assert total.value == pytest.approx(91 / 102 * 100)
    assert (total.numerator, total.denominator) == (91, 102)
    assert total.value != pytest.approx(70.0)  # never the mean of the percentages


def test_a_ratio_without_its_counts_has_no_total(bplan: Plan) -> None:
    percent = bplan.indicator_by_code[PERCENT]
    values = [MemberValue("abss=COSS", 50.0), MemberValue("abss=VIC", 90.0, 9, 10)]
    assert total_for(percent, values).value is None
    assert aggregate([MemberValue("a=b", 1, 0, 0)], ratio=True).value is None  # 0 / 0
    assert derive_total([]).value is None


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(1, 10_000)).filter(lambda p: p[0] <= p[1]),
        min_size=1,
        max_size=8,
    )
)
def test_any_ratio_total_is_its_summed_counts(pairs: list[tuple[int, int]]) -> None:
    values = [
        MemberValue(f"abss=M{i}", n / d * 100, float(n), float(d)) for i, (n, d) in enumerate(pairs)
    ]
    expected = sum(n for n, _d in pairs) / sum(d for _n, d in pairs) * 100
    assert derive_total(values).value == pytest.approx(expected)


@settings(deadline=None)
@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=6), st.integers(1, 4))
def test_any_count_total_is_the_sum_of_its_finest_members(counts: list[int], sexes: int) -> None:
    values = [
        MemberValue(f"abss=A{i};sex=S{j}", float(c))
        for i, c in enumerate(counts)
        for j in range(sexes)
    ]
    assert derive_total(values).value == pytest.approx(sum(counts) * sexes)


# --- coverage and members ------------------------------------------------------------------


def test_coverage_of_the_leading_breakdown(bplan: Plan) -> None:
    count = bplan.indicator_by_code[COUNT]
    found = coverage(bplan, count, [MemberValue("abss=VIC;sex=D", 3)])
    assert found is not None and (found.dimension, found.covered, found.of) == ("abss", 1, 2)
    assert not found.complete
    assert coverage(bplan, bplan.indicator_by_code[MILESTONE], []) is None


def test_member_figures_and_trends(bplan: Plan) -> None:
    count = bplan.indicator_by_code[COUNT]
    now = [MemberValue("abss=VIC;sex=D", 30), MemberValue("abss=VIC;sex=H", 20)]
    before = [MemberValue("abss=VIC;sex=D", 25), MemberValue("abss=VIC;sex=H", 20)]
    results = member_results(bplan, count, now, before)
    assert [(r.member, r.value, r.trend) for r in results["abss"]] == [("VIC", 50, "up")]
    assert [(r.member, r.value, r.trend) for r in results["sex"]] == [
        ("D", 30, "up"),
        ("H", 20, "flat"),
    ]
    document = breakdowns_json(bplan, count, now)
    assert document["sex"][0] == {
        "member": "D",
        "name": "Dona",
        "value": 30,
        "previous": None,
        "trend": None,
    }


# --- who reports which rows ----------------------------------------------------------------


def test_rows_follow_the_reporters(bplan: Plan) -> None:
    vic = rows_reported_by(bplan, "SBAS-VIC")
    assert [(r.indicator.code, r.key) for r in vic] == [
        (COUNT, "abss=VIC;sex=D"),
        (COUNT, "abss=VIC;sex=H"),
        (COUNT, "abss=VIC;sex=X"),
        (COUNT, "abss=VIC;sex=NC"),
    ]
    sbas = [(r.indicator.code, r.key) for r in rows_reported_by(bplan, "SBAS")]
    assert (COUNT, "") not in sbas and (PERCENT, "abss=COSS") in sbas
    assert (HOMELESS, "municipality=08298") in sbas
    assert [i.code for i in indicators_reported_by(bplan, "SBAS")] == [PERCENT, HOMELESS]
    assert [(r.indicator.code, r.key) for r in rows_reported_by(bplan, "DIRECCIO")] == [
        (MILESTONE, "")
    ]


def test_completeness_and_reminders_follow_the_reporters(bplan: Plan) -> None:
    assert expected_services(bplan) == ["SBAS", "DIRECCIO", "SBAS-COSS", "SBAS-VIC"]
    assert reporting_service_codes(bplan) == expected_services(bplan)
    items = due_items(bplan, "SBAS-COSS")
    assert [(i.indicator.code, dict(i.members)) for i in items][:2] == [
        (COUNT, {"abss": "COSS", "sex": "D"}),
        (COUNT, {"abss": "COSS", "sex": "H"}),
    ]
    assert items[0].to_json()["members"] == {"abss": "COSS", "sex": "D"}


def test_the_real_plan_keeps_one_row_per_indicator_without_breakdowns(plan: Plan) -> None:
    for service in plan.services:
        plain = [i.code for i in plan.indicators_of_service(service.code) if not i.breakdowns]
        rows = [r for r in rows_reported_by(plan, service.code) if not r.indicator.breakdowns]
        assert [r.indicator.code for r in rows] == plain
        assert all(r.key == "" for r in rows)
