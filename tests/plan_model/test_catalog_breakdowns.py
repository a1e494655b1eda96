"""The catalog measured for real (issue 14, item 8): one indicator per territorial concept
with an ABSS breakdown, each ABSS's team reporting its own member; sex where the source
systems record it; violència masclista indicators sensitive."""

from __future__ import annotations

import pytest

from plan_model.breakdowns import indicators_reported_by, rows_reported_by
from plan_model.dimensions import reporter_of, reporting_services
from plan_model.export import indicator_dict
from plan_model.models import Plan

ABSS_TEAMS = {
    "SBAS-COSS": "COSS",
    "SBAS-VIC": "VIC",
    "SBAS-MANLLEU": "MANLLEU",
    "SBAS-PLANA": "PLANA",
}
# concept → (indicator, its objective, is it a ratio)
TERRITORIAL = {
    "caseload": ("P1.01-I3", "P1.01", True),
    "persons attended": ("P2.01-I7", "P2.01", False),
    "waiting days": ("P2.04-I4", "P2.04", True),
    "SSM-CAT screening": ("P3.17-I4", "P3.17", True),
    "homelessness": ("P5.04-I2", "P5.04", False),
}
BY_SEX = ["P2.01-I7", "P3.13-I1", "P3.11-I1", "P5.07-I1", "P3.07-I2"]
REPLACED = [
    "P1.01-I2",
    "P2.01-I1",
    "P2.01-I2",
    "P2.01-I3",
    "P2.01-I4",
    "P2.02-I1",
    "P2.04-I1",
    "P2.04-I2",
    "P3.17-I1",
    "P3.17-I2",
    "P3.17-I3",
    "P5.04-I1",
]


@pytest.mark.parametrize("concept", sorted(TERRITORIAL))
def test_one_indicator_per_territorial_concept_by_abss(plan: Plan, concept: str) -> None:
    code, objective, is_ratio = TERRITORIAL[concept]
    indicator = plan.indicator_by_code[code]
    assert indicator.objective_code == objective
    assert indicator.breakdowns[0] == "abss"
    assert "ABSS" not in indicator.name  # the name is the concept, not one ABSS
    assert (indicator.ratio is not None) is is_ratio
    assert indicator.responsible_service == "GERENCIA"  # answerable for the comarca's figure
    # each ABSS's team reports its own member, and only it
    assert {r.service: dict(r.members) for r in indicator.reporters} == {
        team: {"abss": abss} for team, abss in ABSS_TEAMS.items()
    }
    assert sorted(reporting_services(plan, indicator)) == sorted(ABSS_TEAMS)
    for team, abss in ABSS_TEAMS.items():
        assert reporter_of(plan, indicator, {"abss": abss}) == team


def test_the_replaced_codes_are_gone_and_no_concept_is_left_per_abss(plan: Plan) -> None:
    codes = {i.code for i in plan.indicators}
    assert not codes & set(REPLACED)
    names = [i.name for i in plan.indicators]
    for concept in ("cribrats amb SSM-CAT", "Dies d'espera fins a la primera", "sense llar ateses"):
        assert len([n for n in names if concept in n]) == 1, concept
    assert names.count("Persones ateses") == 1
    # P2.02 keeps its other screening indicator (every objective has one)
    assert [i.code for i in plan.indicators_of("P2.02")] == ["P2.02-I2"]


def test_the_screening_goes_to_the_objective_of_the_tool(plan: Plan) -> None:
    objective = plan.objective_by_code["P3.17"]
    assert objective.text == "Consolidació de la implementació de l’eina de cribatge SSM-CAT"
    screening = plan.indicator_by_code["P3.17-I4"]
    assert screening.ratio is not None
    assert screening.ratio.numerator == "casos nous del trimestre amb valoració SSM-CAT"
    assert screening.ratio.denominator == "casos nous del trimestre"


@pytest.mark.parametrize("code", BY_SEX)
def test_sex_where_the_source_systems_record_it(plan: Plan, code: str) -> None:
    assert "sex" in plan.indicator_by_code[code].breakdowns


def test_violencia_masclista_is_sensitive(plan: Plan) -> None:
    siad = [i for i in plan.indicators if i.responsible_service == "SIAD" and not i.is_milestone]
    assert siad and all(i.sensitive for i in siad)
    assert not plan.indicator_by_code["P2.01-I7"].sensitive


def test_each_abss_team_reports_its_own_rows(plan: Plan) -> None:
    rows = [r for r in rows_reported_by(plan, "SBAS-VIC") if r.indicator.code == "P2.01-I7"]
    assert [r.key for r in rows] == [
        "abss=VIC;sex=D",
        "abss=VIC;sex=H",
        "abss=VIC;sex=X",
        "abss=VIC;sex=NC",
    ]
    for team in ABSS_TEAMS:
        reported = {i.code for i in indicators_reported_by(plan, team)}
        assert {code for code, _o, _r in TERRITORIAL.values()} <= reported, team
    # a service without reporters reports every cell of its breakdown
    rows = rows_reported_by(plan, "TELEASSIST")
    assert [r.key for r in rows if r.indicator.code == "P3.13-I1"] == [
        "sex=D",
        "sex=H",
        "sex=X",
        "sex=NC",
    ]
    # the responsible service of the comarca's figure reports none of its members
    assert "P2.01-I7" not in {i.code for i in indicators_reported_by(plan, "GERENCIA")}


def test_the_export_carries_the_breakdowns(plan: Plan) -> None:
    exported = indicator_dict(plan, plan.indicator_by_code["P2.04-I4"])
    assert exported["breakdowns"] == ["abss"]
    assert exported["ratio"] == {
        "numerator": "dies naturals d'espera fins a la primera entrevista (suma)",
        "denominator": "primeres entrevistes del trimestre",
    }
    assert {"service": "SBAS-MANLLEU", "members": {"abss": "MANLLEU"}} in exported["reporters"]
