"""The registry of plans (issue 18): every plan of a folder, validated, side by side; the
default plan (or PLAN_PATH's file for it); ``carries_over`` checked across plans; a carried
indicator's baseline from the earlier plan's last year."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from plan_model.loader import PlanValidationError, load_plan
from plan_model.models import Aggregation, Baseline
from plan_model.periods import Period
from plan_model.registry import (
    PlanRegistry,
    carried_baselines,
    last_year_value,
    load_registry,
    plan_files,
)
from tests.helpers.plan_registry import (
    EXAMPLE_DIR,
    EXAMPLE_ID,
    REAL_ID,
    VALID_PLAN,
    plans_dir_with,
)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> PlanRegistry:
    return load_registry(plans_dir_with(tmp_path_factory.mktemp("plans"), example=True), REAL_ID)


def _broken_example(tmp_path: Path, old: str, new: str) -> Path:
    """A plans folder with the real plan and a copy of the example with ``old`` → ``new`` in
    its catalog."""
    plans = plans_dir_with(tmp_path / "plans", example=False)
    copy = plans / EXAMPLE_ID
    shutil.copytree(EXAMPLE_DIR, copy)
    catalog = copy / "indicators.yaml"
    text = catalog.read_text(encoding="utf-8")
    assert old in text
    catalog.write_text(text.replace(old, new), encoding="utf-8")
    return plans


def _messages(exc: pytest.ExceptionInfo[PlanValidationError]) -> str:
    return "\n".join(str(e) for e in exc.value.errors)


def test_two_plans_load_side_by_side(registry: PlanRegistry) -> None:
    assert registry.ids == [REAL_ID, EXAMPLE_ID]  # earliest first
    assert registry.default_id == REAL_ID and registry.default.info.start_year == 2022
    example = registry.get(EXAMPLE_ID)
    assert example.info.state == "draft" and registry.default.info.state == "active"
    assert "EXEMPLE" in example.info.name and "No és" in (example.info.description or "")
    assert (str(example.first_period), str(example.last_period)) == ("2026-T1", "2029-T4")
    # each plan keeps its own catalog: the same code is another indicator in each
    assert example.indicator_by_code["P1.01-I1"].name != (
        registry.default.indicator_by_code["P1.01-I1"].name
    )
    assert len(registry.default.indicators) > 50 and len(example.indicators) == 3
    with pytest.raises(KeyError):
        registry.get("pla-que-no-hi-es")


def test_carries_over_names_the_earlier_plans_indicator(registry: PlanRegistry) -> None:
    example = registry.get(EXAMPLE_ID)
    carried = registry.carried_from(example.indicator_by_code["P1.01-I1"])
    assert carried is not None
    earlier, indicator = carried
    assert earlier.info.id == REAL_ID and indicator.code == "P2.05-I1"
    assert registry.carried_from(example.indicator_by_code["P2.01-I1"]) is None
    # the old plan is the same whether or not the new one is beside it
    assert registry.default == load_plan(registry.entry(REAL_ID).path)


def test_plan_path_stands_for_the_default_plan(tmp_path: Path) -> None:
    plans = plans_dir_with(tmp_path / "plans", example=False)
    found = load_registry(plans, REAL_ID, VALID_PLAN)
    # the default plan's folder is not read: PLAN_PATH's file stands for it
    assert found.ids == ["prova"] and found.default_id == "prova"
    assert found.entry("prova").path == VALID_PLAN


def test_a_missing_plans_folder_holds_no_plan(tmp_path: Path) -> None:
    assert plan_files(tmp_path / "none") == []
    found = load_registry(tmp_path / "none", "prova", VALID_PLAN)
    assert found.ids == ["prova"]


def test_the_default_plan_must_exist(tmp_path: Path) -> None:
    with pytest.raises(PlanValidationError) as exc:
        load_registry(plans_dir_with(tmp_path / "plans", example=True), "un-altre")
    assert "un-altre/plan.yaml" in _messages(exc) and "No s'ha trobat" in _messages(exc)


def test_a_folder_is_named_by_its_plans_id_and_ids_are_unique(tmp_path: Path) -> None:
    plans = plans_dir_with(tmp_path / "plans", example=False)
    shutil.copytree(VALID_PLAN.parent, plans / "prova")
    shutil.copytree(VALID_PLAN.parent, plans / "prova-bis")
    with pytest.raises(PlanValidationError) as exc:
        load_registry(plans, REAL_ID)
    text = _messages(exc)
    assert "la seva carpeta és «prova-bis»" in text
    assert "també és l'identificador" in text
    assert [e.key for e in exc.value.errors] == ["plan.id", "plan.id"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("coss-2022-2025/P2.05-I1", "pla-antic/P2.05-I1", "no hi ha cap pla «pla-antic»"),
        ("coss-2022-2025/P2.05-I1", "coss-2022-2025/P2.05-I9", "no té cap indicador P2.05-I9"),
        ("coss-2022-2025/P2.05-I1", "coss-2022-2025/P1.02-I1", "d'un altre tipus (milestone)"),
    ],
)
def test_a_carried_reference_must_exist_and_match(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    with pytest.raises(PlanValidationError) as exc:
        load_registry(_broken_example(tmp_path, old, new), REAL_ID)
    [error] = exc.value.errors
    assert expected in error.message
    assert error.key == "indicators[code=P1.01-I1].carries_over"
    assert error.file.endswith("indicators.yaml")


def test_a_carried_plan_must_start_earlier(tmp_path: Path) -> None:
    plans = plans_dir_with(tmp_path / "plans", example=True)
    with pytest.raises(PlanValidationError) as exc:
        # the default plan (2022-2025) carries over an indicator of the example (2026-2029)
        load_registry(plans, "prova", _earlier_carrying_from_example(tmp_path))
    assert "no comença abans" in _messages(exc)


def _earlier_carrying_from_example(tmp_path: Path) -> Path:
    """A copy of the tiny valid plan (2022-2025) whose P1.01-I1 carries over the example's."""
    folder = tmp_path / "earlier"
    shutil.copytree(VALID_PLAN.parent, folder)
    catalog = folder / "indicators.yaml"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(
        text.replace(
            '  responsible_service: SBAS\n  unit: "%"',
            f'  responsible_service: SBAS\n  carries_over: {EXAMPLE_ID}/P1.02-I1\n  unit: "%"',
            1,
        ),
        encoding="utf-8",
    )
    return folder / "plan.yaml"


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ("coss-2022-2025-P2.05-I1", "per exemple coss-2022-2025/P3.07-I2"),
        ("Coss/P2.05-I1", "per exemple coss-2022-2025/P3.07-I2"),
        (f"{EXAMPLE_ID}/P1.02-I1", "del seu mateix pla"),
    ],
)
def test_the_loader_checks_the_reference_itself(tmp_path: Path, new: str, expected: str) -> None:
    plans = _broken_example(tmp_path, "coss-2022-2025/P2.05-I1", new)
    with pytest.raises(PlanValidationError) as exc:
        load_plan(plans / EXAMPLE_ID / "plan.yaml")
    [error] = exc.value.errors
    assert expected in error.message and error.key.endswith(".carries_over")
    assert error.line is not None


Q = Period.parse


def test_last_year_value_follows_the_aggregation() -> None:
    last = Q("2025-T4")
    values = {Q("2024-T1"): 10.0, Q("2024-T2"): 20.0, Q("2024-T3"): 30.0, Q("2024-T4"): 40.0}
    values |= {Q("2025-T1"): 50.0, Q("2025-T2"): 70.0}
    assert last_year_value(values, Aggregation.LAST, last) == (2025, 70.0)
    assert last_year_value(values, Aggregation.YTD, last) == (2025, 70.0)
    assert last_year_value(values, Aggregation.MEAN, last) == (2025, 60.0)
    # a sum is a whole year's: 2025 has two quarters, so 2024's total
    assert last_year_value(values, Aggregation.SUM, last) == (2024, 100.0)
    # quarters after the earlier plan's end are not its values
    assert last_year_value(values, Aggregation.LAST, Q("2024-T4")) == (2024, 40.0)
    assert last_year_value({Q("2025-T1"): 5.0}, Aggregation.SUM, last) is None
    assert last_year_value({}, Aggregation.LAST, last) is None


def test_a_carried_baseline_defaults_to_the_earlier_plans_last_year(
    registry: PlanRegistry,
) -> None:
    example = registry.get(EXAMPLE_ID)
    hours = {Q(f"2025-T{q}"): 45000.0 + q for q in range(1, 5)}
    values = {"P2.05-I1": hours, "P3.12-I2": {Q("2025-T3"): 13.2, Q("2026-T1"): 99.0}}
    carried = carried_baselines(registry, example, values)
    assert carried.indicator_by_code["P1.01-I1"].baseline == Baseline(year=2025, value=180010.0)
    # 2026-T1 is the new plan's quarter, not the earlier plan's
    assert carried.indicator_by_code["P1.02-I1"].baseline == Baseline(year=2025, value=13.2)
    assert carried.indicator_by_code["P2.01-I1"].baseline is None  # a milestone, carries none
    assert example.indicator_by_code["P1.01-I1"].baseline is None  # the plan is not changed
    assert carried.info == example.info and carried.levers == example.levers


def test_a_baseline_of_its_own_wins_and_no_data_leaves_none(registry: PlanRegistry) -> None:
    example = registry.get(EXAMPLE_ID)
    assert carried_baselines(registry, example, {}) is example
    own = example.indicator_by_code["P1.02-I1"].model_copy(
        update={"baseline": Baseline(year=2025, value=12.0)}
    )
    catalog = example.catalog.model_copy(
        update={"indicators": [own if i.code == own.code else i for i in example.indicators]}
    )
    with_own = example.model_copy(update={"catalog": catalog})
    carried = carried_baselines(registry, with_own, {"P3.12-I2": {Q("2025-T4"): 13.9}})
    assert carried.catalog.indicators[1].baseline == Baseline(year=2025, value=12.0)
