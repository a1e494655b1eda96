"""The board pack: the presentation's content as a PDF or an editable PPTX, plus an appendix
with every objective's status, achievement and the technicians' comments.

``build_pack`` is what ``seguiment report`` and the app's download route call. Charts are the
app's own figure dicts rendered by one Chromium process (kaleido); progress is reported
through a callback (the CLI prints it on stderr).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from i18n import translator
from indicators.reporting import dashboard_data
from indicators.reporting.board import build_board
from indicators.reporting.board_model import Board
from indicators.reporting.pack.charts import ChartRenderError, render_charts
from plan_model.models import Plan, Thresholds
from plan_model.periods import Period

FORMATS = ("pdf", "pptx")
MIMETYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


@dataclass(frozen=True)
class Pack:
    filename: str
    content: bytes
    mimetype: str
    board: Board
    images: dict[str, bytes]  # the charts (PNG), by Chart.key


def render(board: Board, fmt: str, images: dict[str, bytes]) -> bytes:
    if fmt == "pdf":
        from indicators.reporting.pack.pdf import write_pdf

        return write_pdf(board, images)
    if fmt == "pptx":
        from indicators.reporting.pack.pptx import write_pptx

        return write_pptx(board, images)
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


def build_pack(
    engine: Engine,
    plan: Plan,
    period: Period | str,
    fmt: str = "pdf",
    *,
    since: Period | str | None = None,
    lang: str = "ca",
    deadline_days: int = 30,
    browser: str | Path | None = None,
    today: dt.date | None = None,
    thresholds: Thresholds | None = None,
    progress: Callable[[str], None] | None = None,
    accepted_only: bool = False,
) -> Pack:
    """Build the board pack for ``period`` in ``fmt`` (pdf or pptx); ``thresholds``: the
    settings' override of the catalog's global thresholds (as the app uses);
    ``accepted_only``: only the values the direction accepted (``BOARD_ACCEPTED_ONLY``)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    t = translator(lang)
    data = dashboard_data.load(
        engine,
        plan,
        deadline_days=deadline_days,
        thresholds=thresholds,
        accepted_only=accepted_only,
    )
    quarter = Period.parse(period)
    board = build_board(
        data,
        quarter,
        since=Period.parse(since) if since else None,
        lang=lang,
        today=today,
        progress=progress,
    )
    if progress:
        progress(t("Drawing {count} charts", count=len(board.charts)))
    images = render_charts(board.charts, browser=browser, progress=progress)
    if progress:
        progress(t("Writing the {format} file", format=fmt.upper()))
    content = render(board, fmt, images)
    name = f"informe-junta-{quarter}.{fmt}"
    return Pack(name, content, MIMETYPES[fmt], board, images)


__all__ = ["FORMATS", "MIMETYPES", "ChartRenderError", "Pack", "build_pack", "render"]
