"""Issue 15: the method of the light (target_share vs progress) and context indicators.

Each test shows the old answer (gap closure from the baseline, now the `progress` method) and
the new one on the worked example of docs/metodologia.md.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from plan_model.export import indicator_dict, plan_to_rows
from plan_model.loader import PlanValidationError, load_plan
from plan_model.models import Indicator, IndicatorKind, Method
from plan_model.status import Status, compute_status, status_to_json
from tests.helpers.status_factory import frame, make_plan, numeric, series

A = "P1.01-I1"
B = "P1.01-I2"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "plans"

# finding 1: baseline 3,064 persons, target 3,150, 3,100 reached at year end
PERSONS = {"baseline": (2021, 3064.0), "targets": {y: 3150.0 for y in (2022, 2023, 2024, 2025)}}


def context(code: str) -> Indicator:
    """A demand volume: numeric, no target, no light."""
    return Indicator(
        code=code,
        name=f"Context {code}",
        kind=IndicatorKind.CONTEXT,
        responsible_service="SVC_A",
        unit="persones",
        aggregation="last",
    )


def test_target_share_is_the_default_and_reads_value_over_target() -> None:
    ind = numeric(A, **PERSONS)  # type: ignore[arg-type]
    rows = [(A, "2022-T4", 3100.0)]
    old = compute_status(make_plan([ind], method="progress"), frame(rows), "2022-T4")
    r_old = old.indicator(A)
    assert r_old.achievement == pytest.approx(36 / 86)  # (3100-3064)/(3150-3064) = 42 %
    assert r_old.status is Status.RED
    new = compute_status(make_plan([ind]), frame(rows), "2022-T4").indicator(A)
    assert new.method == "target_share"
    assert new.achievement == pytest.approx(3100 / 3150)  # 98 % of the target
    assert new.status is Status.GREEN
    # both figures are given whichever method drives the light
    assert new.target_share == pytest.approx(3100 / 3150)
    assert new.progress == pytest.approx(36 / 86)


def test_target_share_follows_the_path_within_the_year() -> None:
    ind = numeric(A)  # baseline 100, 2022 target 120: expected at T2 is 110
    r = compute_status(make_plan([ind]), frame([(A, "2022-T2", 99.0)]), "2022-T2").indicator(A)
    assert r.expected == pytest.approx(110.0)
    assert r.progress == 0.0  # below the baseline: no gap closed
    assert r.achievement == pytest.approx(99 / 110)  # 90 % of what was expected by then
    assert r.status is Status.GREEN


def test_target_share_of_a_sum_is_against_the_prorated_target() -> None:
    ind = numeric(
        A,
        aggregation="sum",
        baseline=(2021, 400.0),
        targets={2022: 480.0, 2023: 520.0, 2024: 560.0, 2025: 600.0},
    )
    status = compute_status(make_plan([ind]), frame(series(A, "2022-T1", [110, 120])), "2022-T2")
    r = status.indicator(A)
    assert r.expected == pytest.approx(240.0)  # 480 * 2/4
    assert r.progress == pytest.approx(0.75)  # (230-200)/(240-200): the old answer
    assert r.achievement == pytest.approx(230 / 240)


def test_target_share_is_mirrored_for_decrease_and_capped() -> None:
    ind = numeric(
        A,
        direction="decrease",
        baseline=(2021, 30.0),
        targets={2022: 20.0, 2023: 20.0, 2024: 20.0, 2025: 20.0},
    )
    plan = make_plan([ind])
    r = compute_status(plan, frame([(A, "2022-T4", 25.0)]), "2022-T4").indicator(A)
    assert r.progress == pytest.approx(0.5)  # (25-30)/(20-30): old answer, red
    assert r.achievement == pytest.approx(20 / 25)  # expected over value: 80 %, amber
    assert r.status is Status.AMBER
    r = compute_status(plan, frame([(A, "2022-T4", 5.0)]), "2022-T4").indicator(A)
    assert r.achievement == pytest.approx(1.5)  # 20 / 5 = 4, capped as before


def test_an_indicator_overrides_the_plans_method() -> None:
    own = numeric(A, method="progress", **PERSONS)  # type: ignore[arg-type]
    other = numeric(B, **PERSONS)  # type: ignore[arg-type]
    rows = [(A, "2022-T4", 3100.0), (B, "2022-T4", 3100.0)]
    result = compute_status(make_plan([own, other]), frame(rows), "2022-T4")
    assert result.indicator(A).method == "progress"
    assert result.indicator(A).achievement == pytest.approx(36 / 86)
    assert result.indicator(B).method == "target_share"
    assert result.indicator(B).achievement == pytest.approx(3100 / 3150)


def test_status_json_carries_method_and_both_figures() -> None:
    ind = numeric(A, **PERSONS)  # type: ignore[arg-type]
    doc = status_to_json(
        compute_status(make_plan([ind]), frame([(A, "2022-T4", 3100.0)]), "2022-T4")
    )
    item = doc["levers"][0]["axes"][0]["objectives"][0]["indicators"][0]
    assert item["method"] == "target_share"
    assert item["achievement"] == pytest.approx(3100 / 3150)
    assert item["target_share"] == pytest.approx(3100 / 3150)
    assert item["progress"] == pytest.approx(36 / 86)
    assert item["status"] == "green"


def test_export_shows_each_indicators_method() -> None:
    plan = make_plan([numeric(A), numeric(B, method="progress")])
    assert indicator_dict(plan, plan.indicators[0])["method"] == "target_share"
    assert indicator_dict(plan, plan.indicators[1])["method"] == "progress"
    assert [row["method"] for row in plan_to_rows(plan)] == ["target_share", "progress"]
    assert plan.method_for(plan.indicators[1]) is Method.PROGRESS


# ---- context indicators (finding 3) -------------------------------------------------------


def test_a_context_indicator_has_no_light_and_stays_out_of_coverage() -> None:
    plan = make_plan([numeric(A), context(B)])
    rows = [(A, "2022-T4", 120.0), *series(B, "2022-T1", [500, 450, 400, 350])]
    result = compute_status(plan, frame(rows), "2022-T4")
    ctx = result.indicator(B)
    assert ctx.value == 350  # shown with its value
    assert ctx.achievement is None
    assert ctx.status is Status.GREY
    assert not ctx.due
    assert str(ctx.trend) == "worsening"  # the value falls: the trend of the value itself
    # old answer: a falling demand volume with a target was red; now it weighs nothing
    objective = result.objective("P1.01")
    assert objective.coverage == pytest.approx(1.0)  # only A is due
    assert objective.status is Status.GREEN
    doc = status_to_json(result)
    item = doc["levers"][0]["axes"][0]["objectives"][0]["indicators"][1]
    assert item["kind"] == "context"
    assert item["status"] is None
    assert item["value"] == 350


def test_a_context_indicator_without_data_does_not_lower_coverage() -> None:
    plan = make_plan([numeric(A), context(B)])
    result = compute_status(plan, frame([(A, "2022-T4", 120.0)]), "2022-T4")
    assert result.objective("P1.01").coverage == pytest.approx(1.0)


def _catalog_with(tmp_path: Path, extra: str) -> Path:
    folder = tmp_path / "plan"
    shutil.copytree(FIXTURES / "valid", folder)
    with (folder / "indicators.yaml").open("a", encoding="utf-8") as handle:
        handle.write(extra)
    return folder / "plan.yaml"


def test_the_loader_accepts_a_context_indicator(tmp_path: Path) -> None:
    path = _catalog_with(
        tmp_path,
        "- code: P1.01-I2\n  name: Persones ateses\n  kind: context\n"
        "  responsible_service: SBAS\n  unit: persones\n  aggregation: last\n",
    )
    plan = load_plan(path)
    assert plan.indicator_by_code["P1.01-I2"].kind is IndicatorKind.CONTEXT


def test_the_loader_refuses_a_target_on_a_context_indicator(tmp_path: Path) -> None:
    path = _catalog_with(
        tmp_path,
        "- code: P1.01-I2\n  name: Persones ateses\n  kind: context\n"
        "  responsible_service: SBAS\n  unit: persones\n  aggregation: last\n"
        "  targets: {2022: 1, 2023: 1, 2024: 1, 2025: 1}\n",
    )
    with pytest.raises(PlanValidationError) as caught:
        load_plan(path)
    assert "no té meta ni semàfor" in str(caught.value)


# ---- ytd aggregation and seasonal profiles (findings 2 and 9) ------------------------------


def test_ytd_counts_distinct_persons_once() -> None:
    rows = series(A, "2022-T1", [1500, 1500, 1500, 1500])
    old = numeric(A, aggregation="sum", **PERSONS)  # type: ignore[arg-type]
    r_old = compute_status(make_plan([old]), frame(rows), "2022-T4").indicator(A)
    assert r_old.value == 6000  # the same persons summed four times
    assert r_old.exceeded and r_old.status is Status.GREEN
    new = numeric(A, aggregation="ytd", **PERSONS)  # type: ignore[arg-type]
    plan = make_plan([new])
    r = compute_status(plan, frame(rows), "2022-T4").indicator(A)
    assert r.value == 1500  # the year value is the latest year-to-date figure
    assert r.expected == pytest.approx(3150.0)
    assert r.achievement == pytest.approx(1500 / 3150)
    assert r.status is Status.RED and not r.exceeded
    q1 = compute_status(plan, frame(rows[:1]), "2022-T1").indicator(A)
    assert q1.expected == pytest.approx(3150 / 4)  # the year's target pro-rated
    assert q1.status is Status.GREEN


def test_a_year_to_date_percentage_is_not_red_by_construction() -> None:
    kw = {"baseline": (2021, 7.2), "targets": {2022: 7.4, 2023: 7.6, 2024: 7.8, 2025: 8.0}}
    rows = [(A, "2022-T1", 2.0)]  # 2 % of the population attended since 1 January
    old = numeric(A, aggregation="last", **kw)  # type: ignore[arg-type]
    r_old = compute_status(make_plan([old]), frame(rows), "2022-T1").indicator(A)
    assert r_old.status is Status.RED  # 2.0 against a point path of 7.25
    new = numeric(A, aggregation="ytd", **kw)  # type: ignore[arg-type]
    r = compute_status(make_plan([new]), frame(rows), "2022-T1").indicator(A)
    assert r.expected == pytest.approx(7.4 / 4)
    assert r.status is Status.GREEN


def test_a_seasonal_profile_shapes_the_expected_path() -> None:
    kw = {"baseline": (2021, 1000.0), "targets": {y: 1000.0 for y in (2022, 2023, 2024, 2025)}}
    rows = [(A, "2022-T1", 100.0)]
    flat = numeric(A, aggregation="sum", **kw)  # type: ignore[arg-type]
    r_flat = compute_status(make_plan([flat]), frame(rows), "2022-T1").indicator(A)
    assert r_flat.expected == pytest.approx(250.0)  # a quarter of the year each
    assert r_flat.status is Status.RED
    seasonal = flat.model_copy(update={"profile": [0.1, 0.4, 0.1, 0.4]})
    r = compute_status(make_plan([seasonal]), frame(rows), "2022-T1").indicator(A)
    assert r.expected == pytest.approx(100.0)  # a quiet first quarter
    assert r.achievement == pytest.approx(1.0)
    assert r.status is Status.GREEN


def test_the_status_text_marks_context_and_names_both_figures() -> None:
    from cli.status import _indicator_line

    plan = make_plan([numeric(A, **PERSONS), context(B)])  # type: ignore[arg-type]
    rows = [(A, "2022-T4", 3100.0), (B, "2022-T4", 350.0)]
    result = compute_status(plan, frame(rows), "2022-T4")
    ctx_line = _indicator_line(result.indicator(B), "ca")
    assert "Indicador de context" in ctx_line and "Sense dades" not in ctx_line
    line = _indicator_line(result.indicator(A), "ca")
    # the figure of the method first, the other one after it
    assert line.index("% de la meta") < line.index("progrés des de la línia de base")
