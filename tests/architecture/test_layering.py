"""The layering is a checked contract: ``lint-imports`` (run by ``make lint``) passes on the
tree and fails on a copy of it with one import that runs back up a layer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("plan_model", "indicators", "accounts", "web", "layouts", "cli", "i18n")
MODULES = ("app.py", "settings.py", "wsgi.py", "pyproject.toml")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy_tree(target: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(
            REPO_ROOT / package,
            target / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.po", "*.mo"),
        )
    for module in MODULES:
        shutil.copy(REPO_ROOT / module, target / module)


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("tree")
    _copy_tree(target)
    return target


def test_the_tree_keeps_every_contract(tree_copy: Path) -> None:
    result = _lint(tree_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


@pytest.mark.parametrize(
    ("module", "bad_import", "contract"),
    [
        # storage reaching up into intake (the layer above it)
        (
            "indicators/storage/_bad.py",
            "from indicators.intake import validate\n",
            "One straight line of layers",
        ),
        # the domain importing Dash
        ("plan_model/_bad.py", "import dash\n", "No Dash or Flask below web"),
        # the domain importing the database layer
        ("plan_model/_bad2.py", "import sqlalchemy\n", "The domain is pure Python"),
        # the Flask side importing a Dash page
        ("web/_bad.py", "from layouts import components\n", "One straight line of layers"),
        # a page importing the command line
        ("layouts/_bad.py", "import cli\n", "One straight line of layers"),
    ],
)
def test_an_import_against_the_layering_fails_lint(
    tree_copy: Path, tmp_path: Path, module: str, bad_import: str, contract: str
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tree_copy, broken)
    (broken / module).write_text(bad_import, encoding="utf-8")
    result = _lint(broken)
    assert result.returncode != 0
    assert contract in result.stdout
    assert "BROKEN" in result.stdout
