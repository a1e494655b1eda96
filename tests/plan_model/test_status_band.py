"""Issue 15, finding 4: lights near the path (docs/metodologia.md, "Banda de tolerància").

Each test shows the old answer and the new one on the worked example.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from plan_model.loader import load_plan
from plan_model.status import Status, compute_status, status_label
from plan_model.status_types import indicator_status_label
from tests.helpers.status_factory import frame, make_plan, milestone, numeric
from tests.plan_model.catalog_settings import with_catalog

A = "P1.01-I1"
M = "P1.01-I2"
ROOT = Path(__file__).resolve().parents[2]

# a waiting time: 21 days in 2021, 18 by the end of 2022, so 20.25 expected in the 1st quarter
WAIT = numeric(A, direction="decrease", baseline=(2021, 21.0), targets={2022: 18.0})


def test_inside_the_band_the_light_stays_green() -> None:
    plan = make_plan([WAIT], method="progress")
    rows = frame([(A, "2022-T1", 20.5)])
    old = compute_status(plan, rows, "2022-T1").indicator(A)  # no band: the old rule
    assert old.expected == pytest.approx(20.25)
    assert old.achievement == pytest.approx(0.5 / 0.75)  # 67 % of the progress expected
    assert old.status is Status.RED and not old.in_band
    new = compute_status(with_catalog(plan, band=0.05), rows, "2022-T1").indicator(A)
    # |20,5 − 20,25| = 0,25 ≤ 5 % of 20,25 = 1,01: on the path
    assert new.in_band and new.status is Status.GREEN
    assert new.achievement == pytest.approx(1.0)  # what the light and the roll-ups read
    assert new.progress == pytest.approx(0.5 / 0.75)  # the figure itself is unchanged
    assert (
        compute_status(with_catalog(plan, band=0.05), rows, "2022-T1").objective("P1.01").status
        is Status.GREEN
    )


def test_the_band_ends_where_it_says_and_an_indicator_may_override_it() -> None:
    plan = with_catalog(make_plan([WAIT], method="progress"), band=0.05)
    outside = compute_status(plan, frame([(A, "2022-T1", 21.3)]), "2022-T1").indicator(A)
    assert not outside.in_band and outside.status is Status.RED  # 1,05 days off: outside
    strict = with_catalog(
        make_plan([WAIT.model_copy(update={"band": 0.0})], method="progress"), band=0.05
    )
    r = compute_status(strict, frame([(A, "2022-T1", 20.5)]), "2022-T1").indicator(A)
    assert not r.in_band and r.status is Status.RED


def test_the_real_catalog_sets_a_band() -> None:
    plan = load_plan(ROOT / "data" / "plan.yaml")
    assert plan.catalog.band == pytest.approx(0.05)


def test_maintain_off_its_value_is_a_deviation_not_a_delay() -> None:
    sessions = numeric(
        A, direction="maintain", baseline=(2021, 10.0), targets={2022: 10.0}, tolerance=1.0
    )
    plan = make_plan([sessions])
    red = compute_status(plan, frame([(A, "2022-T1", 8.0)]), "2022-T1").indicator(A)
    assert red.status is Status.RED  # distance 2 for a tolerance of 1: 50 %
    # old: «Retard» (a delay) for a value to be held; the labels now speak of deviations for
    # every indicator (the reference vocabulary, issue 15), and «maintain» says the same
    assert status_label(red.status, "ca") == "Desviació greu"
    assert indicator_status_label(red, "ca") == "Desviació greu"
    assert indicator_status_label(red, "es") == "Desviación grave"
    amber = compute_status(plan, frame([(A, "2022-T1", 8.8)]), "2022-T1").indicator(A)
    assert amber.status is Status.AMBER
    assert indicator_status_label(amber, "ca") == "Desviació lleu"
    on = compute_status(plan, frame([(A, "2022-T1", 9.5)]), "2022-T1").indicator(A)
    assert indicator_status_label(on, "ca") == status_label(Status.GREEN, "ca")


def test_a_milestone_is_not_red_before_its_first_stage_is_due() -> None:
    ind = milestone(M, due="2022-T4")  # four quarters from the plan's start
    plan = make_plan([ind])
    r = compute_status(plan, frame([(M, "2022-T1", "planificat")]), "2022-T1").indicator(M)
    # old: 25 % expected in the first quarter, Planificat (10 %) was 40 %, red and late
    assert r.expected == pytest.approx(10.0)  # new: the first stage of the scale
    assert r.achievement == pytest.approx(1.0)
    assert r.status is Status.GREEN and not r.late
    later = compute_status(plan, frame([(M, "2022-T2", "planificat")]), "2022-T2").indicator(M)
    assert later.expected == pytest.approx(50.0) and later.status is Status.RED
