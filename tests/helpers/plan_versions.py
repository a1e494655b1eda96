"""An amended copy of the tiny valid plan (``tests/fixtures/plans/valid``) for the tests of
plan versions (issue 18): P1.01-I1's 2025 target raised from 80 to 100, in a folder of its own
with the catalog next to the plan file, as the loader expects."""

from __future__ import annotations

import shutil
from pathlib import Path

from accounts.plan_versions import Amendment
from plan_model.loader import load_plan
from tests.helpers.evaluation_data import PLAN_FILE

ORIGINAL_TARGETS = "targets: {2022: 50, 2023: 60, 2024: 70, 2025: 80}"
AMENDED_TARGETS = "targets: {2022: 50, 2023: 60, 2024: 70, 2025: 100}"


def write_amended_plan(folder: Path, *, plan_id: str | None = None) -> Path:
    """Write the amended plan (and its catalog) into ``folder``; returns the plan file.
    ``plan_id``: another id, for the refusal of another plan's file."""
    folder.mkdir(parents=True, exist_ok=True)
    plan_text = PLAN_FILE.read_text(encoding="utf-8")
    if plan_id is not None:
        plan_text = plan_text.replace("id: prova", f"id: {plan_id}")
    (folder / "plan.yaml").write_text(plan_text, encoding="utf-8")
    catalog = (PLAN_FILE.parent / "indicators.yaml").read_text(encoding="utf-8")
    assert ORIGINAL_TARGETS in catalog
    (folder / "indicators.yaml").write_text(
        catalog.replace(ORIGINAL_TARGETS, AMENDED_TARGETS), encoding="utf-8"
    )
    for extra in PLAN_FILE.parent.iterdir():  # e.g. a dimensions file next to them
        if extra.name not in ("plan.yaml", "indicators.yaml"):
            shutil.copy(extra, folder / extra.name)
    return folder / "plan.yaml"


def amended(folder: Path, *, plan_id: str | None = None) -> Amendment:
    """The amendment of :func:`write_amended_plan`, loaded and validated."""
    path = write_amended_plan(folder, plan_id=plan_id)
    return Amendment(
        plan=load_plan(path),
        plan_document=path.read_text(encoding="utf-8"),
        catalog_document=(folder / "indicators.yaml").read_text(encoding="utf-8"),
    )
