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
from indicators.reporting.pack.fonts import fitting_size, line_count, text_width, widest_word

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
EMU_PER_PT = 12700
# A table cell's inner margins (PowerPoint's and LibreOffice's default: 0.1 in left and right,
# 0.05 in top and bottom) and the line height of DejaVu Sans (ascent + descent = 1.164 em).
CELL_PAD_X = 2 * 7.2
CELL_PAD_Y = 2 * 3.6
LINE_HEIGHT = 1.2
# LibreOffice sets some glyphs (the status icons) from fallback fonts and wraps a little
# earlier than the font's metrics say: measure lines against a slightly narrower width.
WRAP_SAFETY = 8.0
MAX_CELL_LINES = 3  # a column is wide enough for its longest cell in this many lines
NOTE_H = int(Inches(0.45))
FOOTER_H = int(Inches(0.4))


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
    heading = title or s.title
    width = SLIDE_W - 2 * MARGIN
    size = int(
        fitting_size(heading, width / EMU_PER_PT - CELL_PAD_X - WRAP_SAFETY, 30, 18, bold=True)
    )
    _text(slide, MARGIN, top, width, Inches(0.7), heading, size=size, bold=True, colour=NAVY)
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
        inner = (width - Inches(0.15)) / EMU_PER_PT - CELL_PAD_X - 4
        # Each line on one line: the box keeps its height whatever the language.
        lines = [
            (m.label, int(fitting_size(m.label, inner, 13, 9)), False, BLACK),
            (m.value, int(fitting_size(m.value, inner, 26, 12, bold=True)), True, NAVY),
        ]
        if m.status is not None:
            size = int(fitting_size(m.status.text, inner, 13, 9, bold=True))
            lines.append((m.status.text, size, True, BLACK))
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


def _minimum_widths(table: BoardTable, size: int) -> list[float]:
    """Each column's least width in points at ``size``: its widest word unbroken (the header in
    bold) and its longest cell in at most MAX_CELL_LINES lines."""
    rows = table.rows
    minimum = []
    for j, name in enumerate(table.columns):
        words = [widest_word(name, size, bold=True)]
        for row in rows:
            if j < len(row):
                text, bold = _cell_text(row[j]), row[j].status is not None
                words.append(widest_word(text, size, bold=bold))
                words.append(text_width(text, size, bold=bold) / MAX_CELL_LINES)
        minimum.append(max(words) + CELL_PAD_X + WRAP_SAFETY)
    return minimum


MIN_TABLE_SIZE = 8


def table_size(table: BoardTable, width: float, size: int) -> int:
    """The largest font size, at most ``size``, at which every column gets its least width."""
    while size > MIN_TABLE_SIZE and sum(_minimum_widths(table, size)) > width:
        size -= 1
    return size


def column_widths(table: BoardTable, width: float, size: int) -> list[float]:
    """Column widths in points: each at least its least width (:func:`_minimum_widths`), the
    rest of ``width`` shared by the table's relative widths. The whole table's rows count, so
    every slide a long table runs over has the same columns."""
    weights = table.widths or [1.0] * len(table.columns)
    minimum = _minimum_widths(table, size)
    spare = width - sum(minimum)
    if spare <= 0:
        return [width * m / sum(minimum) for m in minimum]
    total = sum(weights)
    shares = [width * w / total for w in weights]
    # Columns whose share is under their minimum get the minimum; the others share the rest.
    fixed = {j for j, (share, low) in enumerate(zip(shares, minimum, strict=True)) if share < low}
    while True:
        free = width - sum(minimum[j] for j in fixed)
        free_weight = sum(w for j, w in enumerate(weights) if j not in fixed)
        grow = {
            j
            for j, w in enumerate(weights)
            if j not in fixed and free * w / free_weight < minimum[j]
        }
        if not grow:
            break
        fixed |= grow
    return [
        minimum[j] if j in fixed else free * weights[j] / free_weight for j in range(len(weights))
    ]


def _style_run(run: Any, size: int, *, bold: bool, colour: Any) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = FONT
    run.font.color.rgb = colour


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
    size = table_size(table, width / EMU_PER_PT, size)
    widths = column_widths(table, width / EMU_PER_PT, size)
    heights = [_row_height([Cell(c) for c in table.columns], widths, size, bold=True)]
    heights += [_row_height(row, widths, size) for row in rows]
    shape = slide.shapes.add_table(
        len(rows) + 1, len(table.columns), left, top, width, Emu(int(sum(heights) * EMU_PER_PT))
    )
    grid = shape.table
    for i, w in enumerate(widths):
        grid.columns[i].width = Emu(int(w * EMU_PER_PT))
    for i, h in enumerate(heights):
        grid.rows[i].height = Emu(int(h * EMU_PER_PT))
    for j, name in enumerate(table.columns):
        cell = grid.cell(0, j)
        cell.text = name
        _style_run(cell.text_frame.paragraphs[0].runs[0], size, bold=True, colour=WHITE)
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
                _style_run(run, size, bold=value.status is not None, colour=BLACK)
            cell.fill.solid()
            cell.fill.fore_color.rgb = (
                _rgb(value.status.colour)
                if value.status is not None
                else (LIGHT if i % 2 == 0 else WHITE)
            )


def _row_height(row: list[Cell], widths: list[float], size: int, *, bold: bool = False) -> float:
    """A table row's height in points: its tallest cell wrapped into its column's width."""
    lines = 1
    for cell, width in zip(row, widths, strict=False):
        heavy = bold or cell.status is not None
        inner = width - CELL_PAD_X - WRAP_SAFETY
        lines = max(lines, line_count(_cell_text(cell), inner, size, bold=heavy))
    return lines * size * LINE_HEIGHT + CELL_PAD_Y + 2


def _chunks(
    table: BoardTable, width: int, size: int, max_rows: int, available: tuple[float, float]
) -> list[list[list[Cell]]]:
    """The table's rows split into slides: at most ``max_rows`` and ``available`` points each
    (the first slide's room, then the room of each slide that goes on)."""
    if not table.rows:
        return [[]]
    size = table_size(table, width / EMU_PER_PT, size)
    widths = column_widths(table, width / EMU_PER_PT, size)
    header = _row_height([Cell(c) for c in table.columns], widths, size, bold=True)
    chunks: list[list[list[Cell]]] = []
    current: list[list[Cell]] = []
    used = header
    for row in table.rows:
        height = _row_height(row, widths, size)
        room = available[0] if not chunks else available[1]
        if current and (len(current) >= max_rows or used + height > room):
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


def _header_bottom(s: Slide) -> int:
    """Where :func:`_header` ends for ``s``, in EMU (kicker, title, subtitle)."""
    return int(
        MARGIN
        + (Inches(0.4) if s.kicker else 0)
        + Inches(0.75)
        + (Inches(0.5) if s.subtitle else 0)
    )


def _notes_top(notes: list[str]) -> int:
    """Where :func:`_notes` starts (the room a table may not run into), in EMU."""
    return int(SLIDE_H - FOOTER_H - NOTE_H * (len(notes) + 0.3))


def _table_room(s: Slide) -> tuple[float, float]:
    """Points a table has on the slide's first part (under the metrics) and on the parts that
    go on, down to the notes, with a small gap."""
    bottom = _notes_top(s.notes) - Inches(0.1)
    first = _header_bottom(s) + (Inches(1.3) if s.metrics else 0)
    return (bottom - first) / EMU_PER_PT, (bottom - _header_bottom(s)) / EMU_PER_PT


def _content_slides(writer: _Writer, s: Slide, chart: bytes | None) -> None:
    """A slide with metrics, cards, a chart and a table; a long table goes on over the next
    slides ("(cont.)"), the notes come on the last one."""
    table_width = int((SLIDE_W - 2 * MARGIN) * (0.45 if chart is not None else 1))
    chunks = (
        _chunks(s.table, table_width, 12, TABLE_ROWS, _table_room(s))
        if s.table is not None
        else [[]]
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
    top = _notes_top(notes)
    width = SLIDE_W - 2 * MARGIN
    for note in notes:
        size = int(fitting_size(note, width / EMU_PER_PT - CELL_PAD_X, 14, 10))
        _text(slide, MARGIN, top, width, Inches(0.4), note, size=size)
        top += NOTE_H


def _appendix_room(s: Slide) -> tuple[float, float]:
    room = (SLIDE_H - FOOTER_H - Inches(0.15) - _header_bottom(s)) / EMU_PER_PT
    return room, room


def _appendix_slides(writer: _Writer) -> None:
    board = writer.board
    appendix_slide = Slide(kind="appendix", title=board.appendix_title)
    for part, rows in enumerate(
        _chunks(
            board.appendix, SLIDE_W - 2 * MARGIN, 10, APPENDIX_ROWS, _appendix_room(appendix_slide)
        )
    ):
        slide = writer.new_slide()
        title = board.appendix_title if part == 0 else f"{board.appendix_title} {board.continued}"
        top = _header(slide, appendix_slide, title)
        _table(slide, board.appendix, rows, MARGIN, top, SLIDE_W - 2 * MARGIN, size=10)
