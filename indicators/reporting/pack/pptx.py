"""The board pack as an editable PowerPoint (16:9): real text boxes and tables.

Titles, figures, labels and numbers are text the secretary can edit; only the charts are
pictures. Long tables go on over several slides ("(cont.)").
"""

from __future__ import annotations

import io
from typing import Any

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from indicators.reporting.board_model import Board, Card, Cell, Metric, Slide
from indicators.reporting.board_model import Table as BoardTable

_RGB: Any = RGBColor  # python-pptx is untyped
NAVY: Any = _RGB(0x0B, 0x25, 0x45)
LIGHT: Any = _RGB(0xF3, 0xF5, 0xF8)
WHITE: Any = _RGB(0xFF, 0xFF, 0xFF)
BLACK: Any = _RGB(0x11, 0x11, 0x11)
FONT = "DejaVu Sans"
SLIDE_W = int(Inches(13.333))
SLIDE_H = int(Inches(7.5))
MARGIN = int(Inches(0.5))
TABLE_ROWS = 9  # rows per slide before a table goes on over the next slide
APPENDIX_ROWS = 10
_TABLE_SPACE = 7.5 * 72 - 36 - 2.4 * 72  # points left for a table under title and metrics
_APPENDIX_SPACE = 7.5 * 72 - 36 - 1.3 * 72  # under the title only


def _rgb(hex_colour: str) -> Any:
    return _RGB.from_string(hex_colour.lstrip("#").upper()[:6])


def _text(
    slide: Any,
    left: int,
    top: int,
    width: int,
    height: int,
    text: str,
    *,
    size: int = 18,
    bold: bool = False,
    colour: RGBColor = BLACK,
    align: Any = None,
) -> Any:
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    lines = text.split("\n")
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = para.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = FONT
        run.font.color.rgb = colour
        if align is not None:
            para.alignment = align
    return box


def _header(slide: Any, s: Slide, title: str | None = None) -> int:
    top: int = MARGIN
    if s.kicker:
        _text(
            slide,
            MARGIN,
            top,
            SLIDE_W - 2 * MARGIN,
            Inches(0.4),
            s.kicker,
            size=14,
            bold=True,
            colour=NAVY,
        )
        top += Inches(0.4)
    _text(
        slide,
        MARGIN,
        top,
        SLIDE_W - 2 * MARGIN,
        Inches(0.7),
        title or s.title,
        size=30,
        bold=True,
        colour=NAVY,
    )
    top += Inches(0.75)
    if s.subtitle:
        _text(slide, MARGIN, top, SLIDE_W - 2 * MARGIN, Inches(0.45), s.subtitle, size=16)
        top += Inches(0.5)
    return int(top)


def _footer(slide: Any, board: Board, number: int) -> None:
    bar = slide.shapes.add_shape(1, 0, SLIDE_H - Inches(0.4), SLIDE_W, Inches(0.4))
    bar.fill.solid()
    bar.fill.fore_color.rgb = NAVY
    bar.line.fill.background()
    _text(
        slide,
        MARGIN,
        SLIDE_H - Inches(0.4),
        Inches(10),
        Inches(0.4),
        board.footer,
        size=11,
        colour=WHITE,
    )
    _text(
        slide,
        SLIDE_W - MARGIN - Inches(1),
        SLIDE_H - Inches(0.4),
        Inches(1),
        Inches(0.4),
        str(number),
        size=11,
        colour=WHITE,
        align=PP_ALIGN.RIGHT,
    )


def _write_lines(frame: Any, lines: list[tuple[str, int, bool, RGBColor]]) -> None:
    """One left-aligned paragraph per (text, size in points, bold, colour) in ``frame``."""
    for j, (text, size, bold, colour) in enumerate(lines):
        para = frame.paragraphs[0] if j == 0 else frame.add_paragraph()
        para.alignment = PP_ALIGN.LEFT
        run = para.add_run()
        run.text = text
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = FONT
        run.font.color.rgb = colour


def _metrics(slide: Any, metrics: list[Metric], top: int) -> int:
    width = (SLIDE_W - 2 * MARGIN) // len(metrics)
    height = Inches(1.1)
    for i, m in enumerate(metrics):
        left = MARGIN + i * width
        box = slide.shapes.add_shape(1, left, top, width - Inches(0.15), height)
        box.fill.solid()
        box.fill.fore_color.rgb = LIGHT
        box.line.color.rgb = NAVY
        box.line.width = Pt(2)
        frame = box.text_frame
        frame.word_wrap = True
        lines = [(m.label, 13, False, BLACK), (m.value, 26, True, NAVY)]
        if m.status is not None:
            lines.append((m.status.text, 13, True, BLACK))
        _write_lines(frame, lines)
    return int(top + height + Inches(0.2))


def _cards(slide: Any, cards: list[Card], top: int) -> int:
    gap = Inches(0.15)
    width = (SLIDE_W - 2 * MARGIN - gap * (len(cards) - 1)) // len(cards)
    height = SLIDE_H - top - Inches(0.7)
    for i, c in enumerate(cards):
        left = MARGIN + i * (width + gap)
        stripe = slide.shapes.add_shape(1, left, top, width, Inches(0.15))
        stripe.fill.solid()
        stripe.fill.fore_color.rgb = _rgb(c.status.colour)
        stripe.line.fill.background()
        box = slide.shapes.add_shape(1, left, top + Inches(0.15), width, height)
        box.fill.background()
        box.line.color.rgb = NAVY
        box.line.width = Pt(2)
        frame = box.text_frame
        frame.word_wrap = True
        frame.vertical_anchor = MSO_ANCHOR.TOP
        lines = [
            (c.title, 15, True, NAVY),
            (c.subtitle, 12, False, BLACK),
            (c.value, 30, True, NAVY),
            (c.status.text, 14, True, BLACK),
            *[(line, 12, False, BLACK) for line in c.lines],
        ]
        _write_lines(frame, lines)
    return int(top + height)


def _cell_text(cell: Cell) -> str:
    return cell.status.text if cell.status is not None else cell.text


def _table(
    slide: Any,
    table: BoardTable,
    rows: list[list[Cell]],
    left: int,
    top: int,
    width: int,
    *,
    size: int = 12,
) -> None:
    shape = slide.shapes.add_table(
        len(rows) + 1, len(table.columns), left, top, width, Inches(0.4) * (len(rows) + 1)
    )
    grid = shape.table
    weights = table.widths or [1.0] * len(table.columns)
    total = sum(weights)
    for i, w in enumerate(weights):
        grid.columns[i].width = Emu(int(width * w / total))
    for j, name in enumerate(table.columns):
        cell = grid.cell(0, j)
        cell.text = name
        para = cell.text_frame.paragraphs[0]
        para.runs[0].font.size = Pt(size)
        para.runs[0].font.bold = True
        para.runs[0].font.name = FONT
        para.runs[0].font.color.rgb = WHITE
        cell.fill.solid()
        cell.fill.fore_color.rgb = NAVY
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            cell = grid.cell(i, j)
            cell.text = _cell_text(value)
            para = cell.text_frame.paragraphs[0]
            if value.number:
                para.alignment = PP_ALIGN.RIGHT
            for run in para.runs:
                run.font.size = Pt(size)
                run.font.name = FONT
                run.font.color.rgb = BLACK
                run.font.bold = value.status is not None
            cell.fill.solid()
            cell.fill.fore_color.rgb = (
                _rgb(value.status.colour)
                if value.status is not None
                else (LIGHT if i % 2 == 0 else WHITE)
            )


def _row_height(row: list[Cell], widths: list[float], size: int) -> float:
    """An estimate of a table row's height in points (PowerPoint grows rows to fit text)."""
    lines = 1
    for cell, width in zip(row, widths, strict=False):
        chars_per_line = max(4, int((width / 12700 - 10) / (size * 0.55)))
        text = cell.status.text if cell.status is not None else cell.text
        count = sum(max(1, -(-len(part) // chars_per_line)) for part in text.split("\n"))
        lines = max(lines, count)
    return lines * size * 1.2 + 8


def _chunks(
    table: BoardTable, width: int, size: int, max_rows: int, available: float
) -> list[list[list[Cell]]]:
    """The table's rows split into slides: at most ``max_rows`` and ``available`` points each."""
    if not table.rows:
        return [[]]
    weights = table.widths or [1.0] * len(table.columns)
    total = sum(weights)
    widths = [width * w / total for w in weights]
    header = _row_height([Cell(c) for c in table.columns], widths, size)
    chunks: list[list[list[Cell]]] = []
    current: list[list[Cell]] = []
    used = header
    for row in table.rows:
        height = _row_height(row, widths, size)
        if current and (len(current) >= max_rows or used + height > available):
            chunks.append(current)
            current, used = [], header
        current.append(row)
        used += height
    chunks.append(current)
    return chunks


class _Writer:
    """The presentation being written, numbering its slides (the footer shows the number)."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self.prs = Presentation()
        self.prs.slide_width = Emu(SLIDE_W)
        self.prs.slide_height = Emu(SLIDE_H)
        self.prs.core_properties.title = f"{board.plan_name} · {board.period}"
        self.prs.core_properties.author = board.organisation
        self.prs.core_properties.language = board.lang
        self.number = 0

    def new_slide(self) -> Any:
        self.number += 1
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[6])  # blank
        _footer(slide, self.board, self.number)
        return slide

    def save(self) -> bytes:
        out = io.BytesIO()
        self.prs.save(out)
        return out.getvalue()


def write_pptx(board: Board, images: dict[str, bytes]) -> bytes:
    """The PPTX bytes of the pack: the slides, then the appendix over as many slides as needed."""
    writer = _Writer(board)
    for s in board.slides:
        if s.kind == "title":
            _title_slide(writer.new_slide(), s)
        else:
            _content_slides(writer, s, images.get(s.chart.key) if s.chart else None)
    _appendix_slides(writer)
    return writer.save()


def _title_slide(slide: Any, s: Slide) -> None:
    """White on navy: kicker, title, subtitle, the headline figures, the notes."""
    bg = slide.shapes.add_shape(1, 0, 0, SLIDE_W, SLIDE_H - Inches(0.4))
    bg.fill.solid()
    bg.fill.fore_color.rgb = NAVY
    bg.line.fill.background()
    width = SLIDE_W - 2 * MARGIN
    _text(slide, MARGIN, Inches(1.0), width, Inches(0.5), s.kicker, size=20, colour=WHITE)
    _text(slide, MARGIN, Inches(1.6), width, Inches(1.8), s.title, size=38, bold=True, colour=WHITE)
    _text(slide, MARGIN, Inches(3.5), width, Inches(0.6), s.subtitle, size=22, colour=WHITE)
    top = int(Inches(4.4))
    if s.metrics:
        top = _metrics(slide, s.metrics, top)
    for note in s.notes:
        _text(slide, MARGIN, top, width, Inches(0.4), note, size=16, colour=WHITE)
        top += Inches(0.4)


def _content_slides(writer: _Writer, s: Slide, chart: bytes | None) -> None:
    """A slide with metrics, cards, a chart and a table; a long table goes on over the next
    slides ("(cont.)"), the notes come on the last one."""
    table_width = int((SLIDE_W - 2 * MARGIN) * (0.45 if chart is not None else 1))
    chunks = (
        _chunks(s.table, table_width, 12, TABLE_ROWS, _TABLE_SPACE) if s.table is not None else [[]]
    )
    for part, rows in enumerate(chunks):
        slide = writer.new_slide()
        top = _header(slide, s, s.title if part == 0 else f"{s.title} {writer.board.continued}")
        width = SLIDE_W - 2 * MARGIN
        if part == 0:
            if s.metrics:
                top = _metrics(slide, s.metrics, top)
            if s.cards:
                top = _cards(slide, s.cards, top)
            if chart is not None:
                width = _picture(slide, chart, top, beside_table=s.table is not None)
        if s.table is not None:
            if rows:
                _table(slide, s.table, rows, MARGIN, top, width)
            elif s.table.empty_text:
                _text(slide, MARGIN, top, width, Inches(0.6), s.table.empty_text, size=18)
        if part == len(chunks) - 1:
            _notes(slide, s.notes)


def _picture(slide: Any, chart: bytes, top: int, *, beside_table: bool) -> int:
    """The chart: right of the table (the table's width is returned) or on its own."""
    width = SLIDE_W - 2 * MARGIN
    if not beside_table:
        slide.shapes.add_picture(io.BytesIO(chart), MARGIN, top, height=SLIDE_H - top - Inches(0.6))
        return width
    table_width = int(width * 0.45)
    pic = slide.shapes.add_picture(
        io.BytesIO(chart),
        MARGIN + table_width + Inches(0.2),
        top,
        width=width - table_width - Inches(0.2),
    )
    max_h = SLIDE_H - top - Inches(0.6)
    if pic.height > max_h:
        ratio = max_h / pic.height
        pic.height = Emu(int(max_h))
        pic.width = Emu(int(pic.width * ratio))
    return table_width


def _notes(slide: Any, notes: list[str]) -> None:
    top: float = SLIDE_H - Inches(0.4) - Inches(0.45) * (len(notes) + 0.3)
    for note in notes:
        _text(slide, MARGIN, int(top), SLIDE_W - 2 * MARGIN, Inches(0.4), note, size=14)
        top += Inches(0.45)


def _appendix_slides(writer: _Writer) -> None:
    board = writer.board
    appendix_slide = Slide(kind="appendix", title=board.appendix_title)
    for part, rows in enumerate(
        _chunks(board.appendix, SLIDE_W - 2 * MARGIN, 10, APPENDIX_ROWS, _APPENDIX_SPACE)
    ):
        slide = writer.new_slide()
        title = board.appendix_title if part == 0 else f"{board.appendix_title} {board.continued}"
        top = _header(slide, appendix_slide, title)
        _table(slide, board.appendix, rows, MARGIN, top, SLIDE_W - 2 * MARGIN, size=10)
