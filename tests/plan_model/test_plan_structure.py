"""The plan in data/plan.yaml against its source, the COSS strategy page (the seed).

The seed is checked in as tests/fixtures/seed_000.txt (a copy of
shared/seeds/000_95d2b939264d843e.txt) so the tests run in any clone. The page is parsed
here, independently of the YAML, and the plan must match it word for word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from plan_model.models import Origin, Plan

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seed_000.txt"
PESS_AXES = [1, 2, 3, 5, 6, 7, 8, 9, 10, 12, 13]
OBJECTIVES_PER_LEVER = {1: 11, 2: 8, 3: 18, 4: 11, 5: 10}


@dataclass
class SeedLever:
    number: int
    name: str
    tagline: str
    axes: dict[int, str] = field(default_factory=dict)
    bullets: list[str] = field(default_factory=list)


@dataclass
class Seed:
    challenges: list[tuple[int, str, str]]
    levers: list[SeedLever]


def parse_seed(text: str) -> Seed:
    # the page ends some lines with a no-break space: rstrip() removes it, as a reader would
    lines = [line.rstrip() for line in text.splitlines()]
    # the 8 challenges: "N. Name" then the description on the next non-empty line,
    # before the section on strategic lines
    end = lines.index("Línies estratègiques i eixos de treball")
    challenges = []
    body = [line.strip() for line in lines[:end] if line.strip()]
    for i, line in enumerate(body):
        m = re.fullmatch(r"(\d)\. (.+)", line)
        if m:
            challenges.append((int(m.group(1)), m.group(2).strip(), body[i + 1]))
    # each "PALANCA n" block: name, tagline, "Eix n. name" lines and " • " bullets
    levers: list[SeedLever] = []
    for i, line in enumerate(lines):
        m = re.fullmatch(r"PALANCA (\d)", line.strip())
        if m:
            following = [x.strip() for x in lines[i + 1 :] if x.strip()]
            levers.append(SeedLever(int(m.group(1)), following[0], following[1]))
            continue
        if not levers:
            continue
        axis = re.fullmatch(r"Eix (\d+)\.\s(.+)", line.strip())
        if axis:
            levers[-1].axes[int(axis.group(1))] = axis.group(2)
        elif line.startswith(" • "):
            levers[-1].bullets.append(line[3:])
    return Seed(challenges, levers)


@pytest.fixture(scope="module")
def seed() -> Seed:
    return parse_seed(SEED.read_text(encoding="utf-8"))


def test_seed_parses_as_expected(seed: Seed) -> None:
    """Guard the parser itself: the page has 8 challenges, 5 levers and 58 bullets."""
    assert [c[0] for c in seed.challenges] == list(range(1, 9))
    assert [lv.number for lv in seed.levers] == [1, 2, 3, 4, 5]
    assert sum(len(lv.bullets) for lv in seed.levers) == 58


def test_five_levers_with_name_and_tagline(plan: Plan, seed: Seed) -> None:
    assert [lv.number for lv in plan.levers] == [1, 2, 3, 4, 5]
    assert [(lv.name, lv.tagline) for lv in plan.levers] == [
        (s.name, s.tagline) for s in seed.levers
    ]
    assert (plan.lever(1).name, plan.lever(1).tagline) == (
        "Persones i professionals",
        "Motor del sistema",
    )


def test_eleven_pess_axes_under_their_levers(plan: Plan, seed: Seed) -> None:
    assert [a.number for a in plan.axes] == PESS_AXES
    assert 4 not in {a.number for a in plan.axes}
    assert 11 not in {a.number for a in plan.axes}
    for lever, seed_lever in zip(plan.levers, seed.levers, strict=True):
        assert {a.number: a.name for a in lever.axes} == seed_lever.axes


def test_58_objectives_word_for_word_in_the_seed_order(plan: Plan, seed: Seed) -> None:
    assert len(plan.objectives) == 58
    for lever, seed_lever in zip(plan.levers, seed.levers, strict=True):
        assert [o.text for o in lever.objectives] == seed_lever.bullets
        count = OBJECTIVES_PER_LEVER[lever.number]
        assert [o.code for o in lever.objectives] == [
            f"P{lever.number}.{n:02d}" for n in range(1, count + 1)
        ]


def test_typos_of_the_plan_are_kept(plan: Plan) -> None:
    """Word for word means the plan's own spelling, not a corrected one."""
    assert plan.objective_by_code["P3.14"].text == (
        "Participació a taules sectorials ( salut mental, TIAF,..)"
    )
    assert plan.objective_by_code["P3.17"].text.endswith("l’eina de cribatge SSM-CAT")
    # the page's own spacing, a no-break space included
    assert "sector social i\u00a0 comunitari" in plan.lever(4).axes[2].name


def test_every_objective_has_an_axis_of_its_lever_and_an_origin(plan: Plan) -> None:
    for lever in plan.levers:
        own = {a.number for a in lever.axes}
        for objective in lever.objectives:
            assert objective.axis in own, objective.code
            assert objective.lever_number == lever.number
    origins = {o.origin for o in plan.objectives}
    assert origins == {Origin.DEPARTAMENT, Origin.COSS}
    # the Department's proposals come first in each lever's bullets (the seed's first column)
    for lever in plan.levers:
        kinds = [o.origin for o in lever.objectives]
        assert kinds == sorted(kinds, key=lambda k: k is Origin.COSS), lever.number
    # every axis serves at least one objective
    for lever in plan.levers:
        for axis in lever.axes:
            assert lever.objectives_of(axis.number), axis.number


def test_eight_challenges_as_the_seed_words_them(plan: Plan, seed: Seed) -> None:
    assert [(c.number, c.name, c.description) for c in plan.challenges] == seed.challenges
    referenced = {n for o in plan.objectives for n in o.challenges}
    assert referenced <= {c.number for c in plan.challenges}
    assert referenced == set(range(1, 9)), "every challenge concerns some objective"


def test_services_have_code_name_and_example_email(plan: Plan) -> None:
    codes = [s.code for s in plan.services]
    assert len(codes) == len(set(codes))
    for expected in (
        "SBAS-COSS",
        "SBAS-VIC",
        "SBAS-MANLLEU",
        "SBAS-PLANA",
        "SIS",
        "SAD",
        "TELEASSIST",
        "ACTIVAT",
        "EAIA",
        "SIAD",
        "SAI",
        "PEDALA",
        "OPE",
    ):
        assert expected in codes
    for service in plan.services:
        assert service.name
        assert service.email.endswith("@example.org")


def test_plan_frame(plan: Plan) -> None:
    assert plan.info.start_year == 2022
    assert plan.info.end_year == 2025
    assert plan.years == [2022, 2023, 2024, 2025]
    assert str(plan.first_period) == "2022-T1"
    assert str(plan.last_period) == "2025-T4"
