"""The indicator catalog (data/indicators.yaml): a complete, coherent proposal."""

from __future__ import annotations

import re
from collections import Counter

from plan_model.models import Aggregation, Direction, IndicatorKind, Plan
from plan_model.periods import Period

STAGES = [
    ("no_iniciat", "No iniciat", 0),
    ("planificat", "Planificat", 10),
    ("iniciat", "Iniciat", 25),
    ("en_desenvolupament", "En desenvolupament", 50),
    ("avancat", "Avançat", 80),
    ("finalitzat", "Finalitzat", 100),
    ("ajornat", "Ajornat", None),
    ("desestimat", "Desestimat", None),
]


def test_catalog_is_marked_as_a_proposal(plan: Plan) -> None:
    assert plan.catalog.status == "proposta"
    assert plan.catalog.note is not None
    assert "COSS" in plan.catalog.note
    assert "proposta" in plan.catalog.note.lower()


def test_stage_scale_of_catalan_administration(plan: Plan) -> None:
    assert [(s.key, s.name, s.pct) for s in plan.stages] == STAGES
    for stage in plan.stages:
        assert stage.name_es and stage.name_en
    assert plan.stage_by_key["en_desenvolupament"].name_es == "En desarrollo"


RETIRED_CODES = {"P1.06-I1", "P1.10-I2", "P3.07-I1"}  # replaced in the catalog review
# issue 14: one indicator per concept with an ABSS breakdown replaced those of one ABSS each
RETIRED_CODES |= {
    "P1.01-I2",
    *(f"P2.01-I{n}" for n in range(1, 5)),
    "P2.02-I1",
    "P2.04-I1",
    "P2.04-I2",
    *(f"P3.17-I{n}" for n in range(1, 4)),
    "P5.04-I1",
}


def test_every_objective_has_indicators_coded_after_it(plan: Plan) -> None:
    for objective in plan.objectives:
        indicators = plan.indicators_of(objective.code)
        assert indicators, objective.code
        # numbered I1, I2... in order, without gaps but the codes retired by the catalog
        # review (issue 15: a replaced indicator's code is never given to another meaning)
        numbers = [int(i.code.split("-I")[1]) for i in indicators]
        expected = [
            n for n in range(1, max(numbers) + 1) if f"{objective.code}-I{n}" not in RETIRED_CODES
        ]
        assert numbers == expected, objective.code
    assert all(re.fullmatch(r"P[1-5]\.\d{2}-I\d+", i.code) for i in plan.indicators)
    assert len({i.code for i in plan.indicators}) == len(plan.indicators)


def test_catalog_size_and_mix(plan: Plan) -> None:
    kinds = Counter(i.kind for i in plan.indicators)
    assert 75 <= len(plan.indicators) <= 95
    assert kinds[IndicatorKind.NUMERIC] >= 50
    assert kinds[IndicatorKind.MILESTONE] >= 15
    numeric = [i for i in plan.indicators if i.kind is IndicatorKind.NUMERIC]
    assert {i.direction for i in numeric} == set(Direction)
    assert {i.aggregation for i in numeric} == set(Aggregation)


MEASURED_FROM_THEIR_FIRST_TARGET = {"P1.05-I2", "P1.10-I3"}  # no 2021 value could exist


def test_numeric_indicators_are_complete_and_plausible(plan: Plan) -> None:
    for ind in plan.indicators:
        if ind.kind is not IndicatorKind.NUMERIC:
            continue
        assert ind.unit and ind.direction and ind.aggregation, ind.code
        assert ind.targets is not None, ind.code
        # a 2021 baseline, or none for a measure the plan creates (issue 15's review): then
        # its targets start the year it is first measured
        first = plan.years[0]
        if ind.baseline is None:
            assert ind.code in MEASURED_FROM_THEIR_FIRST_TARGET, ind.code
            first = min(ind.targets)
        else:
            assert ind.baseline.year == 2021, ind.code
        assert sorted(ind.targets) == [y for y in plan.years if y >= first], ind.code
        assert ind.bounds is not None and ind.bounds.min is not None, ind.code
        assert ind.bounds.min >= 0, ind.code
        start = ind.baseline.value if ind.baseline else ind.targets[first]
        assert ind.bounds.contains(start), ind.code
        assert all(ind.bounds.contains(v) for v in ind.targets.values()), ind.code
        if ind.unit == "%":
            assert (ind.bounds.min, ind.bounds.max) == (0, 100), ind.code
        values = [ind.targets[y] for y in plan.years if y >= first]
        if ind.direction is Direction.INCREASE:
            assert values == sorted(values) and values[-1] >= start, ind.code
        elif ind.direction is Direction.DECREASE:
            assert values == sorted(values, reverse=True), ind.code
            assert values[-1] <= start, ind.code
        else:
            assert ind.tolerance is not None and ind.tolerance > 0, ind.code
        # waiting times are averaged, never summed over quarters
        if ind.unit == "dies":
            assert ind.aggregation is Aggregation.MEAN, ind.code
            assert ind.direction is Direction.DECREASE, ind.code


def test_milestones_have_a_planned_quarter_inside_the_plan(plan: Plan) -> None:
    milestones = [i for i in plan.indicators if i.kind is IndicatorKind.MILESTONE]
    for ind in milestones:
        due = ind.planned_completion_period
        assert due is not None, ind.code
        assert plan.first_period <= due <= plan.last_period, ind.code
        if ind.start is not None:
            assert Period.parse(ind.start) <= due, ind.code
        assert ind.baseline is None and ind.targets is None and ind.direction is None


def test_every_service_reports_at_least_two_indicators(plan: Plan) -> None:
    counts = Counter(i.responsible_service for i in plan.indicators)
    for service in plan.services:
        assert counts[service.code] >= 2, service.code
    assert set(counts) <= set(plan.service_by_code)
    # each ABSS has its own basic-services indicators
    for abss in ("SBAS-COSS", "SBAS-VIC", "SBAS-MANLLEU", "SBAS-PLANA"):
        assert any(i.kind is IndicatorKind.NUMERIC for i in plan.indicators_of_service(abss))


def test_indicators_a_director_recognises(plan: Plan) -> None:
    by_name = {i.name: i for i in plan.indicators}
    attended = by_name["Persones ateses"]
    # issue 15: distinct persons are counted year to date (not summed over quarters), and a
    # demand volume is a context indicator (no target, no light); it was a numeric "sum"
    assert attended.aggregation is Aggregation.YTD
    assert attended.kind is IndicatorKind.CONTEXT and attended.targets is None
    # issue 14: one indicator for the 4 ABSS (3.064 of COSS's own, 4.350 of Vic, 1.850 of
    # Manlleu and 1.600 of La Plana), by ABSS and sex
    assert attended.baseline is not None and attended.baseline.value == 10864
    assert attended.breakdowns == ["abss", "sex"]
    sad = by_name["Hores de servei d'atenció domiciliària (SAD) prestades"]
    assert sad.targets is not None and 150_000 <= sad.targets[2022] <= 160_000
    names = " ".join(by_name).lower()
    for word in (
        "ssm-cat",
        "teleassistència",
        "pia",
        "sis",
        "espais activa't",
        "siad",
        "pedala",
        "pobresa energètica",
        "sense llar",
        "formació",
        "queixes",
        "agressió",
        "dies d'espera",
    ):
        assert word in names, word


def test_per_indicator_thresholds_and_weights(plan: Plan) -> None:
    custom = [i for i in plan.indicators if i.thresholds is not None]
    weighted = [i for i in plan.indicators if i.weight != 1]
    assert len(custom) >= 2
    assert len(weighted) >= 2
    for ind in custom:
        thresholds = plan.thresholds_for(ind)
        assert thresholds is ind.thresholds
        assert 0 < thresholds.amber <= thresholds.green
    plain = next(i for i in plan.indicators if i.thresholds is None)
    assert plan.thresholds_for(plain) == plan.catalog.thresholds
    assert (plan.catalog.thresholds.green, plan.catalog.thresholds.amber) == (0.9, 0.7)
