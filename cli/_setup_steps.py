"""The steps of ``seguiment setup`` (what ``make run`` does after ``seguiment db upgrade``).

To add a step, append ``"package.module:function"`` to :data:`STEPS` (one line; steps run in
list order, each imported only when setup runs). A step is a function taking the
:class:`SetupContext` and returning ``None`` or ``0`` when all is well, or a non-zero exit
code to stop the set-up. It should print one short Catalan line through ``ctx.echo`` saying
what it did (or that there was nothing to do), and be idempotent: ``make run`` calls setup
on every start.

Flags of the command (``--demo-if-empty``...) reach the steps as attributes of the context.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from plan_model.models import Plan
from settings import Settings

# "module:function", in order
STEPS: list[str] = [
    "indicators.demo.generate:setup_demo_data",  # --demo-if-empty: the demo data on an empty database
    "accounts.users:setup_accounts",  # demo accounts on a first run (never in production)
]

Step = Callable[["SetupContext"], int | None]


@dataclass
class SetupContext:
    settings: Settings
    demo_if_empty: bool = False
    echo: Callable[[str], None] = print
    extra: dict[str, Any] = field(default_factory=dict)  # flags added by other steps' owners

    @cached_property
    def plan(self) -> Plan:
        from plan_model.loader import load_plan

        return load_plan(self.settings.plan_path)

    @cached_property
    def engine(self) -> Any:
        from indicators.storage.engine import get_engine

        return get_engine(self.settings.database_url)


def resolve(spec: str) -> Step:
    module_name, _sep, function = spec.partition(":")
    step: Step = getattr(importlib.import_module(module_name), function)
    return step


def run_steps(ctx: SetupContext, steps: list[str] | None = None) -> int:
    """Run every step in order; stop at the first that returns a non-zero code."""
    for spec in STEPS if steps is None else steps:
        code = resolve(spec)(ctx)
        if code:
            return int(code)
    return 0
