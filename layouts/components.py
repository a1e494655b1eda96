"""Building blocks shared by the pages: request context, URLs, status badges, figures.

A page's layout is a function of its URL: ``PageContext.from_query`` reads the language
(``?lang=es``, else the ``lang`` cookie, else Catalan) and the quarter (``?t=2025-T3``, else
the latest quarter with data) and gives the data of the request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any, TypeAlias, TypeVar
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html
from flask import has_request_context, request

from i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    format_date,
    format_percent,
    normalise_language,
    translator,
)
from indicators.reporting import dashboard_data
from indicators.reporting.numbers import clean_number
from indicators.storage.engine import get_engine
from layouts.figures import STATUS_COLOURS
from plan_model import status as engine_status
from plan_model import status_types as st
from plan_model.models import Plan
from plan_model.periods import Period, text_label
from web.context import current_settings, plan_for_quarter

APP_NAME = "Seguiment del Pla"
STATUSES = ("green", "amber", "red", "grey")
GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}
Level: TypeAlias = st.LevelResult  # a plan, lever, axis or objective result
Container: TypeAlias = st.PlanStatus | st.LeverResult | st.AxisResult  # holds objectives
T = TypeVar("T")


@lru_cache(maxsize=4096)
def _short_datetime(moment: dt.datetime, lang: str) -> str:
    return format_date(moment, lang, "short")


def short_datetime(value: Any, lang: str) -> str:
    """A timestamp (pandas or datetime, NaT/None → "–") as a short local date and time;
    memoised: a page repeats the same upload times many times."""
    moment = as_datetime(value)
    return "–" if moment is None else _short_datetime(moment, lang)


def attrs(**kwargs: Any) -> dict[str, Any]:
    """HTML attributes with dashes (``aria_label=`` → ``aria-label``) for Dash components."""
    return {name.replace("_", "-"): value for name, value in kwargs.items()}


def as_datetime(value: Any) -> dt.datetime | None:
    """A pandas timestamp (or NaT/None) as a datetime for ``format_date``."""
    if value is None or pd.isna(value):
        return None
    moment = pd.Timestamp(value).to_pydatetime()
    return moment if isinstance(moment, dt.datetime) else None


def request_language(query: Mapping[str, Any] | None = None) -> str:
    """``?lang=`` of the page, else the ``lang`` cookie, else Catalan."""
    lang = (query or {}).get("lang")
    if not lang and has_request_context():
        lang = request.args.get("lang") or request.cookies.get("lang")
    return normalise_language(lang or DEFAULT_LANGUAGE)


@dataclass(frozen=True)
class _NoticeData(dashboard_data.DashboardData):
    """The data of a page whose ``?t=`` is not shown: the same caches, but rendered pages
    (``memo``) apart, since they carry the unknown-quarter notice."""

    def memo(self, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        return super().memo(("unknown-period", *key), compute)


APPROVED = "aprovada"  # ``?versio=aprovada``: the figures with the plan as approved (issue 18)


@dataclass
class PageContext:
    """Everything a page needs about its request."""

    lang: str
    period: Period
    data: dashboard_data.DashboardData
    plan: Plan
    query: dict[str, str] = field(default_factory=dict)
    path: str = "/"
    unknown_period: str | None = None  # ``?t=`` asked for a quarter not shown (unknown, outside)

    @property
    def t(self) -> Callable[..., str]:
        return translator(self.lang)

    @classmethod
    def from_query(
        cls, query: Mapping[str, Any], path: str = "/", *, board: bool = False
    ) -> PageContext:
        """The context of a page at ``path`` for its URL ``query``; ``board``: a board view
        (``/sessio``), which shows only accepted values when ``BOARD_ACCEPTED_ONLY`` is set."""
        settings = current_settings()
        plan = plan_for_quarter()  # the plan now (issue 18): its quarters, extensions too
        engine = get_engine(settings.database_url)
        thresholds = dashboard_data.settings_thresholds(settings, plan)

        def load(plan: Plan) -> dashboard_data.DashboardData:
            return dashboard_data.load(
                engine,
                plan,
                thresholds=thresholds,
                deadline_days=settings.submission_deadline_days,
                accepted_only=board and settings.board_accepted_only,
            )

        data = load(plan)
        lang = request_language(query)
        asked = str(query.get("t") or "").strip()
        period = data.resolve_period(asked or None)
        # the quarter's status is computed with the version in force then (``?versio=aprovada``:
        # the plan as approved, before any amendment)
        governing = plan_for_quarter(period, as_approved=query.get("versio") == APPROVED)
        if (governing.version, governing.last_period) != (plan.version, plan.last_period):
            plan, data = governing, load(governing)
        unknown = asked if asked and Period.try_parse(asked) != period else None
        if unknown:  # the page's cached layout has no notice: cache this one apart
            data = _NoticeData(**{f.name: getattr(data, f.name) for f in fields(data)})
        clean = {k: str(v) for k, v in query.items() if isinstance(v, str | int) and v != ""}
        return cls(
            lang=lang,
            period=period,
            data=data,
            plan=plan,
            query=clean,
            path=path,
            unknown_period=unknown,
        )

    def href(self, path: str, *, keep: Sequence[str] = (), **params: str | None) -> str:
        """A link inside the app that keeps the quarter and language (and ``keep`` filters)."""
        query: dict[str, str] = {"t": str(self.period)}
        if self.lang != DEFAULT_LANGUAGE:
            query["lang"] = self.lang
        for name in keep:
            if self.query.get(name):
                query[name] = self.query[name]
        for name, value in params.items():
            if value is None or value == "":
                query.pop(name, None)
            else:
                query[name] = value
        return f"{path}?{urlencode(query)}"


def status_label(status: str, lang: str, *, insufficient: bool = False) -> str:
    return st.status_label(status, lang, insufficient=insufficient)


def status_icon(status: str) -> str:
    return st.STATUS_ICONS[st.Status(status)]


def status_badge(
    status: str | None, lang: str, *, size: str = "", insufficient: bool = False
) -> html.Span:
    """Status as icon + label on its colour: never colour alone."""
    key = status if status in STATUSES else "grey"
    return html.Span(
        [
            html.Span(status_icon(key), className="status-icon", **attrs(aria_hidden="true")),
            " ",
            status_label(key, lang, insufficient=insufficient),
        ],
        className=f"status-badge status-{key} {size}".strip(),
    )


def indicator_badge(result: st.IndicatorResult, lang: str) -> html.Span:
    """:func:`status_badge` of an indicator's light with the indicator's own wording
    (``plan_model.status_types.indicator_status_label``): «Fora del termini previst» for an
    overdue milestone, «Desviació» for a ``maintain`` indicator off its value..."""
    key = str(result.status) if str(result.status) in STATUSES else "grey"
    return html.Span(
        [
            html.Span(status_icon(key), className="status-icon", **attrs(aria_hidden="true")),
            " ",
            st.indicator_status_label(result, lang),
        ],
        className=f"status-badge status-{key}",
    )


def level_badge(level: Level, lang: str) -> html.Span:
    """:func:`status_badge` of a plan, lever, axis or objective result: a grey level with
    too little data says «Dades insuficients»."""
    return status_badge(str(level.status), lang, insufficient=level.insufficient_data)


def trend_text(trend: str | None, lang: str) -> str:
    key = st.Trend(trend) if trend in set(st.Trend) else st.Trend.UNKNOWN
    return f"{st.TREND_ICONS[key]} {st.trend_label(key, lang)}"


def percent(value: float | None, lang: str) -> str:
    return format_percent(clean_number(value), lang)


def achievement_bar(value: float | None, lang: str, status: str | None = None) -> html.Div:
    """A bar with the number written next to it: 100 % fills it; above, the share over the
    target is hatched at its right end (as the lever grid's ``AchievementBar``)."""
    number = clean_number(value)
    shown = 0.0 if number is None else max(0.0, number)
    width = min(shown, 1.0) * 100
    over = (min(shown, 2.0) - 1.0) / min(shown, 2.0) * 100 if shown > 1.0 else 0.0
    key = status if status in STATUSES else "grey"
    return html.Div(
        [
            html.Div(
                html.Div(
                    [html.Div(className="bar-over", style={"width": f"{over:.0f}%"})]
                    if over > 0
                    else [],
                    className="bar-fill",
                    style={"width": f"{width:.0f}%", "backgroundColor": STATUS_COLOURS[key]},
                ),
                className="bar-track",
                **attrs(aria_hidden="true"),
            ),
            html.Span(percent(number, lang), className="bar-text"),
        ],
        className="achievement-bar",
    )


def graph(
    figure: dict[str, Any],
    summary: str,
    *,
    graph_id: str | None = None,
    class_name: str = "",
    height: int | None = None,
) -> html.Figure:
    """A chart with its text alternative (``aria-label`` and a visually hidden caption)."""
    style = {"height": f"{height}px"} if height else None
    props: dict[str, Any] = {"figure": figure, "config": GRAPH_CONFIG}
    if graph_id:
        props["id"] = graph_id
    if style:
        props["style"] = style
    return html.Figure(
        [dcc.Graph(**props), html.Figcaption(summary, className="visually-hidden")],
        className=f"chart {class_name}".strip(),
        role="group",
        **attrs(aria_label=summary),
    )


def language_switch(ctx: PageContext) -> html.Nav:
    t = ctx.t
    items = []
    for code, name in LANGUAGES.items():
        href = ctx.href(ctx.path, keep=tuple(ctx.query), lang=code)  # explicit: beats the cookie
        if code == ctx.lang:
            items.append(
                html.Li(
                    html.Span(
                        [
                            name,
                            html.Span(f" ({t('current language')})", className="visually-hidden"),
                        ],
                        className="lang-current",
                        lang=code,
                    )
                )
            )
        else:
            items.append(
                html.Li(html.A(name, href=href, lang=code, hrefLang=code, className="lang-link"))
            )
    return html.Nav(
        html.Ul(items, className="lang-list"),
        className="lang-switch",
        **attrs(aria_label=t("Language")),
    )


def quarter_selector(ctx: PageContext) -> html.Div:
    t = ctx.t
    with_data = {str(p) for p in ctx.data.periods_with_data()}
    options = []
    for period in reversed(ctx.data.plan_periods()):
        label = str(period) if str(period) in with_data else f"{period} ({t('no data')})"
        options.append({"label": label, "value": str(period)})
    return html.Div(
        [
            html.Label(t("Quarter"), htmlFor="quarter-select", className="quarter-label"),
            dbc.Select(
                id="quarter-select",
                options=options,
                value=str(ctx.period),
                size="sm",
                className="quarter-dropdown",
            ),
        ],
        className="quarter-selector",
    )


NAV_ITEMS: list[tuple[str, str]] = [
    ("/", "Overview"),
    ("/palanca/1", "Lever 1"),
    ("/palanca/2", "Lever 2"),
    ("/palanca/3", "Lever 3"),
    ("/palanca/4", "Lever 4"),
    ("/palanca/5", "Lever 5"),
    ("/lliuraments", "Submissions"),
    ("/canvis", "Changes"),
    ("/pla", "The plan"),
    ("/objectius", "Objectives"),
    ("/territori", "Territory"),  # issue 14: the ABSS side by side
    ("/sessio", "Board session"),
    ("/avaluacio", "Final evaluation"),  # issue 18: the plan's final evaluation
]


def navigation(ctx: PageContext, active: str) -> html.Nav:
    t = ctx.t
    items = []
    for path, label in NAV_ITEMS:
        is_active = path == active
        children: list[Any] = [t(label)]
        if is_active:
            children.append(html.Span(f" ({t('current page')})", className="visually-hidden"))
        items.append(
            html.Li(
                dcc.Link(
                    children,
                    href=ctx.href(path),
                    className="nav-link active" if is_active else "nav-link",
                ),
                className="nav-item",
            )
        )
    return html.Nav(
        html.Ul(items, className="main-nav-list"),
        className="main-nav",
        **attrs(aria_label=t("Main navigation")),
    )


def menu_toggle(ctx: PageContext) -> html.Button:
    """The phone menu button: opens and closes the navigation (``layouts.shell``'s clientside
    callback toggles ``nav-open`` on ``#app-header``; hidden on wider screens by the CSS)."""
    return html.Button(
        [html.Span(className="nav-toggle-icon", **attrs(aria_hidden="true")), ctx.t("Menu")],
        id="nav-toggle",
        type="button",
        n_clicks=0,
        className="nav-toggle",
        **attrs(aria_controls="app-header", aria_expanded="false"),
    )


def print_button(ctx: PageContext) -> html.Div:
    """The "PDF" button: opens the browser's print dialog (save as PDF), through the clientside
    callback of ``layouts.shell.register_page_buttons``; the print stylesheet lays out A4."""
    return html.Div(
        [
            html.Button(
                ctx.t("PDF"),
                id="print-button",
                type="button",
                n_clicks=0,
                className="btn btn-outline-secondary btn-sm print-button",
                title=ctx.t("Print this page or save it as PDF"),
            ),
            html.Span(id="print-sink", hidden=True),
        ],
        className="page-actions",
    )


def frame(
    ctx: PageContext, *, active: str, title: str, children: Sequence[Any], subtitle: Any = None
) -> html.Div:
    """The page frame: header (name, navigation, quarter, language), main, footer. (The skip
    link to ``#main-content`` comes first in the app's layout, before the account bar.)"""
    t = ctx.t
    header = html.Header(
        [
            html.Div(
                [
                    html.Div(
                        [
                            dcc.Link(APP_NAME, href=ctx.href("/"), className="app-name"),
                            html.Span(ctx.plan.info.name, className="plan-name"),
                        ],
                        className="brand",
                    ),
                    menu_toggle(ctx),
                    html.Div(
                        [quarter_selector(ctx), language_switch(ctx)], className="header-tools"
                    ),
                ],
                className="header-top",
            ),
            navigation(ctx, active),
        ],
        id="app-header",
        className="app-header",
    )
    main = html.Main(
        [
            html.H1(title, className="page-title"),
            *([html.P(subtitle, className="page-subtitle")] if subtitle else []),
            *([unknown_period_notice(ctx)] if ctx.unknown_period else []),
            *children,
        ],
        id="main-content",
        tabIndex="-1",
        className="app-main",
    )
    footer = html.Footer(
        html.P(
            [
                ctx.plan.info.organisation,
                " · ",
                t("Data shown: {period}", period=text_label(ctx.period, ctx.lang)),
            ]
        ),
        className="app-footer",
    )
    return html.Div(
        [header, main, footer, dcc.Store(id="page-lang", data=ctx.lang)],
        className="page",
        lang=ctx.lang,
    )


def unknown_period_notice(ctx: PageContext) -> html.P:
    """The notice of a ``?t=`` the page cannot show (unknown or outside the plan): a shared
    link never shows other data without saying so."""
    return html.P(
        ctx.t(
            "The quarter {asked} is not in the plan or has no valid form: "
            "showing {period} instead.",
            asked=str(ctx.unknown_period or "")[:20],
            period=text_label(ctx.period, ctx.lang),
        ),
        id="unknown-period-notice",
        className="alert alert-warning unknown-period",
        role="alert",
    )


def download_links(ctx: PageContext, path: str, query: Mapping[str, str] | None = None) -> html.P:
    """The "CSV" and "XLSX" links of what a table shows (``path`` answers both formats; the
    quarter, the language and ``query`` go with them)."""
    base = {k: v for k, v in {"t": str(ctx.period), "lang": ctx.lang, **(query or {})}.items() if v}
    links: list[Any] = [html.Span(ctx.t("Download:"), className="download-label"), " "]
    for fmt in ("csv", "xlsx"):
        links.append(
            html.A(
                fmt.upper(),
                href=f"{path}?{urlencode({**base, 'format': fmt})}",
                className=f"btn btn-outline-secondary btn-sm download-{fmt}",
                title=ctx.t("Download what this table shows ({format})", format=fmt.upper()),
                **attrs(data_download=fmt),
            )
        )
        links.append(" ")
    return html.P(links, className="table-downloads")


def no_data_note(text: str) -> html.P:
    return html.P(text, className="no-data-note")


def _callback_language() -> str:
    """The language of the page being routed (inside the pages router callback or index)."""
    try:
        import dash

        search = dash.callback_context.inputs.get("_pages_location.search") or ""
    except Exception:  # noqa: BLE001 - dash raises various errors outside a callback: initial HTML
        search = ""
    if search:
        from urllib.parse import parse_qs

        values = parse_qs(search.lstrip("?")).get("lang")
        if values:
            return normalise_language(values[0])
    return request_language()


def page_title(msgid: str) -> Callable[..., str]:
    """A Dash Pages ``title`` callable: the page's name in the page's language."""

    def title(**path_variables: str) -> str:
        lang = _callback_language()
        return f"{translator(lang)(msgid, **path_variables)} · {APP_NAME}"

    return title


def objectives_by_status(level: Container) -> dict[str, int]:
    """How many objectives of the plan, a lever or an axis are in each status."""
    return engine_status.objective_counts(engine_status.objectives_of(level))


def objectives_with_data(level: Container, lang: str) -> html.Span:
    """``Objectius amb dades: 53 de 58 (91 %)`` for the plan, a lever or an axis."""
    found = engine_status.objectives_with_data(engine_status.objectives_of(level))
    return html.Span(
        [translator(lang)("Objectives with data"), ": ", html.Strong(found.text(lang))],
        className="objectives-with-data",
    )


def counts_list(counts: Mapping[str, int], lang: str, *, what: str) -> html.Ul:
    """Counts per status as text with icon and label (e.g. "✔ En bon camí: 5")."""
    items = [
        html.Li(
            [
                html.Span(
                    status_icon(s), className=f"count-icon status-{s}", **attrs(aria_hidden="true")
                ),
                f" {status_label(s, lang)}: ",
                html.Strong(str(counts.get(s, 0))),
            ],
            className="status-count",
        )
        for s in STATUSES
    ]
    return html.Ul(items, className="status-counts", **attrs(aria_label=what))
