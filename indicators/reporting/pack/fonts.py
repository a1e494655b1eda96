"""The pack's font, DejaVu Sans, and how wide a text set in it is.

Both renderings of the pack use DejaVu Sans (every Catalan character and every status glyph):
the PDF embeds it, the PPTX names it and LibreOffice or PowerPoint draw with it. The layout of the
PPTX cannot ask the reader's program how a text will wrap, so it measures with the font's own
metrics here (reportlab reads the TrueType widths) and sizes columns, rows and boxes so that no
word is broken and no text leaves its shape.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
# Without DejaVu the measures use Helvetica's, which are narrower: widen them by this much.
_FALLBACK_WIDENING = 1.12
_fonts: tuple[str, str] | None = None


def fonts() -> tuple[str, str]:
    """(regular, bold) font names: DejaVu Sans when installed, else Helvetica."""
    global _fonts
    if _fonts is not None:
        return _fonts
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
            pdfmetrics.registerFontFamily(
                "DejaVuSans",
                normal="DejaVuSans",
                bold="DejaVuSans-Bold",
                italic="DejaVuSans",
                boldItalic="DejaVuSans-Bold",
            )
            _fonts = ("DejaVuSans", "DejaVuSans-Bold")
            return _fonts
    _fonts = ("Helvetica", "Helvetica-Bold")
    return _fonts


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width in points of ``text`` on one line at ``size`` points."""
    regular, heavy = fonts()
    width = float(pdfmetrics.stringWidth(text, heavy if bold else regular, size))
    return width if regular == "DejaVuSans" else width * _FALLBACK_WIDENING


def widest_word(text: str, size: float, *, bold: bool = False) -> float:
    """The width in points of the widest word of ``text`` (what a column must hold unbroken)."""
    return max((text_width(word, size, bold=bold) for word in text.split()), default=0.0)


def line_count(text: str, width: float, size: float, *, bold: bool = False) -> int:
    """How many lines ``text`` takes when wrapped at word boundaries into ``width`` points."""
    total = 0
    space = text_width(" ", size, bold=bold)
    for paragraph in text.split("\n"):
        lines, used = 1, 0.0
        for word in paragraph.split():
            w = text_width(word, size, bold=bold)
            if used and used + space + w > width:
                lines, used = lines + 1, w
            else:
                used = used + space + w if used else w
        total += lines
    return max(total, 1)


def fitting_size(
    text: str, width: float, largest: float, smallest: float, *, bold: bool = False
) -> float:
    """The largest size (in whole points, at least ``smallest``) at which every line of ``text``
    fits on one line of ``width`` points."""
    size = largest
    longest = max(text.split("\n"), key=len, default="")
    while size > smallest and text_width(longest, size, bold=bold) > width:
        size -= 1
    return size
