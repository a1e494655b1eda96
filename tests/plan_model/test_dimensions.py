"""Dimensions, breakdowns, ratios and reporters: loading, validation, helpers and export.

Each case builds a tiny plan in a temporary folder (the ``valid`` fixture plan, two ABSS
services more, a small dimensions file and a catalog with breakdowns), breaks one rule of it
and checks the Catalan message, the file and the line of the offending key.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cli import main
from plan_model.dimensions import (
    abss_of,
    breakdown_cells,
    cells,
    cells_reported_by,
    members_of,
    reporter_of,
    reporting_services,
)
from plan_model.export import plan_to_dict
from plan_model.loader import PlanError, PlanValidationError, load_plan
from plan_model.models import Plan

VALID = Path(__file__).resolve().parent.parent / "fixtures" / "plans" / "valid"

SERVICES = """\
- code: SBAS-COSS
  name: SBAS – ABSS Consell Comarcal
  email: sbas.coss@example.org
- code: SBAS-VIC
  name: SBAS – ABSS Vic
  email: sbas.vic@example.org
"""

DIMENSIONS = """\
dimensions:
- code: abss
  name: ABSS
  members:
  - {code: COSS, name: ABSS Consell Comarcal d'Osona}
  - {code: VIC, name: ABSS Vic}
- code: municipality
  name: Municipi
  parent: abss
  members:
  - {code: "08298", name: Vic, parent: VIC}
  - {code: "08037", name: Calldetenes, parent: COSS, per_confirmar: true}
  - {code: "08285", name: Torelló, parent: COSS, per_confirmar: true}
- code: sex
  name: Sexe
  members:
  - {code: D, name: Dona}
  - {code: H, name: Home}
"""

# added to P1.01-I1 (a percentage) and to P2.01-I1 (persons attended, a count)
PERCENT_BREAKDOWN = """\
  breakdowns: [abss]
  ratio: {numerator: casos amb pla de treball, denominator: casos actius}
"""
COUNT_BREAKDOWN = """\
  breakdowns: [abss, sex]
  reporters:
  - {service: SBAS-COSS, members: {abss: COSS}}
  - {service: SBAS-VIC, members: {abss: VIC}}
"""


def write_plan(
    folder: Path,
    dimensions: str = DIMENSIONS,
    percent: str = PERCENT_BREAKDOWN,
    count: str = COUNT_BREAKDOWN,
    milestone: str = "",
    catalog_edit: tuple[str, str] = ("", ""),
) -> Path:
    """The valid fixture plan with dimensions, in ``folder``; returns its plan file."""
    shutil.copy(VALID / "plan.yaml", folder / "plan.yaml")
    plan_text = (folder / "plan.yaml").read_text(encoding="utf-8")
    plan_text = plan_text.replace(
        "  catalog: indicators.yaml\n",
        "  catalog: indicators.yaml\n  dimensions: dimensions.yaml\n",
    )
    (folder / "plan.yaml").write_text(plan_text + SERVICES, encoding="utf-8")
    catalog = (VALID / "indicators.yaml").read_text(encoding="utf-8")
    catalog = catalog.replace(
        "  bounds: {min: 0, max: 100}\n", "  bounds: {min: 0, max: 100}\n" + percent
    )
    catalog = catalog.replace(
        "  planned_completion: 2023-T2\n", "  planned_completion: 2023-T2\n" + milestone
    )
    if catalog_edit[0]:
        assert catalog_edit[0] in catalog
        catalog = catalog.replace(*catalog_edit)
    (folder / "indicators.yaml").write_text(catalog + count, encoding="utf-8")
    (folder / "dimensions.yaml").write_text(dimensions, encoding="utf-8")
    return folder / "plan.yaml"


@pytest.fixture
def small_plan(tmp_path: Path) -> Plan:
    return load_plan(write_plan(tmp_path))


# --- loading ------------------------------------------------------------------------------


def test_dimensions_and_breakdowns_load(small_plan: Plan) -> None:
    assert [d.code for d in small_plan.dimensions] == ["abss", "municipality", "sex"]
    municipality = small_plan.dimension_by_code["municipality"]
    assert municipality.parent == "abss"
    assert [(m.code, m.parent, m.per_confirmar) for m in municipality.members] == [
        ("08298", "VIC", False),
        ("08037", "COSS", True),
        ("08285", "COSS", True),
    ]
    percent = small_plan.indicator_by_code["P1.01-I1"]
    assert percent.breakdowns == ["abss"]
    assert percent.ratio is not None
    assert (percent.ratio.numerator, percent.ratio.denominator) == (
        "casos amb pla de treball",
        "casos actius",
    )
    count = small_plan.indicator_by_code["P2.01-I1"]
    assert count.breakdowns == ["abss", "sex"]
    assert [(r.service, r.members) for r in count.reporters] == [
        ("SBAS-COSS", {"abss": "COSS"}),
        ("SBAS-VIC", {"abss": "VIC"}),
    ]
    milestone = small_plan.indicator_by_code["P1.02-I1"]
    assert (milestone.breakdowns, milestone.ratio, milestone.reporters) == ([], None, [])


def test_a_plan_without_dimensions_still_loads() -> None:
    plan = load_plan(VALID / "plan.yaml")
    assert plan.dimensions == []
    assert all(i.breakdowns == [] for i in plan.indicators)


# --- helpers ------------------------------------------------------------------------------


def test_members_of_a_dimension_and_the_abss_of_a_municipality(small_plan: Plan) -> None:
    assert [m.code for m in members_of(small_plan, "abss")] == ["COSS", "VIC"]
    assert abss_of(small_plan, "08298") == "VIC"
    assert abss_of(small_plan, "08285") == "COSS"
    with pytest.raises(KeyError):
        abss_of(small_plan, "99999")
    with pytest.raises(KeyError):
        members_of(small_plan, "territori")


def test_cells_of_a_breakdown(small_plan: Plan) -> None:
    count = small_plan.indicator_by_code["P2.01-I1"]
    assert breakdown_cells(small_plan, count) == [
        {"abss": "COSS", "sex": "D"},
        {"abss": "COSS", "sex": "H"},
        {"abss": "VIC", "sex": "D"},
        {"abss": "VIC", "sex": "H"},
    ]
    # without breakdowns: one cell, the total
    assert breakdown_cells(small_plan, small_plan.indicator_by_code["P1.02-I1"]) == [{}]
    # a municipality comes only with its own ABSS
    assert cells(small_plan.dimension_by_code, ["abss", "municipality"]) == [
        {"abss": "COSS", "municipality": "08037"},
        {"abss": "COSS", "municipality": "08285"},
        {"abss": "VIC", "municipality": "08298"},
    ]


def test_each_service_reports_its_own_members(small_plan: Plan) -> None:
    count = small_plan.indicator_by_code["P2.01-I1"]
    assert cells_reported_by(small_plan, count, "SBAS-VIC") == [
        {"abss": "VIC", "sex": "D"},
        {"abss": "VIC", "sex": "H"},
    ]
    assert cells_reported_by(small_plan, count, "SBAS") == []  # responsible, but covered
    assert reporting_services(small_plan, count) == ["SBAS-COSS", "SBAS-VIC"]
    assert reporter_of(small_plan, count, {"abss": "COSS", "sex": "H"}) == "SBAS-COSS"


def test_without_reporters_the_responsible_service_reports_every_member(
    small_plan: Plan,
) -> None:
    percent = small_plan.indicator_by_code["P1.01-I1"]
    assert cells_reported_by(small_plan, percent, "SBAS") == [{"abss": "COSS"}, {"abss": "VIC"}]
    assert reporting_services(small_plan, percent) == ["SBAS"]
    milestone = small_plan.indicator_by_code["P1.02-I1"]
    assert cells_reported_by(small_plan, milestone, "DIRECCIO") == [{}]
    assert cells_reported_by(small_plan, milestone, "SBAS") == []


def test_a_reporter_of_an_abss_reports_its_municipalities(tmp_path: Path) -> None:
    count = """\
  breakdowns: [municipality]
  reporters:
  - {service: SBAS-VIC, members: {abss: VIC}}
"""
    plan = load_plan(write_plan(tmp_path, count=count))
    ind = plan.indicator_by_code["P2.01-I1"]
    assert cells_reported_by(plan, ind, "SBAS-VIC") == [{"municipality": "08298"}]
    # the members no reporter is given stay with the responsible service
    assert cells_reported_by(plan, ind, "SBAS") == [
        {"municipality": "08037"},
        {"municipality": "08285"},
    ]


# --- validation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Broken:
    file: str  # the file the error points at
    marker: str  # text on the line it points at (first occurrence; the last with ``last``)
    key: str  # a fragment of the reported key
    message: str  # a fragment of the Catalan message
    dimensions: str = DIMENSIONS
    percent: str = PERCENT_BREAKDOWN
    count: str = COUNT_BREAKDOWN
    milestone: str = ""
    last: bool = False
    catalog_edit: tuple[str, str] = ("", "")  # one text of the catalog replaced by another


def _swap(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


CASES: dict[str, Broken] = {
    "unknown_dimension_in_breakdowns": Broken(
        "indicators.yaml",
        "breakdowns: [abss, territori]",
        "indicators[code=P2.01-I1].breakdowns[1]",
        "la dimensió territori no existeix entre les dimensions del pla (abss, municipality, sex)",
        count=_swap(COUNT_BREAKDOWN, "[abss, sex]", "[abss, territori]"),
    ),
    "dimension_twice_in_breakdowns": Broken(
        "indicators.yaml",
        "breakdowns: [abss, abss]",
        "breakdowns[1]",
        "la dimensió abss apareix dues vegades",
        count=_swap(COUNT_BREAKDOWN, "[abss, sex]", "[abss, abss]"),
    ),
    "duplicate_member_code": Broken(
        "dimensions.yaml",
        "{code: COSS, name: Duplicat}",
        "dimensions[code=abss].members[code=COSS].code",
        "Dimensió abss: codi de membre duplicat: COSS",
        dimensions=_swap(
            DIMENSIONS,
            "  - {code: VIC, name: ABSS Vic}\n",
            "  - {code: VIC, name: ABSS Vic}\n  - {code: COSS, name: Duplicat}\n",
        ),
    ),
    "duplicate_dimension_code": Broken(
        "dimensions.yaml",
        "- code: sex",
        "dimensions[code=sex].code",
        "Codi de dimensió duplicat: sex",
        dimensions=DIMENSIONS
        + "- code: sex\n  name: Sexe (bis)\n  members:\n  - {code: D, name: Dona}\n",
        last=True,
    ),
    "municipality_of_an_unknown_abss": Broken(
        "dimensions.yaml",
        "name: Torelló, parent: OSONA",
        "members[code=08285].parent",
        "El membre 08285 de municipality pertany a OSONA, que no és cap membre d'abss",
        dimensions=_swap(DIMENSIONS, "Torelló, parent: COSS", "Torelló, parent: OSONA"),
    ),
    "municipality_without_abss": Broken(
        "dimensions.yaml",
        '{code: "08298", name: Vic}',
        "members[code=08298].code",
        "necessita «parent»: el membre d'abss al qual pertany",
        dimensions=_swap(DIMENSIONS, "name: Vic, parent: VIC}", "name: Vic}"),
    ),
    "parent_in_a_dimension_without_parent": Broken(
        "dimensions.yaml",
        "{code: D, name: Dona, parent: VIC}",
        "dimensions[code=sex].members[code=D].parent",
        "té «parent», però la dimensió no en té cap",
        dimensions=_swap(DIMENSIONS, "{code: D, name: Dona}", "{code: D, name: Dona, parent: VIC}"),
    ),
    "unknown_parent_dimension": Broken(
        "dimensions.yaml",
        "parent: comarca",
        "dimensions[code=municipality].parent",
        "la seva dimensió pare comarca no és cap altra dimensió del pla",
        dimensions=_swap(DIMENSIONS, "parent: abss", "parent: comarca"),
    ),
    "member_code_not_a_text": Broken(
        "dimensions.yaml",
        "{code: 8298, name: Vic",
        "members[code=8298].code",
        "S'espera un text",
        dimensions=_swap(DIMENSIONS, '{code: "08298", name: Vic', "{code: 8298, name: Vic"),
    ),
    "unknown_reporter_service": Broken(
        "indicators.yaml",
        "{service: SBAS-XX, members: {abss: VIC}}",
        "reporters[1].service",
        "el servei SBAS-XX no existeix",
        count=_swap(COUNT_BREAKDOWN, "service: SBAS-VIC", "service: SBAS-XX"),
    ),
    "reporter_of_an_unknown_member": Broken(
        "indicators.yaml",
        "members: {abss: OSONA}",
        "reporters[1].members.abss",
        "OSONA no és cap membre de la dimensió abss",
        count=_swap(COUNT_BREAKDOWN, "{abss: VIC}", "{abss: OSONA}"),
    ),
    "reporter_outside_the_breakdowns": Broken(
        "indicators.yaml",
        "{service: SBAS-VIC, members: {abss: VIC}}",
        "reporters[0].members.abss",
        "no és cap de les seves desagregacions (sex)",
        count="  breakdowns: [sex]\n  reporters:\n  - {service: SBAS-VIC, members: {abss: VIC}}\n",
    ),
    "two_reporters_of_the_same_member": Broken(
        "indicators.yaml",
        "{service: SBAS-COSS, members: {abss: VIC}}",
        "reporters[2]",
        "SBAS-COSS i SBAS-VIC informen tots dos abss=VIC, sex=D",
        count=COUNT_BREAKDOWN + "  - {service: SBAS-COSS, members: {abss: VIC}}\n",
    ),
    "percentage_with_breakdowns_without_ratio": Broken(
        "indicators.yaml",
        "breakdowns: [abss]",
        "indicators[code=P1.01-I1].breakdowns",
        "és un percentatge o una mitjana amb desagregacions: necessita una «ratio»",
        percent="  breakdowns: [abss]\n",
    ),
    "mean_with_breakdowns_without_ratio": Broken(
        "indicators.yaml",
        "breakdowns: [abss, sex]",
        "indicators[code=P2.01-I1].breakdowns",
        "L'indicador P2.01-I1 és un percentatge o una mitjana",
        catalog_edit=("  aggregation: sum\n", "  aggregation: mean\n"),
    ),
    "ratio_of_the_same_count": Broken(
        "indicators.yaml",
        "ratio: {numerator: casos, denominator: casos}",
        "indicators[code=P1.01-I1].ratio",
        "el numerador i el denominador de la seva ràtio han de ser recomptes diferents",
        percent="  breakdowns: [abss]\n  ratio: {numerator: casos, denominator: casos}\n",
    ),
    "ratio_of_a_count": Broken(
        "indicators.yaml",
        "ratio: {numerator: persones, denominator: llars}",
        "indicators[code=P2.01-I1].ratio",
        "és un recompte (la seva unitat és persones): una «ratio» només és per als percentatges",
        count=COUNT_BREAKDOWN + "  ratio: {numerator: persones, denominator: llars}\n",
        last=True,
    ),
    "reporters_without_breakdowns": Broken(
        "indicators.yaml",
        "reporters:",
        "indicators[code=P2.01-I1].reporters",
        "té «reporters» però no «breakdowns»",
        count="  reporters:\n  - {service: SBAS-VIC, members: {abss: VIC}}\n",
    ),
    "milestone_with_breakdowns": Broken(
        "indicators.yaml",
        "breakdowns: [abss]\n",
        "indicators[code=P1.02-I1].breakdowns",
        "«breakdowns» només és per als indicadors numèrics",
        milestone="  breakdowns: [abss]\n",
        last=True,
    ),
}


def _line_of(path: Path, marker: str, last: bool) -> int:
    text = path.read_text(encoding="utf-8")
    at = text.rindex(marker) if last else text.index(marker)
    return text.count("\n", 0, at) + 1


def _errors(plan_file: Path) -> list[PlanError]:
    with pytest.raises(PlanValidationError) as info:
        load_plan(plan_file)
    return info.value.errors


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_broken_rule_is_reported_with_its_file_and_line(case: str, tmp_path: Path) -> None:
    broken = CASES[case]
    plan_file = write_plan(
        tmp_path,
        broken.dimensions,
        broken.percent,
        broken.count,
        broken.milestone,
        broken.catalog_edit,
    )
    errors = _errors(plan_file)
    shown = "\n".join(str(e) for e in errors)
    assert len(errors) == 1, shown
    error = errors[0]
    assert Path(error.file) == tmp_path / broken.file, shown
    assert error.line == _line_of(tmp_path / broken.file, broken.marker, broken.last), shown
    assert broken.key in error.key, shown
    assert broken.message in error.message, shown


def test_a_missing_dimensions_file_is_reported_in_the_plan_file(tmp_path: Path) -> None:
    plan_file = write_plan(tmp_path)
    (tmp_path / "dimensions.yaml").unlink()
    errors = _errors(plan_file)
    assert len(errors) == 1
    assert Path(errors[0].file) == plan_file
    assert errors[0].line == _line_of(plan_file, "  dimensions: dimensions.yaml", False)
    assert errors[0].key == "plan.dimensions"
    assert "No existeix el fitxer de dimensions" in errors[0].message


def test_breakdowns_without_dimensions_in_the_plan_are_refused(tmp_path: Path) -> None:
    plan_file = write_plan(tmp_path)
    text = plan_file.read_text(encoding="utf-8").replace("  dimensions: dimensions.yaml\n", "")
    plan_file.write_text(text, encoding="utf-8")
    messages = [e.message for e in _errors(plan_file)]
    assert any(
        "la dimensió abss no existeix entre les dimensions del pla (–)" in m for m in messages
    )


def test_the_validate_command_shows_a_dimension_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = CASES["municipality_of_an_unknown_abss"]
    plan_file = write_plan(tmp_path, dimensions=broken.dimensions)
    assert main(["plan", "validate", str(plan_file)]) == 1
    out, err = capsys.readouterr()
    line = _line_of(tmp_path / "dimensions.yaml", broken.marker, False)
    assert f"{tmp_path / 'dimensions.yaml'}:{line}" in out + err
    assert "Traceback" not in out + err


# --- export -------------------------------------------------------------------------------


def _indicator(data: dict[str, Any], code: str) -> dict[str, Any]:
    """One indicator of the JSON export, found under its lever, axis and objective."""
    for lever in data["levers"]:
        for axis in lever["axes"]:
            for objective in axis["objectives"]:
                for ind in objective["indicators"]:
                    if ind["code"] == code:
                        return dict(ind)
    raise KeyError(code)


def test_export_gives_the_dimensions_and_each_indicator_breakdown(small_plan: Plan) -> None:
    data = plan_to_dict(small_plan)
    assert data["dimensions"]["abss"] == {
        "name": "ABSS",
        "members": [
            {"code": "COSS", "name": "ABSS Consell Comarcal d'Osona"},
            {"code": "VIC", "name": "ABSS Vic"},
        ],
    }
    assert data["dimensions"]["municipality"]["members"][0] == {
        "code": "08298",
        "name": "Vic",
        "parent": "VIC",
    }
    assert list(data["dimensions"]) == ["abss", "municipality", "sex"]
    count = _indicator(data, "P2.01-I1")
    assert count["breakdowns"] == ["abss", "sex"]
    assert count["ratio"] is None
    assert count["reporters"] == [
        {"service": "SBAS-COSS", "members": {"abss": "COSS"}},
        {"service": "SBAS-VIC", "members": {"abss": "VIC"}},
    ]
    percent = _indicator(data, "P1.01-I1")
    assert percent["ratio"] == {
        "numerator": "casos amb pla de treball",
        "denominator": "casos actius",
    }
    milestone = _indicator(data, "P1.02-I1")
    assert (milestone["breakdowns"], milestone["ratio"], milestone["reporters"]) == ([], None, [])


def test_the_export_command_prints_the_dimensions_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_file = write_plan(tmp_path)
    assert main(["plan", "export", "--format", "json", str(plan_file)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [m["code"] for m in data["dimensions"]["sex"]["members"]] == ["D", "H"]
    assert _indicator(data, "P2.01-I1")["breakdowns"] == ["abss", "sex"]


# --- the real plan ------------------------------------------------------------------------


def test_the_real_plan_declares_the_four_dimensions(plan: Plan) -> None:
    assert [d.code for d in plan.dimensions] == ["abss", "municipality", "sex", "age_group"]
    assert [m.code for m in members_of(plan, "abss")] == ["COSS", "PLANA", "VIC", "MANLLEU"]
    assert [(m.code, m.name) for m in members_of(plan, "sex")] == [
        ("D", "Dona"),
        ("H", "Home"),
        ("X", "Altres / no binari"),
        ("NC", "No consta"),
    ]
    assert [m.code for m in members_of(plan, "age_group")] == ["0-17", "18-64", "65-79", "80+"]


def test_the_real_municipalities_of_osona(plan: Plan) -> None:
    municipalities = members_of(plan, "municipality")
    assert len(municipalities) == 50
    assert all(re.fullmatch(r"(08|17)\d{3}", m.code) for m in municipalities)
    by_name = {m.name: m for m in municipalities}
    assert abss_of(plan, by_name["Vic"].code) == "VIC"
    assert abss_of(plan, by_name["Manlleu"].code) == "MANLLEU"
    # Girona province: Espinelves, Vidrà and Viladrau
    assert {m.name for m in municipalities if m.code.startswith("17")} == {
        "Espinelves",
        "Vidrà",
        "Viladrau",
    }
    plana = {m.name for m in municipalities if m.parent == "PLANA"}
    assert {"Tona", "Taradell", "Seva", "Balenyà", "Viladrau"} <= plana
    assert not by_name["Vic"].per_confirmar
    # every smaller municipality's ABSS awaits confirmation, unless a source confirmed it
    assert by_name["Torelló"].per_confirmar
    assert {abss_of(plan, m.code) for m in municipalities} == {"COSS", "PLANA", "VIC", "MANLLEU"}
