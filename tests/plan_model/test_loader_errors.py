"""One broken plan per validation rule: a clear Catalan message naming file, line and key.

Each folder of tests/fixtures/plans/ is a self-contained tiny plan (plan.yaml + its
catalog indicators.yaml); ``valid`` is correct and every other one breaks exactly one rule
of it (some rules bring a consequence, e.g. a duplicated code leaves another objective
without its indicator).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from cli import main
from plan_model.loader import PlanError, PlanValidationError, load_plan

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "plans"


@dataclass(frozen=True)
class Expected:
    file: str  # plan.yaml or indicators.yaml
    line: int | None
    key: str  # the offending key as reported (dotted path)
    message: str  # a fragment of the Catalan message
    count: int = 1  # how many problems the case reports in all


CASES: dict[str, Expected] = {
    "yaml_syntax_error": Expected("plan.yaml", 13, "", "Error de sintaxi YAML"),
    "catalog_yaml_syntax_error": Expected("indicators.yaml", 34, "", "obert a la línia 12"),
    "duplicate_yaml_key": Expected(
        "plan.yaml",
        21,
        "levers[number=1].objectives[code=P1.01].text",
        "La clau «text» apareix dues vegades",
    ),
    "unknown_key": Expected(
        "indicators.yaml", 28, "indicators[code=P2.01-I1].colour", "Clau desconeguda «colour»"
    ),
    "missing_key": Expected(
        "plan.yaml", 29, "levers[number=2].tagline", "Falta la clau obligatòria «tagline»"
    ),
    "wrong_type": Expected(
        "plan.yaml",
        38,
        "levers[number=2].objectives[code=P2.01].axis",
        "S'espera un nombre enter (s'ha trobat 'tres')",
    ),
    "wrong_enum": Expected(
        "indicators.yaml",
        13,
        "indicators[code=P1.01-I1].direction",
        "Valor no admès; s'espera un d'aquests: 'increase', 'decrease' o 'maintain'",
    ),
    "bad_code_form": Expected(
        "plan.yaml", 24, "levers[number=1].objectives[code=P1.2].code", "per exemple P3.07"
    ),
    "duplicate_objective_code": Expected(
        "plan.yaml",
        24,
        "levers[number=1].objectives[code=P1.01].code",
        "Codi d'objectiu duplicat: P1.01",
        count=2,
    ),
    "duplicate_indicator_code": Expected(
        "indicators.yaml",
        23,
        "indicators[code=P1.01-I1].code",
        "Codi d'indicador duplicat: P1.01-I1",
        count=2,
    ),
    "objective_axis_of_other_lever": Expected(
        "plan.yaml",
        26,
        "levers[number=1].objectives[code=P1.02].axis",
        "no és un eix de la palanca 1",
    ),
    "objective_code_of_other_lever": Expected(
        "plan.yaml",
        36,
        "levers[number=2].objectives[code=P1.03].code",
        "el seu codi diu palanca 1",
        count=3,
    ),
    "unknown_indicator_service": Expected(
        "indicators.yaml",
        21,
        "indicators[code=P1.02-I1].responsible_service",
        "el servei SECRETARIA no existeix",
    ),
    "missing_target_year": Expected(
        "indicators.yaml", 16, "indicators[code=P1.01-I1].targets", "no té meta per a 2023"
    ),
    "target_outside_bounds": Expected(
        "indicators.yaml",
        16,
        "indicators[code=P1.01-I1].targets.2025",
        "la meta de 2025 (180) és fora dels límits (0 – 100)",
    ),
    "baseline_outside_bounds": Expected(
        "indicators.yaml",
        15,
        "indicators[code=P1.01-I1].baseline.value",
        "el valor de referència 140 és fora dels límits (0 – 100)",
    ),
    "unknown_challenge": Expected(
        "plan.yaml",
        40,
        "levers[number=2].objectives[code=P2.01].challenges[0]",
        "repte 9, que no existeix",
    ),
    "objective_without_indicator": Expected(
        "plan.yaml",
        36,
        "levers[number=2].objectives[code=P2.01].code",
        "L'objectiu P2.01 no té cap indicador",
    ),
    "indicator_of_unknown_objective": Expected(
        "indicators.yaml",
        18,
        "indicators[code=P1.09-I1].code",
        "objectiu P1.09, que no existeix",
        count=2,
    ),
    "milestone_without_planned_completion": Expected(
        "indicators.yaml",
        18,
        "indicators[code=P1.02-I1].planned_completion",
        "necessita la clau «planned_completion»",
    ),
    "milestone_outside_plan": Expected(
        "indicators.yaml",
        22,
        "indicators[code=P1.02-I1].planned_completion",
        "2027-T1 és fora del període del pla",
    ),
    "numeric_without_unit": Expected(
        "indicators.yaml", 8, "indicators[code=P1.01-I1].unit", "necessita la clau «unit»"
    ),
    "maintain_without_tolerance": Expected(
        "indicators.yaml", 23, "indicators[code=P2.01-I1].tolerance", "«tolerance»"
    ),
    "catalog_not_found": Expected(
        "plan.yaml", 8, "plan.catalog", "No existeix el catàleg d'indicadors"
    ),
}


def test_every_fixture_folder_has_a_case() -> None:
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    # besides the broken ones: the valid tiny plan, and the example draft plan (issue 18)
    assert folders == set(CASES) | {"valid", "exemple-2026-2029"}


def test_the_base_of_the_fixtures_is_valid() -> None:
    plan = load_plan(FIXTURES / "valid" / "plan.yaml")
    assert [o.code for o in plan.objectives] == ["P1.01", "P1.02", "P2.01"]
    assert len(plan.indicators) == 3


def _errors(case: str) -> list[PlanError]:
    with pytest.raises(PlanValidationError) as info:
        load_plan(FIXTURES / case / "plan.yaml")
    return info.value.errors


def _matching(errors: list[PlanError], expected: Expected) -> list[PlanError]:
    return [
        e
        for e in errors
        if Path(e.file).name == expected.file
        and e.line == expected.line
        and e.key == expected.key
        and expected.message in e.message
    ]


@pytest.mark.parametrize("case", sorted(CASES))
def test_loader_reports_file_line_key_and_message(case: str) -> None:
    expected = CASES[case]
    errors = _errors(case)
    assert _matching(errors, expected), "\n".join(str(e) for e in errors)
    assert len(errors) == expected.count, "\n".join(str(e) for e in errors)
    for error in errors:
        assert Path(error.file).parent == FIXTURES / case


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_command_prints_every_error_and_exits_1(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = CASES[case]
    path = FIXTURES / case / "plan.yaml"
    assert main(["plan", "validate", str(path)]) == 1
    out, err = capsys.readouterr()
    where = f"{FIXTURES / case / expected.file}"
    if expected.line is not None:
        where += f":{expected.line}"
    lines = [line for line in out.splitlines() if line.startswith(where)]
    assert any(expected.message in line for line in lines), out
    if expected.key:
        assert any(f"[{expected.key}]" in line for line in lines), out
    assert len(out.splitlines()) == expected.count
    assert "Traceback" not in out + err
    # the summary is in Catalan too
    assert "problem" in err and ("S'ha trobat" in err or "S'han trobat" in err)


def test_errors_are_sorted_by_file_then_line() -> None:
    errors = _errors("objective_code_of_other_lever")
    files = [Path(e.file).name for e in errors]
    assert files == sorted(files, key=lambda f: f != "plan.yaml")
    plan_lines = [e.line or 0 for e in errors if e.file.endswith("plan.yaml")]
    assert plan_lines == sorted(plan_lines)


def test_plan_and_catalog_problems_are_reported_together(tmp_path: Path) -> None:
    """A wrong key in the plan does not hide the catalog's own problems."""
    for name in ("plan.yaml", "indicators.yaml"):
        (tmp_path / name).write_text(
            (FIXTURES / "valid" / name).read_text(encoding="utf-8"), encoding="utf-8"
        )
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(
        plan_file.read_text(encoding="utf-8").replace(
            "  start_year: 2022\n", "  start_year: dos mil\n"
        ),
        encoding="utf-8",
    )
    catalog = tmp_path / "indicators.yaml"
    catalog.write_text(
        catalog.read_text(encoding="utf-8").replace(
            "  aggregation: last\n", "  aggregation: last\n  colour: blau\n"
        ),
        encoding="utf-8",
    )
    with pytest.raises(PlanValidationError) as info:
        load_plan(plan_file)
    keys = {(Path(e.file).name, e.key) for e in info.value.errors}
    assert ("plan.yaml", "plan.start_year") in keys
    assert ("indicators.yaml", "indicators[code=P1.01-I1].colour") in keys


@pytest.mark.parametrize(
    "content",
    [
        "",
        "- just\n- a list\n",
        "plan: [unclosed\n",
        "\x00\x01 binary",
        "plan: {catalog: 5}\n",
    ],
)
def test_odd_files_never_raise_anything_but_validation_errors(tmp_path: Path, content: str) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PlanValidationError) as info:
        load_plan(path)
    assert info.value.errors
    assert all(e.message for e in info.value.errors)


def test_missing_and_unreadable_plan_files(tmp_path: Path) -> None:
    with pytest.raises(PlanValidationError) as info:
        load_plan(tmp_path / "nowhere.yaml")
    assert info.value.errors[0].message == "No s'ha trobat el fitxer."
    with pytest.raises(PlanValidationError) as info:
        load_plan(tmp_path)  # a folder
    assert "No es pot llegir el fitxer" in info.value.errors[0].message
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("plan: {name: Atenció}\n".encode("latin-1"))
    with pytest.raises(PlanValidationError):
        load_plan(latin1)


def test_plan_error_reads_as_file_line_key_message() -> None:
    error = PlanError("data/plan.yaml", 12, "levers[number=1].tagline", "Falta la clau.")
    assert str(error) == "data/plan.yaml:12 [levers[number=1].tagline]: Falta la clau."
    assert str(PlanError("x.yaml", None, "", "No s'ha trobat el fitxer.")) == (
        "x.yaml: No s'ha trobat el fitxer."
    )
