"""Plans folders for the registry's tests: the real plan, and the example draft plan of
``tests/fixtures/plans/exemple-2026-2029`` beside it (symbolic links to both folders)."""

from __future__ import annotations

from pathlib import Path

from settings import DEFAULT_PLAN, PLANS_DIR, default_plan_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
EXAMPLE_ID = "exemple-2026-2029"
EXAMPLE_DIR = FIXTURES / EXAMPLE_ID
REAL_ID = DEFAULT_PLAN  # coss-2022-2025
REAL_DIR = default_plan_file(PLANS_DIR, DEFAULT_PLAN).parent  # the real plan's folder
VALID_PLAN = FIXTURES / "valid" / "plan.yaml"


def plans_dir_with(folder: Path, *, example: bool) -> Path:
    """``folder`` made a plans folder holding the real plan and, with ``example``, the
    example draft plan (links, so the plans' relative paths still name their files)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / REAL_ID).symlink_to(REAL_DIR, target_is_directory=True)
    if example:
        add_example(folder)
    return folder


def add_example(folder: Path) -> None:
    """Put the example draft plan into the plans folder ``folder``."""
    (folder / EXAMPLE_ID).symlink_to(EXAMPLE_DIR, target_is_directory=True)
