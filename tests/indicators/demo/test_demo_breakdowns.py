"""Demo data by breakdown member (issue 14): each ABSS's team sends its own members, the
members add up to the comarca's figure, and they import through the real import."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from indicators.demo import generate as demo
from indicators.demo.generate import DemoData, generate, load
from indicators.demo.splits import ABSS_WEIGHTS, SEX_SHARES, largest_remainder
from indicators.storage.queries import member_values_frame
from plan_model.breakdowns import (
    MemberValue,
    aggregate,
    member_values_of,
    parse_member_key,
    total_for,
)
from plan_model.models import Plan
from settings import Settings

SETTINGS = Settings(submission_deadline_days=30)
ABSS_TEAMS = {
    "SBAS-COSS": "COSS",
    "SBAS-VIC": "VIC",
    "SBAS-MANLLEU": "MANLLEU",
    "SBAS-PLANA": "PLANA",
}


@pytest.fixture(scope="module")
def data(plan: Plan) -> DemoData:
    return generate(plan, seed=demo.DEFAULT_SEED, settings=SETTINGS, services=list(ABSS_TEAMS))


def test_every_indicator_with_breakdowns_has_members_each_quarter(
    plan: Plan, data: DemoData
) -> None:
    broken_down = [i for i in plan.indicators if i.breakdowns]
    assert {i.code for i in broken_down} >= {"P2.01-I7", "P3.17-I4", "P3.13-I1", "P3.07-I2"}
    for indicator in broken_down:
        quarters = [key for key in data.members if key[0] == indicator.code]
        assert len(quarters) >= 12, indicator.code
        for key in quarters:
            cells = [parse_member_key(k) for k in data.members[key]]
            assert {d for cell in cells for d in cell} == set(indicator.breakdowns)


def test_the_members_make_the_comarca_figure(plan: Plan, data: DemoData) -> None:
    """A count's members add up to the total exactly; a ratio's total is the ratio of the
    sums of its counts, never the mean of the members' ratios."""
    for (code, period), members in data.members.items():
        indicator = plan.indicator_by_code[code]
        total = data.values[(code, period)]
        assert isinstance(total, float)
        if indicator.ratio is None:
            assert sum(m.value for m in members.values()) == total
            if indicator.integer:
                assert all(m.value.is_integer() and m.value >= 0 for m in members.values())
            continue
        numerator = sum(m.numerator or 0 for m in members.values())
        denominator = sum(m.denominator or 0 for m in members.values())
        scale = 100 if indicator.unit == "%" else 1
        assert total == pytest.approx(numerator / denominator * scale)
        for m in members.values():
            assert m.numerator is not None and m.denominator is not None and m.denominator > 0
            assert m.value == pytest.approx(m.numerator / m.denominator * scale)
            assert indicator.bounds is None or indicator.bounds.contains(m.value)


def test_the_splits_follow_the_abss_and_the_sexes(data: DemoData) -> None:
    members = data.members[("P2.01-I7", "2024-T4")]
    by_abss: dict[str, float] = {}
    by_sex: dict[str, float] = {}
    for key, figure in members.items():
        cell = parse_member_key(key)
        by_abss[cell["abss"]] = by_abss.get(cell["abss"], 0) + figure.value
        by_sex[cell["sex"]] = by_sex.get(cell["sex"], 0) + figure.value
    total = sum(by_abss.values())
    weights = sum(ABSS_WEIGHTS.values())
    for abss, weight in ABSS_WEIGHTS.items():
        assert by_abss[abss] / total == pytest.approx(weight / weights, rel=0.1)
    for sex, share in SEX_SHARES["P2.01-I7"].items():
        assert by_sex[sex] / total == pytest.approx(share, abs=0.02)
    # teleassistance is used mostly by women; the SIAD attends women
    tele = data.members[("P3.13-I1", "2024-T4")]
    tele_total = sum(m.value for m in tele.values())
    assert 0.7 < tele["sex=D"].value / tele_total < 0.82
    siad = data.members[("P3.07-I2", "2024-T4")]
    assert siad["sex=H"].value == 0 and siad["sex=D"].value > 0


def test_largest_remainder_keeps_the_total() -> None:
    assert largest_remainder([1.5, 1.5, 1.0], 4) == [2, 1, 1]
    assert sum(largest_remainder([0.2] * 7, 1)) == 1


def _first_files(data: DemoData, last_period: str) -> DemoData:
    files = [f for f in data.files if f.period <= last_period]
    return DemoData(
        seed=data.seed,
        files=files,
        values=data.values,
        profiles=data.profiles,
        layouts=data.layouts,
        missing=data.missing,
        members=data.members,
    )


def test_each_abss_team_sends_only_its_own_members(plan: Plan, data: DemoData) -> None:
    vic = next(f for f in data.files if f.service == "SBAS-VIC" and f.layout == "titled")
    ws = load_workbook(io.BytesIO(vic.content)).worksheets[1]
    header = [c.value for c in ws[4]]
    assert "Sexo" in header and "ABSS" not in header  # Vic's own ABSS is implied
    assert {"Numerador", "Denominador"} <= set(header)
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] == "P2.01-I7"]
    assert sorted(str(r[header.index("Sexo")]) for r in rows) == sorted(
        ["Mujer", "Hombre", "Otros", "No consta"]
    )


def test_the_members_import_and_make_the_total(plan: Plan, data: DemoData, engine: Engine) -> None:
    """The four ABSS teams' files of 2022 (template, titled and long layouts) import; each
    stored member is the demo's, and the comarca total derived from them is the demo's."""
    subset = _first_files(data, "2022-T4")
    report = load(engine, plan, subset, settings=SETTINGS)
    assert report.ok, report.failures
    frame = member_values_frame(engine)
    assert not frame.empty
    for record in frame.to_dict("records"):
        truth = data.members[(str(record["indicator"]), str(record["period"]))]
        figure = truth[str(record["member_key"])]
        assert float(record["value"]) == pytest.approx(figure.value)
        abss = parse_member_key(str(record["member_key"])).get("abss")
        if abss is not None:
            assert ABSS_TEAMS[str(record["service"])] == abss
        if figure.denominator is not None:
            assert float(record["numerator"]) == figure.numerator
            assert float(record["denominator"]) == figure.denominator
    sent = {(f.service, f.period) for f in subset.files}
    records = [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
    grouped = member_values_of(records)
    compared = 0
    for (code, period), values in grouped.items():
        if not all((team, period) in sent for team in ABSS_TEAMS):
            continue  # a team did not send the quarter: the total covers 3 of 4 ABSS
        indicator = plan.indicator_by_code[code]
        derived = total_for(indicator, values)
        assert derived.value == pytest.approx(float(data.values[(code, period)]))
        compared += 1
    assert compared >= 8


def test_a_ratio_total_is_not_the_mean_of_the_members() -> None:
    """The rule the demo relies on (plan_model.breakdowns.aggregate): 10 of 100 and 9 of 10
    make 19 of 110 (17,3 %), not the mean of 10 % and 90 % (50 %)."""
    members = [MemberValue("abss=COSS", 10.0, 10, 100), MemberValue("abss=VIC", 90.0, 9, 10)]
    assert aggregate(members, ratio=True).value == pytest.approx(1900 / 110)
