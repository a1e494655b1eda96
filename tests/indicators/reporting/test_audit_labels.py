"""Every action the audit log records has a label on /auditoria (its filter and its rows):
a new ``ACTION_*`` without one would show its raw code."""

from __future__ import annotations

import ast
from pathlib import Path

from indicators.reporting.audit_text import ACTION_LABELS

REPO = Path(__file__).resolve().parents[3]


def _recorded_actions() -> dict[str, str]:
    found: dict[str, str] = {}
    for package in ("accounts", "indicators", "web", "plan_model"):
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Assign)
                    and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id.startswith("ACTION_")
                    and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)
                ):
                    found[node.value.value] = f"{path.relative_to(REPO)}::{node.targets[0].id}"
    return found


def test_every_audit_action_has_a_label() -> None:
    actions = _recorded_actions()
    assert len(actions) >= 15
    missing = {code: where for code, where in actions.items() if code not in ACTION_LABELS}
    assert not missing, f"audit actions without a label on /auditoria: {missing}"
