"""The versions of the plan on a page (issue 18): revised targets and the list of amendments.

A target an amendment changed reads «meta revisada el 6 de desembre de 2026 (abans 80)» next
to it, where the version shown governs the page's quarter (the plan as approved, with
``?versio=aprovada``, shows its own targets and no mark). The objective page lists the
amendments of the plan: when each was recorded, the quarter it governs from, why and who
approved it. The versions come from :mod:`indicators.storage.plan_versions`; the rule of
which changed what, from :func:`plan_model.versions.target_revisions`.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from i18n import format_date, format_number
from indicators.storage.plan_versions import stored_versions
from layouts import components as c
from plan_model.models import Indicator
from plan_model.periods import local_today, period_label
from plan_model.versions import AMENDMENT, PlanVersion, TargetRevision, target_revisions
from web.context import current_plan


def _versions(ctx: c.PageContext) -> list[PlanVersion]:
    return stored_versions(ctx.data.engine, current_plan())


def revisions_in_force(ctx: c.PageContext) -> list[TargetRevision]:
    """The target revisions in force at the page's quarter (none for the plan as approved)."""
    if ctx.plan.version == 0:
        return []

    def compute() -> list[TargetRevision]:
        found = target_revisions(current_plan(), _versions(ctx))
        return [r for r in found if r.effective <= ctx.period]

    return ctx.data.memo(("target-revisions", str(ctx.period), ctx.plan.version), compute)


def _number(value: float | None, lang: str) -> str:
    return "–" if value is None else format_number(value, lang)


def targets_text(ctx: c.PageContext, ind: Indicator, revisions: list[TargetRevision]) -> Any:
    """The indicator's year targets (``2022: 50 · 2023: 60``), each one an amendment revised
    followed by «meta revisada el … (abans …)»."""
    latest = {r.year: r for r in revisions if r.indicator == ind.code}
    parts: list[Any] = []
    for year, value in sorted((ind.targets or {}).items()):
        if parts:
            parts.append(" · ")
        parts.append(f"{year}: {_number(value, ctx.lang)}")
        revision = latest.get(year)
        if revision is not None:
            parts.append(
                html.Span(
                    " — "
                    + ctx.t(
                        "target revised on {date} (before: {before})",
                        date=format_date(local_today(revision.recorded_at), ctx.lang, "long"),
                        before=_number(revision.before, ctx.lang),
                    ),
                    className="target-revised",
                    **c.attrs(data_version=str(revision.version)),
                )
            )
    return parts


def _row(ctx: c.PageContext, version: PlanVersion) -> html.Tr:
    return html.Tr(
        [
            html.Td(format_date(local_today(version.recorded_at), ctx.lang, "long")),
            html.Td(period_label(version.effective, ctx.lang)),
            html.Td(version.reason),
            html.Td(version.approved_by or "–"),
        ],
        **c.attrs(data_version=str(version.number)),
    )


def amendments_panel(ctx: c.PageContext) -> list[Any]:
    """The plan's amendments as a table (nothing when it has none)."""
    amendments = [v for v in _versions(ctx) if v.kind == AMENDMENT]
    if not amendments:
        return []
    t = ctx.t
    head = html.Tr(
        [
            html.Th(t(label), scope="col")
            for label in ("Recorded on", "Governs from", "Reason", "Approved by")
        ]
    )
    approved = ctx.query.get("versio") == c.APPROVED
    note = (
        t("These figures use the plan as approved, before any amendment.")
        if approved
        else t("Each quarter's figures use the version of the plan in force in that quarter.")
    )
    switch = (
        dcc.Link(t("See the figures with the plan in force"), href=ctx.href(ctx.path))
        if approved
        else dcc.Link(
            t("See the figures with the plan as approved"),
            href=ctx.href(ctx.path, versio=c.APPROVED),
        )
    )
    return [
        html.Section(
            [
                html.H2(t("Amendments of the plan"), id="plan-amendments-title"),
                html.P([note, " ", switch]),
                html.Table(
                    [html.Thead(head), html.Tbody([_row(ctx, v) for v in amendments])],
                    className="table",
                ),
            ],
            id="plan-amendments",
            className="panel plan-amendments",
            **c.attrs(aria_labelledby="plan-amendments-title"),
        )
    ]
