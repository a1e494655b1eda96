"""Load the plan YAML and its indicator catalog into a validated :class:`Plan`.

Validation collects every problem, each with its file, line and key, in plain Catalan:
YAML syntax, unknown or missing keys, wrong types, and the plan's own rules (unique codes,
objectives under an axis of their own lever, indicator services that exist, targets for
every plan year (from the first measured one when there is no baseline), baselines inside
their bounds, challenge references that exist...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from i18n import _
from plan_model.dimensions import cells, covers, is_at_or_above
from plan_model.models import (
    Aggregation,
    Bounds,
    Catalog,
    Dimension,
    DimensionsDocument,
    Direction,
    Indicator,
    IndicatorKind,
    Method,
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
    r"^[a-z][a-z0-9_]{0,31}$": "age_group",
    r"^[A-Za-z0-9][A-Za-z0-9_+-]{0,31}$": "08298",
    r"^[a-z0-9-]+/P[1-5]\.\d{2}-I\d+$": "coss-2022-2025/P3.07-I2",
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
    """Load and validate the plan at ``path`` with its catalog and dimensions.

    Raise PlanValidationError with every problem collected (every file, structure and
    rules), sorted by file and line.
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
    cat_doc, catalog, cat_errors = _load_referenced(
        doc,
        "catalog",
        Catalog,
        lambda name: _(
            "The indicator catalog {path} does not exist (the path is relative to the plan file).",
            path=name,
        ),
    )
    dim_doc, dims_file, dim_errors = _load_referenced(
        doc,
        "dimensions",
        DimensionsDocument,
        lambda name: _(
            "The dimensions file {path} does not exist (the path is relative to the plan file).",
            path=name,
        ),
    )
    errors += cat_errors + dim_errors
    dimensions = dims_file.dimensions if dims_file is not None else []
    if dim_doc is not None and dims_file is not None:
        errors += _check_dimensions(dim_doc, dims_file)

    if plan_doc is not None:
        errors += _check_plan(doc, plan_doc)
        if catalog is not None and cat_doc is not None:
            # a dimensions file that did not load leaves its references unchecked
            known = dims_file is not None or _referenced_name(doc, "dimensions") is None
            errors += _check_catalog(
                doc, cat_doc, plan_doc, catalog, {d.code: d for d in dimensions}, known
            )
    if errors or plan_doc is None or catalog is None:
        raise PlanValidationError(_sorted(errors))
    return Plan(
        info=plan_doc.plan,
        levers=plan_doc.levers,
        challenges=plan_doc.challenges,
        services=plan_doc.services,
        catalog=catalog,
        dimensions=dimensions,
    )


_Model = TypeVar("_Model", bound=BaseModel)


def _referenced_name(doc: _Document, key: str) -> str | None:
    """The file name that the plan's ``plan.<key>`` gives, if it gives a usable one."""
    info = doc.data.get("plan")
    name = info.get(key) if isinstance(info, dict) else None
    return name if isinstance(name, str) and name.strip() else None


def _load_referenced(
    doc: _Document, key: str, model: type[_Model], missing: Callable[[str], str]
) -> tuple[_Document | None, _Model | None, list[PlanError]]:
    """The file named by ``plan.<key>`` (relative to the plan file), loaded and validated.

    Returns its document (None if not named or not found), its model (None on any problem)
    and its problems; a missing file is reported at the key that names it, in the plan file.
    """
    name = _referenced_name(doc, key)
    if name is None:
        return None, None, []
    sub = _Document(doc.path.parent / name)
    if not sub.path.is_file():
        return None, None, [doc.error(("plan", key), missing(sub.name))]
    errors = sub.load()
    if errors:
        return sub, None, errors
    try:
        return sub, model.model_validate(sub.data), []
    except ValidationError as exc:
        return sub, None, _pydantic_errors(sub, exc)


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
    dimensions: Mapping[str, Dimension] = field(default_factory=dict)
    dimensions_known: bool = True  # False: the dimensions file did not load

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
    plan_doc: _Document,
    doc: _Document,
    plan: PlanDocument,
    catalog: Catalog,
    dimensions: Mapping[str, Dimension],
    dimensions_known: bool,
) -> list[PlanError]:
    """Every catalog rule; the indicator rules run indicator by indicator, in file order."""
    check = _CatalogCheck(plan_doc, doc, plan, catalog, dimensions, dimensions_known)
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
    # no baseline: nothing could be measured before the plan (e.g. a system it creates)
    for key in ("unit", "direction", "aggregation", "targets", "bounds"):
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
    if ind.baseline is None and ind.targets:
        # a measure the plan creates starts at its first target: no target before it
        missing = [y for y in missing if y > min(ind.targets)]
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


def _measured_without_baseline(
    check: _CatalogCheck, base: Loc, ind: Indicator
) -> Iterator[PlanError]:
    """Without a baseline there is no gap to close: the light is the share of the target."""
    if ind.kind is not IndicatorKind.NUMERIC or ind.baseline is not None:
        return
    if (ind.method or check.catalog.method) is Method.PROGRESS:
        yield check.doc.error(
            (*base, "method"),
            _(
                "Indicator {code} has no baseline: its light cannot be the progress since the "
                "baseline (use 'method: target_share').",
                code=ind.code,
            ),
        )


def _carries_over_another_plan(
    check: _CatalogCheck, base: Loc, ind: Indicator
) -> Iterator[PlanError]:
    """``carries_over`` names an indicator of another (earlier) plan, never of this one; that
    the plan and its indicator exist is the registry's check (``plan_model.registry``)."""
    if ind.carried_plan_id is not None and ind.carried_plan_id == check.plan.plan.id:
        yield check.doc.error(
            (*base, "carries_over"),
            _(
                "Indicator {code} carries over an indicator of its own plan ({ref}): "
                "'carries_over' names an indicator of an earlier plan.",
                code=ind.code,
                ref=ind.carries_over,
            ),
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


def _breakdown_keys(check: _CatalogCheck, base: Loc, ind: Indicator) -> Iterator[PlanError]:
    """Breakdowns name known dimensions once each; ratios are there for what needs them."""
    if ind.kind is IndicatorKind.MILESTONE:
        for key in ("breakdowns", "ratio", "reporters"):
            if getattr(ind, key):
                yield check.doc.error(
                    (*base, key), _("'{key}' is only for numeric indicators.", key=key)
                )
        return
    seen: set[str] = set()
    for k, dimension in enumerate(ind.breakdowns):
        if dimension in seen:
            yield check.doc.error(
                (*base, "breakdowns", k),
                _(
                    "Indicator {code}: dimension {dimension} appears twice in its breakdowns.",
                    code=ind.code,
                    dimension=dimension,
                ),
            )
        elif check.dimensions_known and dimension not in check.dimensions:
            yield _unknown_dimension(check, (*base, "breakdowns", k), ind, dimension)
        seen.add(dimension)
    yield from _ratio_rules(check, base, ind)


def _unknown_dimension(check: _CatalogCheck, loc: Loc, ind: Indicator, dimension: str) -> PlanError:
    return check.doc.error(
        loc,
        _(
            "Indicator {code}: dimension {dimension} does not exist in the plan's dimensions "
            "({known}).",
            code=ind.code,
            dimension=dimension,
            known=", ".join(check.dimensions) or "–",
        ),
    )


def _ratio_rules(check: _CatalogCheck, base: Loc, ind: Indicator) -> Iterator[PlanError]:
    """A percentage or a mean with breakdowns has a ratio of two different counts; a count none."""
    unit = ind.unit or ""
    averaged = "%" in unit or "/" in unit or ind.aggregation is Aggregation.MEAN
    if ind.breakdowns and averaged and ind.ratio is None:
        yield check.doc.error(
            (*base, "breakdowns"),
            _(
                "Indicator {code} is a percentage or a mean with breakdowns: it needs a "
                "'ratio' with its 'numerator' and 'denominator' (a total is the ratio of "
                "the sums, never the mean of the percentages).",
                code=ind.code,
            ),
        )
    if ind.ratio is not None and not averaged:
        yield check.doc.error(
            (*base, "ratio"),
            _(
                "Indicator {code} is a count (its unit is {unit}): a 'ratio' is only for "
                "percentages and means.",
                code=ind.code,
                unit=unit or "–",
            ),
        )
    elif ind.ratio is not None and ind.ratio.numerator.strip() == ind.ratio.denominator.strip():
        yield check.doc.error(
            (*base, "ratio"),
            _(
                "Indicator {code}: the numerator and the denominator of its ratio must be "
                "different counts.",
                code=ind.code,
            ),
        )


def _reporter_rules(check: _CatalogCheck, base: Loc, ind: Indicator) -> Iterator[PlanError]:
    """Reporters exist, report members that exist under the breakdowns, one each."""
    if not ind.reporters or ind.kind is IndicatorKind.MILESTONE:
        return
    if not ind.breakdowns:
        yield check.doc.error(
            (*base, "reporters"),
            _(
                "Indicator {code} has 'reporters' but no 'breakdowns': without breakdowns "
                "its responsible service reports it.",
                code=ind.code,
            ),
        )
        return
    for k, reporter in enumerate(ind.reporters):
        loc: Loc = (*base, "reporters", k)
        if reporter.service not in check.services:
            yield check.doc.error(
                (*loc, "service"),
                _(
                    "Indicator {code}: service {service} does not exist in the plan's services.",
                    code=ind.code,
                    service=reporter.service,
                ),
            )
        if check.dimensions_known:
            for dimension, member in reporter.members.items():
                yield from _reporter_member(
                    check, (*loc, "members", dimension), ind, dimension, member
                )
    yield from _reporters_overlap(check, base, ind)


def _reporter_member(
    check: _CatalogCheck, loc: Loc, ind: Indicator, dimension: str, member: str
) -> Iterator[PlanError]:
    """One member given to a reporter: of a known dimension at or above a breakdown."""
    dim = check.dimensions.get(dimension)
    if dim is None:
        yield _unknown_dimension(check, loc, ind, dimension)
        return
    if member not in dim.member_by_code:
        yield check.doc.error(
            loc,
            _(
                "Indicator {code}: {member} is not a member of dimension {dimension}.",
                code=ind.code,
                member=member,
                dimension=dimension,
            ),
        )
    if not any(is_at_or_above(check.dimensions, b, dimension) for b in ind.breakdowns):
        yield check.doc.error(
            loc,
            _(
                "Indicator {code}: a reporter is given members of {dimension}, which is "
                "neither one of its breakdowns ({breakdowns}) nor above one.",
                code=ind.code,
                dimension=dimension,
                breakdowns=", ".join(ind.breakdowns),
            ),
        )


def _reporters_overlap(check: _CatalogCheck, base: Loc, ind: Indicator) -> Iterator[PlanError]:
    """No cell of the breakdown has two reporters."""
    if not check.dimensions_known:
        return
    dims = check.dimensions
    owner: dict[tuple[tuple[str, str], ...], str] = {}
    for k, reporter in enumerate(ind.reporters):
        for cell in cells(dims, ind.breakdowns):
            if not covers(dims, reporter.members, cell):
                continue
            key = tuple(cell.items())
            if key in owner:
                yield check.doc.error(
                    (*base, "reporters", k),
                    _(
                        "Indicator {code}: {service} and {other} both report {members}; each "
                        "member has one reporter.",
                        code=ind.code,
                        service=reporter.service,
                        other=owner[key],
                        members=", ".join(f"{d}={m}" for d, m in key),
                    ),
                )
                break
            owner[key] = reporter.service


_INDICATOR_RULES: tuple[IndicatorRule, ...] = (
    _objective_exists,
    _service_exists,
    _thresholds_in_order,
    _numeric_keys,
    _targets_fit_the_plan,
    _bounds_and_baseline,
    _measured_without_baseline,
    _carries_over_another_plan,
    _milestone_keys,
    _context_keys,
    _breakdown_keys,
    _reporter_rules,
)


# --- rules about the dimensions file ---------------------------------------------------------


def _check_dimensions(doc: _Document, dims: DimensionsDocument) -> list[PlanError]:
    """Unique codes; members under an existing member of their dimension's parent."""
    errors: list[PlanError] = []
    by_code = {d.code: d for d in dims.dimensions}
    for loc, code in _duplicates(
        (("dimensions", i, "code"), d.code) for i, d in enumerate(dims.dimensions)
    ):
        errors.append(doc.error(loc, _("Duplicate dimension code {code}.", code=code)))
    for i, dim in enumerate(dims.dimensions):
        base: Loc = ("dimensions", i)
        for loc, code in _duplicates(
            ((*base, "members", j, "code"), m.code) for j, m in enumerate(dim.members)
        ):
            errors.append(
                doc.error(
                    loc,
                    _(
                        "Dimension {dimension}: duplicate member code {code}.",
                        dimension=dim.code,
                        code=code,
                    ),
                )
            )
        errors += _check_parents(doc, base, dim, by_code)
    return errors


def _check_parents(
    doc: _Document, base: Loc, dim: Dimension, by_code: Mapping[str, Dimension]
) -> list[PlanError]:
    """A dimension's parent exists; each member names an existing member of it, or none."""
    if dim.parent is None:
        return [
            doc.error(
                (*base, "members", j, "parent"),
                _(
                    "Member {code} of {dimension} has a 'parent', but the dimension has none.",
                    code=m.code,
                    dimension=dim.code,
                ),
            )
            for j, m in enumerate(dim.members)
            if m.parent is not None
        ]
    parent = by_code.get(dim.parent)
    if parent is None or parent.code == dim.code:
        return [
            doc.error(
                (*base, "parent"),
                _(
                    "Dimension {dimension}: its parent {parent} is not another dimension of "
                    "the plan.",
                    dimension=dim.code,
                    parent=dim.parent,
                ),
            )
        ]
    errors = []
    for j, member in enumerate(dim.members):
        if member.parent is None:
            message = _(
                "Member {code} of {dimension} needs a 'parent': the member of {parent} it "
                "belongs to.",
                code=member.code,
                dimension=dim.code,
                parent=parent.code,
            )
            errors.append(doc.error((*base, "members", j, "code"), message))
        elif member.parent not in parent.member_by_code:
            message = _(
                "Member {code} of {dimension} belongs to {member}, which is not a member of "
                "{parent}.",
                code=member.code,
                dimension=dim.code,
                member=member.parent,
                parent=parent.code,
            )
            errors.append(doc.error((*base, "members", j, "parent"), message))
    return errors
