"""Breakdown members in an uploaded file (issue 14): from what a cell says to the plan's code.

A member is accepted by its code or its name, in any case, with or without accents, and for
sex in Spanish and English too (``D``, ``Dona``, ``Mujer``, ``woman``); a municipality also by
its INE code as a number (``8298`` is ``08298``). A municipality implies its ABSS. Which
members a row may carry depends on the indicator's breakdowns and on who reports them
(``reporters``): a blank dimension is the total over it, except where the file's service
reports one member of it only (then the blank is that member: Vic's team writes no ABSS).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

from indicators.intake.parse import fold
from plan_model.dimensions import ancestor, breakdown_cells, covers, is_at_or_above, reporter_of
from plan_model.models import Indicator, Plan

# other words for the sex members (the plan names them in Catalan): folded word → code
SEX_ALIASES: dict[str, str] = {
    **dict.fromkeys(("dona", "dones", "mujer", "mujeres", "woman", "women", "female", "f"), "D"),
    **dict.fromkeys(("home", "homes", "hombre", "hombres", "man", "men", "male", "m"), "H"),
    **dict.fromkeys(
        ("altres", "no binari", "no binario", "otros", "non binary", "nonbinary", "other"), "X"
    ),
    **dict.fromkeys(("no consta", "desconegut", "desconocido", "unknown", "not stated"), "NC"),
}

INE_CODE_LENGTH = 5


def _cell_text(cell: object) -> str:
    """A member cell as text: a whole number without its ``.0`` (an INE code typed as one)."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


@dataclass
class MemberMatcher:
    """Finds the plan's member code of a cell, per dimension, by code, name or alias."""

    plan: Plan
    _index: dict[str, dict[str, str]] = field(init=False)
    _labels: dict[str, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        self._index = {}
        self._labels = {}
        for dimension in self.plan.dimensions:
            index: dict[str, str] = {}
            for member in dimension.members:
                index[fold(member.code)] = member.code
                index.setdefault(fold(member.name), member.code)
            if dimension.code == "sex":
                for word, code in SEX_ALIASES.items():
                    if code in dimension.member_by_code:
                        index.setdefault(word, code)
            self._index[dimension.code] = index
            self._labels[dimension.code] = [m.name for m in dimension.members]

    def match(self, dimension: str, cell: object) -> str | None:
        """The member code of ``dimension`` the cell names, or None."""
        index = self._index.get(dimension)
        if index is None:
            return None
        text = _cell_text(cell)
        found = index.get(fold(text))
        if found is None and text.isdigit() and len(text) < INE_CODE_LENGTH:
            found = index.get(text.zfill(INE_CODE_LENGTH))  # 8298 → 08298
        return found

    def suggestion(self, dimension: str, cell: object) -> str | None:
        """The name of the member nearest to what the cell says, by name or code (for
        «Volíeu dir…?»), or None."""
        dim = self.plan.dimension_by_code.get(dimension)
        if dim is None:
            return None
        options: dict[str, str] = {}
        for member in dim.members:
            options.setdefault(fold(member.name), member.name)
            options.setdefault(fold(member.code), member.name)
        text = fold(_cell_text(cell))[:200]
        close = difflib.get_close_matches(text, list(options), n=1, cutoff=0.6)
        return options[close[0]] if close else None

    def examples(self, dimension: str, limit: int = 6) -> str:
        """Some of the dimension's member names, for the message of an unknown member."""
        labels = self._labels.get(dimension, [])
        shown = ", ".join(labels[:limit])
        return shown + (", …" if len(labels) > limit else "")


def allowed_dimensions(plan: Plan, indicator: Indicator) -> set[str]:
    """The dimensions a row of the indicator may name: its breakdowns and those above them."""
    dims = plan.dimension_by_code
    return {
        d.code
        for d in plan.dimensions
        for b in indicator.breakdowns
        if is_at_or_above(dims, b, d.code)
    }


def with_implied(plan: Plan, cell: Mapping[str, str]) -> tuple[dict[str, str], str | None]:
    """The cell with the members its members imply (a municipality's ABSS), and the first
    dimension whose given member disagrees with an implied one (None when coherent)."""
    dims = plan.dimension_by_code
    full = dict(cell)
    for dimension, member in cell.items():
        for above in dims:
            if above == dimension:
                continue
            implied = ancestor(dims, dimension, member, above)
            if implied is None:
                continue
            if full.setdefault(above, implied) != implied:
                return full, above
    return full, None


def reporter_fill(
    plan: Plan, indicator: Indicator, service: str, cell: Mapping[str, str]
) -> dict[str, str]:
    """The cell with the members the service's reporter entries fix (all the same), where
    the row left them blank: Vic's team reports ``abss: VIC`` without writing it."""
    entries = [r.members for r in indicator.reporters if r.service == service]
    if not entries:
        return dict(cell)
    filled = dict(cell)
    for dimension, member in entries[0].items():
        if dimension not in filled and all(e.get(dimension) == member for e in entries):
            filled[dimension] = member
    return filled


def others_reporting(
    plan: Plan, indicator: Indicator, service: str, cell: Mapping[str, str]
) -> list[str]:
    """The other services that report a part of what ``cell`` covers (none: it is the
    service's own), in order."""
    dims = plan.dimension_by_code
    owners = (
        reporter_of(plan, indicator, c)
        for c in breakdown_cells(plan, indicator)
        if covers(dims, cell, c)
    )
    return [s for s in dict.fromkeys(owners) if s != service]


def member_label(plan: Plan, cell: Mapping[str, str]) -> str:
    """The members in words, in the plan's order of dimensions: ``ABSS Vic, Dona``."""
    parts = []
    for dimension in plan.dimensions:
        code = cell.get(dimension.code)
        if code is not None:
            member = dimension.member_by_code.get(code)
            parts.append(member.name if member is not None else code)
    return ", ".join(parts)
