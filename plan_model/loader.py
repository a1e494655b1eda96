"""Load the plan YAML and its indicator catalog into a validated :class:`Plan`.

Validation collects every problem, each with its file, line and key, in plain Catalan:
YAML syntax, unknown or missing keys, wrong types, and the plan's own rules (unique codes,
objectives under an axis of their own lever, indicator services that exist, targets for
every plan year, baselines inside their bounds, challenge references that exist...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from i18n import _
from plan_model.models import (
    Bounds,
    Catalog,
    Direction,
    Indicator,
    IndicatorKind,
    Plan,
    PlanDocument,
)
from plan_model.periods import Period

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class PlanError:
    """One problem found in a plan file."""

    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" [{self.key}]" if self.key else ""
        return f"{where}{key}: {self.message}"


class PlanValidationError(Exception):
    """The plan files have problems; ``errors`` lists every one of them."""

    def __init__(self, errors: Sequence[PlanError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


class _Document:
    """A YAML file with the line of every key, so errors can point at it."""

    def __init__(self, path: Path):
        self.path = path
        self.name = str(path)
        self.lines: dict[Loc, int] = {}
        self.data: Any = None
        self.problems: list[PlanError] = []  # found while indexing (e.g. duplicate keys)

    def load(self) -> list[PlanError]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return [PlanError(self.name, None, "", _("File not found."))]
        except (OSError, UnicodeDecodeError) as exc:
            return [PlanError(self.name, None, "", _("Cannot read the file: {reason}", reason=exc))]
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            self.data = yaml.safe_load(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            problem = exc.problem or exc.context or "?"
            message = _("YAML syntax error: {problem}", problem=problem)
            start = exc.context_mark
            if exc.context and exc.problem and start is not None and start.line + 1 != line:
                # e.g. an unclosed quote or bracket: say where it was opened
                message = _(
                    "YAML syntax error: {problem} ({context}, opened on line {line})",
                    problem=exc.problem,
                    context=exc.context,
                    line=start.line + 1,
                )
            return [PlanError(self.name, line, "", message)]
        except yaml.YAMLError as exc:
            return [PlanError(self.name, None, "", _("YAML syntax error: {problem}", problem=exc))]
        if not isinstance(self.data, dict):
            return [PlanError(self.name, 1, "", _("The file must contain a mapping of keys."))]
        if node is not None:
            self._index(node, ())
        return list(self.problems)

    def _index(self, node: yaml.Node, loc: Loc) -> None:
        self.lines[loc] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(
                        PlanError(
                            self.name,
                            key_node.start_mark.line + 1,
                            _dotted(self.data, loc),
                            _("A key must be a simple word, not a list or a mapping."),
                        )
                    )
                    continue
                key = key_node.value
                if key in seen:
                    self.problems.append(
                        PlanError(
                            self.name,
                            key_node.start_mark.line + 1,
                            _dotted(self.data, (*loc, key)),
                            _(
                                "The key '{key}' appears twice in the same block; only one is "
                                "allowed.",
                                key=key,
                            ),
                        )
                    )
                seen.add(key)
                self.lines[(*loc, key)] = key_node.start_mark.line + 1
                self._index(value_node, (*loc, key))
                self.lines[(*loc, key)] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._index(item, (*loc, i))

    def line_of(self, loc: Iterable[str | int]) -> int | None:
        parts = tuple(loc)
        while parts:
            # YAML keys are strings; pydantic reports int keys of dicts as ints or strings
            for candidate in (
                parts,
                tuple(
                    str(p) if isinstance(p, int) and i == len(parts) - 1 else p
                    for i, p in enumerate(parts)
                ),
            ):
                if candidate in self.lines:
                    return self.lines[candidate]
            parts = parts[:-1]
        return self.lines.get((), None)

    def error(self, loc: Loc, message: str) -> PlanError:
        return PlanError(self.name, self.line_of(loc), _dotted(self.data, loc), message)


def _dotted(data: Any, loc: Loc) -> str:
    """``levers[0].objectives[3].text`` → ``levers[P1].objectives[P1.04].text`` when codes exist."""
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list):
            label = str(part)
            if 0 <= part < len(node) and isinstance(node[part], dict):
                item = node[part]
                for key in ("code", "number", "key"):
                    if key in item:
                        label = f"{key}={item[key]}"
                        break
            parts.append(f"[{label}]")
            node = node[part] if 0 <= part < len(node) else None
        else:
            parts.append(("." if parts else "") + str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return "".join(parts)


_PYDANTIC_MESSAGES = {
    "missing": "The required key '{key}' is missing.",
    "string_type": "A text is expected.",
    "string_too_short": "The text cannot be empty.",
    "string_pattern_mismatch": "The value does not have the expected form ({pattern}).",
    "int_type": "A whole number is expected.",
    "int_parsing": "A whole number is expected.",
    "float_type": "A number is expected.",
    "float_parsing": "A number is expected.",
    "bool_type": "A yes/no value is expected.",
    "list_type": "A list is expected.",
    "dict_type": "A mapping of keys is expected.",
    "model_type": "A mapping of keys is expected.",
    "enum": "Not an allowed value; expected one of: {expected}.",
    "greater_than": "Must be greater than {gt}.",
    "greater_than_equal": "Must be at least {ge}.",
    "less_than": "Must be less than {lt}.",
    "less_than_equal": "Must be at most {le}.",
    "int_from_float": "A whole number is expected.",
    "bool_parsing": "A yes/no value is expected.",
    "too_short": "The list cannot be empty.",
    "literal_error": "Not an allowed value; expected one of: {expected}.",
}

# what a value matching each pattern looks like, for plain-language messages
_PATTERN_EXAMPLES = {
    r"^P[1-5]\.\d{2}$": "P3.07",
    r"^P[1-5]\.\d{2}-I\d+$": "P3.07-I1",
    r"^[A-Z0-9][A-Z0-9_-]{1,31}$": "SBAS-VIC",
    r"^\d{4}-T[1-4]$": "2024-T4",
    r"^[a-z_]+$": "en_desenvolupament",
    r"^[a-z0-9-]+$": "coss-2022-2025",
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": "nom@example.org",
}
_SCALARS = (str, int, float, bool)


def _pydantic_errors(doc: _Document, exc: ValidationError, prefix: Loc = ()) -> list[PlanError]:
    errors = []
    for err in exc.errors(include_url=False):
        loc: Loc = (*prefix, *err["loc"])
        kind = err["type"]
        template = _PYDANTIC_MESSAGES.get(kind)
        ctx = {k: str(v) for k, v in (err.get("ctx") or {}).items()}
        ctx.setdefault("key", str(loc[-1]) if loc else "")
        if "expected" in ctx:  # pydantic lists choices as "'a', 'b' or 'c'"
            ctx["expected"] = ctx["expected"].replace("' or '", "' o '")
        if kind == "extra_forbidden":
            message = _("Unknown key '{key}' (check the spelling).", key=loc[-1])
        elif kind == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERN_EXAMPLES:
            message = _(
                "The value does not have the expected form (for example {example}).",
                example=_PATTERN_EXAMPLES[ctx["pattern"]],
            )
        elif template:
            try:
                message = _(template, **ctx)
            except (KeyError, IndexError):
                message = _(template)
        else:
            message = _("Invalid value: {detail}", detail=err["msg"])
        value = err.get("input")
        if kind not in ("missing", "extra_forbidden") and isinstance(value, _SCALARS):
            message = _(
                "{message} (found: {value}).", message=message.rstrip("."), value=repr(value)
            )
        errors.append(doc.error(loc, message))
    return errors


def load_plan(path: str | Path) -> Plan:
    """Load and validate the plan at ``path`` with its catalog; raise PlanValidationError.

    Every problem is collected (both files, structure and rules) before raising, sorted by
    file and line.
    """
    plan_path = Path(path)
    doc = _Document(plan_path)
    errors = doc.load()
    if errors:
        raise PlanValidationError(errors)
    plan_doc: PlanDocument | None = None
    try:
        plan_doc = PlanDocument.model_validate(doc.data)
    except ValidationError as exc:
        errors += _pydantic_errors(doc, exc)

    # the catalog is checked even when the plan file has problems, so one run shows all
    info = doc.data.get("plan")
    catalog_name = info.get("catalog") if isinstance(info, dict) else None
    cat_doc: _Document | None = None
    catalog: Catalog | None = None
    if isinstance(catalog_name, str) and catalog_name.strip():
        cat_doc = _Document(plan_path.parent / catalog_name)
        if not cat_doc.path.is_file():
            # point at the key that names it, in the plan file
            cat_errors = [
                doc.error(
                    ("plan", "catalog"),
                    _(
                        "The indicator catalog {path} does not exist (the path is relative to the "
                        "plan file).",
                        path=cat_doc.name,
                    ),
                )
            ]
            cat_doc = None
        else:
            cat_errors = cat_doc.load()
        if cat_doc is not None and not cat_errors:
            try:
                catalog = Catalog.model_validate(cat_doc.data)
            except ValidationError as exc:
                cat_errors = _pydantic_errors(cat_doc, exc)
        errors += cat_errors

    if plan_doc is not None:
        errors += _check_plan(doc, plan_doc)
        if catalog is not None and cat_doc is not None:
            errors += _check_catalog(doc, cat_doc, plan_doc, catalog)
    if errors or plan_doc is None or catalog is None:
        raise PlanValidationError(_sorted(errors))
    return Plan(
        info=plan_doc.plan,
        levers=plan_doc.levers,
        challenges=plan_doc.challenges,
        services=plan_doc.services,
        catalog=catalog,
    )


def _sorted(errors: list[PlanError]) -> list[PlanError]:
    """Errors grouped by file (plan first), then by line."""
    files: dict[str, int] = {}
    for error in errors:
        files.setdefault(error.file, len(files))
    return sorted(errors, key=lambda e: (files[e.file], e.line or 0))


def _num(value: float | None) -> str:
    """A number as written in YAML: ``140`` rather than ``140.0``."""
    if value is None:
        return "–"
    return str(int(value)) if float(value).is_integer() else str(value)


def _bounds(bounds: Bounds) -> str:
    return f"{_num(bounds.min)} – {_num(bounds.max)}"


def _duplicates(items: Iterable[tuple[Loc, object]]) -> list[tuple[Loc, object]]:
    seen: set[object] = set()
    dups = []
    for loc, value in items:
        if value in seen:
            dups.append((loc, value))
        seen.add(value)
    return dups


def _check_plan(doc: _Document, plan: PlanDocument) -> list[PlanError]:
    errors: list[PlanError] = []
    info = plan.plan
    if info.end_year < info.start_year:
        errors.append(doc.error(("plan", "end_year"), _("The plan ends before it starts.")))

    for loc, number in _duplicates(
        (("levers", i, "number"), lv.number) for i, lv in enumerate(plan.levers)
    ):
        errors.append(doc.error(loc, _("Duplicate lever number {number}.", number=number)))
    axis_locs = [
        (("levers", i, "axes", j, "number"), ax.number)
        for i, lv in enumerate(plan.levers)
        for j, ax in enumerate(lv.axes)
    ]
    for loc, number in _duplicates(axis_locs):
        errors.append(doc.error(loc, _("Duplicate axis number {number}.", number=number)))
    objective_locs = [
        (("levers", i, "objectives", j, "code"), ob.code)
        for i, lv in enumerate(plan.levers)
        for j, ob in enumerate(lv.objectives)
    ]
    for loc, code in _duplicates(objective_locs):
        errors.append(doc.error(loc, _("Duplicate objective code {code}.", code=code)))
    for loc, number in _duplicates(
        (("challenges", i, "number"), ch.number) for i, ch in enumerate(plan.challenges)
    ):
        errors.append(doc.error(loc, _("Duplicate challenge number {number}.", number=number)))
    for loc, code in _duplicates(
        (("services", i, "code"), sv.code) for i, sv in enumerate(plan.services)
    ):
        errors.append(doc.error(loc, _("Duplicate service code {code}.", code=code)))

    challenge_numbers = {c.number for c in plan.challenges}
    for i, lever in enumerate(plan.levers):
        own_axes = {a.number for a in lever.axes}
        if not lever.axes:
            errors.append(doc.error(("levers", i, "axes"), _("A lever needs at least one axis.")))
        for j, objective in enumerate(lever.objectives):
            base: Loc = ("levers", i, "objectives", j)
            if objective.lever_number != lever.number:
                errors.append(
                    doc.error(
                        (*base, "code"),
                        _(
                            "Objective {code} is listed under lever {lever}; its code says lever {own}.",
                            code=objective.code,
                            lever=lever.number,
                            own=objective.lever_number,
                        ),
                    )
                )
            if objective.axis not in own_axes:
                errors.append(
                    doc.error(
                        (*base, "axis"),
                        _(
                            "Objective {code} is assigned to axis {axis}, which is not an axis of lever "
                            "{lever} (its axes: {axes}).",
                            code=objective.code,
                            axis=objective.axis,
                            lever=lever.number,
                            axes=", ".join(str(a) for a in sorted(own_axes)) or "–",
                        ),
                    )
                )
            for k, number in enumerate(objective.challenges):
                if number not in challenge_numbers:
                    errors.append(
                        doc.error(
                            (*base, "challenges", k),
                            _(
                                "Objective {code} refers to challenge {number}, which does not exist.",
                                code=objective.code,
                                number=number,
                            ),
                        )
                    )
    return errors


@dataclass(frozen=True)
class _CatalogCheck:
    """What the catalog rules look at: both files, and what the plan defines."""

    plan_doc: _Document
    doc: _Document  # the catalog's file
    plan: PlanDocument
    catalog: Catalog

    @property
    def years(self) -> list[int]:
        return list(range(self.plan.plan.start_year, self.plan.plan.end_year + 1))

    @property
    def first(self) -> Period:
        return Period(self.plan.plan.start_year, 1)

    @property
    def last(self) -> Period:
        return Period(self.plan.plan.end_year, 4)

    @cached_property
    def objectives(self) -> set[str]:
        return {o.code for lv in self.plan.levers for o in lv.objectives}

    @cached_property
    def services(self) -> set[str]:
        return {s.code for s in self.plan.services}


CatalogRule = Callable[[_CatalogCheck], Iterator[PlanError]]
IndicatorRule = Callable[[_CatalogCheck, Loc, Indicator], Iterator[PlanError]]


def _check_catalog(
    plan_doc: _Document, doc: _Document, plan: PlanDocument, catalog: Catalog
) -> list[PlanError]:
    """Every catalog rule; the indicator rules run indicator by indicator, in file order."""
    check = _CatalogCheck(plan_doc, doc, plan, catalog)
    errors: list[PlanError] = []
    for rule in _CATALOG_RULES:
        errors += rule(check)
    for i, indicator in enumerate(catalog.indicators):
        for indicator_rule in _INDICATOR_RULES:
            errors += indicator_rule(check, ("indicators", i), indicator)
    errors += _objectives_are_measured(check)
    return errors


# --- rules about the catalog as a whole ------------------------------------------------------


def _catalog_thresholds_in_order(check: _CatalogCheck) -> Iterator[PlanError]:
    thresholds = check.catalog.thresholds
    if thresholds.amber > thresholds.green:
        yield check.doc.error(
            ("thresholds",), _("The amber threshold cannot exceed the green one.")
        )


def _stage_keys_are_unique(check: _CatalogCheck) -> Iterator[PlanError]:
    stages = check.catalog.stages
    for loc, key in _duplicates((("stages", i, "key"), s.key) for i, s in enumerate(stages)):
        yield check.doc.error(loc, _("Duplicate stage key {key}.", key=key))


def _stage_percentages_grow(check: _CatalogCheck) -> Iterator[PlanError]:
    previous: float | None = None
    for i, stage in enumerate(check.catalog.stages):
        if stage.pct is None:
            continue
        if previous is not None and stage.pct <= previous:
            yield check.doc.error(
                ("stages", i, "pct"),
                _(
                    "Stage percentages must grow along the scale ({pct} comes after {previous}).",
                    pct=stage.pct,
                    previous=previous,
                ),
            )
        previous = stage.pct


def _indicator_codes_are_unique(check: _CatalogCheck) -> Iterator[PlanError]:
    for loc, code in _duplicates(
        (("indicators", i, "code"), ind.code) for i, ind in enumerate(check.catalog.indicators)
    ):
        yield check.doc.error(loc, _("Duplicate indicator code {code}.", code=code))


def _objectives_are_measured(check: _CatalogCheck) -> Iterator[PlanError]:
    """Every objective of the plan has at least one indicator (reported in the plan file)."""
    measured = {ind.objective_code for ind in check.catalog.indicators}
    for lv_i, lever in enumerate(check.plan.levers):
        for ob_i, objective in enumerate(lever.objectives):
            if objective.code not in measured:
                yield check.plan_doc.error(
                    ("levers", lv_i, "objectives", ob_i, "code"),
                    _("Objective {code} has no indicator in the catalog.", code=objective.code),
                )


_CATALOG_RULES: tuple[CatalogRule, ...] = (
    _catalog_thresholds_in_order,
    _stage_keys_are_unique,
    _stage_percentages_grow,
    _indicator_codes_are_unique,
)


# --- rules about each indicator --------------------------------------------------------------


def _objective_exists(check: _CatalogCheck, base: Loc, ind: Indicator) -> Iterator[PlanError]:
    if ind.objective_code not in check.objectives:
        yield check.doc.error(
            (*base, "code"),
            _(
                "Indicator {code} belongs to objective {objective}, which does not exist.",
                code=ind.code,
                objective=ind.objective_code,
            ),
        )


def _service_exists(check: _CatalogCheck, base: Loc, ind: Indicator) -> Iterator[PlanError]:
    if ind.responsible_service not in check.services:
        yield check.doc.error(
            (*base, "responsible_service"),
            _(
                "Indicator {code}: service {service} does not exist in the plan's services.",
                code=ind.code,
                service=ind.responsible_service,
            ),
        )


def _thresholds_in_order(check: _CatalogCheck, base: Loc, ind: Indicator) -> Iterator[PlanError]:
    if ind.thresholds and ind.thresholds.amber > ind.thresholds.green:
        yield check.doc.error(
            (*base, "thresholds"), _("The amber threshold cannot exceed the green one.")
        )


def _numeric_keys(check: _CatalogCheck, base: Loc, ind: Indicator) -> Iterator[PlanError]:
    """A numeric indicator has what measuring needs, and no milestone keys."""
    if ind.kind is not IndicatorKind.NUMERIC:
        return
    for key in ("unit", "direction", "aggregation", "baseline", "targets", "bounds"):
        if getattr(ind, key) is None:
            yield check.doc.error(
                (*base, key),
                _("Numeric indicator {code} needs the key '{key}'.", code=ind.code, key=key),
            )
    if ind.direction is Direction.MAINTAIN and ind.tolerance is None:
        yield check.doc.error(
            (*base, "tolerance"),
            _(
                "Indicator {code} is to be maintained: it needs a 'tolerance' (the accepted "
                "distance from the target).",
                code=ind.code,
            ),
        )
    if ind.tolerance is not None and ind.direction not in (Direction.MAINTAIN, None):
        yield check.doc.error(
            (*base, "tolerance"),
            _("'tolerance' is only for indicators whose direction is 'maintain'."),
        )
    for key in ("planned_completion", "start"):
        if getattr(ind, key) is not None:
            yield check.doc.error(
                (*base, key), _("'{key}' is only for milestone indicators.", key=key)
            )
    if ind.integer and "%" in (ind.unit or ""):
        yield check.doc.error(
            (*base, "integer"),
            _("Indicator {code} is a percentage: 'integer' is for counts.", code=ind.code),
        )


def _targets_fit_the_plan(check: _CatalogCheck, base: Loc, ind: Indicator) -> Iterator[PlanError]:
    """One target per plan year, no other, each inside the bounds."""
    if ind.kind is not IndicatorKind.NUMERIC or ind.targets is None:
        return
    years = check.years
    missing = [y for y in years if y not in ind.targets]
    if missing:
        yield check.doc.error(
            (*base, "targets"),
            _(
                "Indicator {code} has no target for {years}; every plan year needs one.",
                code=ind.code,
                years=", ".join(str(y) for y in missing),
            ),
        )
    extra = [y for y in ind.targets if y not in years]
    if extra:
        yield check.doc.error(
            (*base, "targets"),
            _(
                "Indicator {code} has targets outside the plan years: {years}.",
                code=ind.code,
                years=", ".join(str(y) for y in extra),
            ),
        )
    if ind.bounds is not None:
        for year, value in ind.targets.items():
            if not ind.bounds.contains(value):
                yield check.doc.error(
                    (*base, "targets", year),
                    _(
                        "Indicator {code}: the {year} target {value} is outside its "
                        "bounds ({bounds}).",
                        code=ind.code,
                        year=year,
                        value=_num(value),
                        bounds=_bounds(ind.bounds),
                    ),
                )


def _bounds_and_baseline(check: _CatalogCheck, base: Loc, ind: Indicator) -> Iterator[PlanError]:
    """Bounds in order; a baseline inside them, from before the plan's end."""
    if ind.kind is not IndicatorKind.NUMERIC:
        return
    bounds = ind.bounds
    if (
        bounds is not None
        and bounds.min is not None
        and bounds.max is not None
        and bounds.min > bounds.max
    ):
        yield check.doc.error((*base, "bounds"), _("The minimum exceeds the maximum."))
    if ind.baseline is None:
        return
    if bounds is not None and not bounds.contains(ind.baseline.value):
        yield check.doc.error(
            (*base, "baseline", "value"),
            _(
                "Indicator {code}: the baseline {value} is outside its bounds ({bounds}).",
                code=ind.code,
                value=_num(ind.baseline.value),
                bounds=_bounds(bounds),
            ),
        )
    if ind.baseline.year >= check.plan.plan.end_year:
        yield check.doc.error(
            (*base, "baseline", "year"), _("The baseline year must come before the plan's end.")
        )


def _context_keys(check: _CatalogCheck, base: Loc, ind: Indicator) -> Iterator[PlanError]:
    """A context indicator has a unit and an aggregation, and nothing that makes a light."""
    if ind.kind is not IndicatorKind.CONTEXT:
        return
    for key in ("unit", "aggregation"):
        if getattr(ind, key) is None:
            yield check.doc.error(
                (*base, key),
                _("Context indicator {code} needs the key '{key}'.", code=ind.code, key=key),
            )
    keys = ("direction", "targets", "tolerance", "band", "thresholds", "method")
    for key in (*keys, "planned_completion", "start"):
        if getattr(ind, key) is not None:
            yield check.doc.error(
                (*base, key),
                _(
                    "Context indicator {code} has no target and no light: remove '{key}'.",
                    code=ind.code,
                    key=key,
                ),
            )


def _milestone_keys(check: _CatalogCheck, base: Loc, ind: Indicator) -> Iterator[PlanError]:
    """A milestone has no numeric keys, and a planned completion inside the plan."""
    if ind.kind is not IndicatorKind.MILESTONE:
        return
    numeric_only = ("direction", "aggregation", "baseline", "targets", "bounds", "tolerance")
    for key in (*numeric_only, "band"):
        if getattr(ind, key) is not None:
            yield check.doc.error(
                (*base, key), _("'{key}' is only for numeric indicators.", key=key)
            )
    if ind.integer:
        yield check.doc.error(
            (*base, "integer"), _("'{key}' is only for numeric indicators.", key="integer")
        )
    if ind.planned_completion is None:
        yield check.doc.error(
            (*base, "planned_completion"),
            _("Milestone {code} needs the key 'planned_completion'.", code=ind.code),
        )
    else:
        due = Period.parse(ind.planned_completion)
        if not check.first <= due <= check.last:
            yield check.doc.error(
                (*base, "planned_completion"),
                _("The planned completion {period} is outside the plan.", period=due),
            )
        if ind.start is not None and Period.parse(ind.start) > due:
            yield check.doc.error(
                (*base, "start"), _("The start comes after the planned completion.")
            )
    if not check.catalog.stages:
        yield check.doc.error(("stages",), _("Milestones need a stage scale."))


_INDICATOR_RULES: tuple[IndicatorRule, ...] = (
    _objective_exists,
    _service_exists,
    _thresholds_in_order,
    _numeric_keys,
    _targets_fit_the_plan,
    _bounds_and_baseline,
    _milestone_keys,
    _context_keys,
)
