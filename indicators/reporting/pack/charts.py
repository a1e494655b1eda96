"""Charts of the board pack, rendered server-side with kaleido and the system Chromium.

One browser process renders every figure of a pack (a cold start costs seconds; each further
figure a fraction of a second). The figures are the same plotly dicts the app shows, restyled
for print (larger type, thicker lines) without changing their data.
"""

from __future__ import annotations

import asyncio
import copy
import shutil
import threading
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from indicators.reporting.board_model import Chart

Progress = Callable[[str], None]

CHART_WIDTH = 1100
CHART_HEIGHT = 620
CHART_SCALE = 2.0


class ChartRenderError(RuntimeError):
    """The charts could not be rendered (no browser, or the browser failed)."""


def find_browser(configured: str | Path | None = None) -> str | None:
    """The Chromium executable: the configured one, else Debian's, else one on PATH."""
    candidates = [str(configured)] if configured else []
    candidates += ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
    for candidate in candidates:
        if Path(candidate).is_file():
            return candidate
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


_FONT_KEYS = ("font", "textfont", "tickfont", "titlefont")


def _scale_font(node: Any, factor: float, least: float | None = None) -> None:
    """Multiply every ``font.size`` / ``textfont.size`` in a figure dict, in place (to at least
    ``least`` points when given)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _FONT_KEYS and isinstance(value, dict):
                size = value.get("size")
                if isinstance(size, int | float):
                    value["size"] = max(round(size * factor, 1), least or 0)
            _scale_font(value, factor, least)
    elif isinstance(node, list):
        for item in node:
            _scale_font(item, factor, least)


def themed(
    figure: dict[str, Any],
    *,
    width: int,
    height: int,
    font_size: int,
    line_factor: float = 2.0,
    axis_titles: bool = True,
    min_font_size: float | None = None,
) -> dict[str, Any]:
    """A copy of ``figure`` sized and styled for a projector or a printed page.

    Type grows to ``font_size`` (other sizes in proportion, none under ``min_font_size`` when
    given: the projector's 28 px rule), lines and markers thicken, hover is switched off
    (nothing may depend on hovering). Data and colours stay as they are.
    """
    fig = copy.deepcopy(figure)
    layout = fig.setdefault("layout", {})
    base = (layout.get("font") or {}).get("size") or 14
    factor = font_size / float(base)
    _scale_font(layout, factor, min_font_size)
    for trace in fig.get("data", []):
        _scale_font(trace, factor, min_font_size)
        line = trace.get("line")
        if isinstance(line, dict) and isinstance(line.get("width"), int | float) and line["width"]:
            line["width"] = line["width"] * line_factor
        marker = trace.get("marker")
        if isinstance(marker, dict) and isinstance(marker.get("size"), int | float):
            marker["size"] = marker["size"] * line_factor * 0.8
        trace["hoverinfo"] = "skip"
        trace.pop("hovertemplate", None)
    for shape in layout.get("shapes", []) or []:
        line = shape.get("line")
        if isinstance(line, dict) and isinstance(line.get("width"), int | float):
            line["width"] = line["width"] * line_factor
    layout["font"] = {**(layout.get("font") or {}), "size": font_size}
    layout["width"] = width
    layout["height"] = height
    layout["hovermode"] = False
    margin = dict(layout.get("margin") or {})
    margin.update(
        {
            "l": max(int(margin.get("l", 60) * factor), 80),
            "b": max(int(margin.get("b", 48) * factor), 80),
            "r": max(int(margin.get("r", 16)), 24),
            "t": max(int(margin.get("t", 16) * factor), 24),
        }
    )
    layout["margin"] = margin
    if not axis_titles:  # a short chart: the tick labels carry the unit
        for name in ("xaxis", "yaxis"):
            axis = layout.get(name)
            if isinstance(axis, dict):
                axis.pop("title", None)
    legend = layout.get("legend")
    if isinstance(legend, dict):  # above the plot: the quarter labels need the space below
        legend.update(
            {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"}
        )
        margin["t"] = max(margin["t"], int(font_size * 2.4))
    xaxis = layout.get("xaxis")
    if isinstance(xaxis, dict) and xaxis.get("type") == "category":
        xaxis["automargin"] = True
    return fig


async def _render_all(
    figures: Sequence[tuple[str, dict[str, Any]]], browser: str, progress: Progress | None
) -> dict[str, bytes]:
    import kaleido  # heavy: import only when a pack is built

    images: dict[str, bytes] = {}
    if progress:
        progress("starting the browser")
    async with kaleido.Kaleido(path=browser, mathjax=False, timeout=120) as k:
        for i, (key, fig) in enumerate(figures, start=1):
            if progress:
                progress(f"chart {i}/{len(figures)}: {key}")
            opts = {
                "format": "png",
                "width": fig["layout"]["width"],
                "height": fig["layout"]["height"],
                "scale": CHART_SCALE,
            }
            images[key] = await k.calc_fig(fig, opts=opts)
    return images


def _run_async(make: Callable[[], Coroutine[Any, Any, dict[str, bytes]]]) -> dict[str, bytes]:
    """Run a coroutine to completion, also from a thread whose event loop is running (an
    async server, or a test process driving a browser with Playwright's sync API): then it
    runs in a short-lived thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(make())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=target, name="board-pack-charts")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    result: dict[str, bytes] = outcome["value"]
    return result


def render_charts(
    charts: Sequence[Chart],
    *,
    browser: str | Path | None = None,
    progress: Progress | None = None,
    width: int = CHART_WIDTH,
    height: int = CHART_HEIGHT,
    font_size: int = 22,
) -> dict[str, bytes]:
    """PNG bytes of every chart, keyed by ``Chart.key``, from ONE browser process."""
    if not charts:
        return {}
    path = find_browser(browser)
    if path is None:
        raise ChartRenderError(
            "No Chromium found to draw the charts (apt-get install chromium, or set CHROMIUM_PATH)."
        )
    figures = [
        (c.key, themed(c.figure, width=width, height=height, font_size=font_size)) for c in charts
    ]
    try:
        return _run_async(lambda: _render_all(figures, path, progress))
    except ChartRenderError:
        raise
    except Exception as exc:  # the browser failed: say so plainly
        raise ChartRenderError(f"The charts could not be drawn: {exc}") from exc
