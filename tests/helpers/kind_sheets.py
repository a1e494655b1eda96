"""Workbooks whose cells show spreadsheet errors or percentages, as Excel and LibreOffice save them.

In the ``rows`` given, a cell ``Err("#DIV/0!")`` is an error cell (a formula's cached error
with ``formula=True``) and ``Pct(0.815)`` a number in a cell formatted as a percentage. The
builders write them as each application does: ``.xlsx`` ``<c t="e">`` and a style with a
percentage number format; ``.xls`` ``BOOLERR`` / ``FORMULA`` records with an error result and
an XF with a percentage ``FORMAT``; ``.ods`` ``calcext:value-type="error"`` (with the cached
number LibreOffice keeps, 0) and ``office:value-type="percentage"``.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tests.helpers.sheet_builders import ods_bytes


@dataclass(frozen=True)
class Err:
    """An error cell: its text, and whether a formula computed it (its cached result)."""

    text: str
    formula: bool = False


@dataclass(frozen=True)
class Pct:
    """A number in a cell formatted as a percentage (``number_format``)."""

    value: float
    number_format: str = "0.0%"


_XLS_CODES = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D}
_XLS_CODES |= {"#NUM!": 0x24, "#N/A": 0x2A}


def xlsx_with_kinds(rows: Sequence[Sequence[Any]], *, sheet: str = "Dades") -> bytes:
    """An ``.xlsx`` of ``rows``; formula errors get ``<f>`` and their cached ``<v>`` error."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    formulas: dict[str, str] = {}
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(value, Err):
                ref = f"{get_column_letter(c)}{r}"
                if value.formula:
                    cell.value = "=1/0"
                    formulas[ref] = value.text
                else:
                    cell.value = value.text  # openpyxl writes an error text as t="e"
            elif isinstance(value, Pct):
                cell.value = value.value
                cell.number_format = value.number_format
            elif value is not None:
                cell.value = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return _patch_member(buffer.getvalue(), "xl/worksheets/sheet1.xml", _cached_errors(formulas))


def _cached_errors(formulas: dict[str, str]) -> Any:
    def patch(xml: str) -> str:
        for ref, text in formulas.items():
            old = f'<c r="{ref}"><f>1/0</f><v></v></c>'
            assert old in xml, xml
            xml = xml.replace(old, f'<c r="{ref}" t="e"><f>1/0</f><v>{text}</v></c>')
        return xml

    return patch


def _patch_member(data: bytes, member: str, patch: Any) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            payload = src.read(item.filename)
            if item.filename == member:
                payload = patch(payload.decode("utf-8")).encode("utf-8")
            dst.writestr(item, payload)
    return out.getvalue()


def xls_with_kinds(rows: Sequence[Sequence[Any]], *, sheet: str = "Dades") -> bytes:
    """An ``.xls`` of ``rows`` (BIFF8, written by xlwt); formula errors patched into the
    ``FORMULA`` record's cached result, as Excel saves ``=1/0``."""
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet(sheet)
    cached: list[tuple[int, int, str]] = []
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, Err) and value.formula:
                ws.write(r, c, xlwt.Formula("1/0"))
                cached.append((r, c, value.text))
            elif isinstance(value, Err):
                ws.row(r).set_cell_error(c, _XLS_CODES[value.text])  # its string map is wrong
            elif isinstance(value, Pct):
                ws.write(r, c, value.value, xlwt.easyxf(num_format_str=value.number_format))
            elif value is not None:
                ws.write(r, c, value)
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    for r, c, text in cached:
        # FORMULA (06 00, its length), row, col, xf, then the 8-byte result: "empty string"
        # (3, ..., FF FF) as xlwt writes it becomes "error <code>" (2, 0, code, ..., FF FF)
        where = re.escape(struct.pack("<HH", r, c))
        match = re.search(b"\x06\x00.." + where + b"..(\x03\x00)", data, re.DOTALL)
        assert match is not None
        pos = match.start(1)
        data = data[:pos] + bytes((2, 0, _XLS_CODES[text])) + data[pos + 3 :]
    return data


_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"


def ods_with_kinds(rows: Sequence[Sequence[Any]], *, sheet: str = "Dades") -> bytes:
    """An ``.ods`` of ``rows`` as LibreOffice saves error and percentage cells."""
    marked: dict[str, str] = {}
    plain: list[list[Any]] = []
    for r, row in enumerate(rows):
        plain.append([])
        for c, value in enumerate(row):
            if isinstance(value, (Err, Pct)):
                marker = f"KIND{r}X{c}"
                marked[marker] = _ods_cell(value)
                plain[-1].append(marker)
            else:
                plain[-1].append(value)

    def patch(xml: str) -> str:
        for marker, cell in marked.items():
            old = (
                f'<table:table-cell office:value-type="string" office:string-value="{marker}">'
                f"<text:p>{marker}</text:p></table:table-cell>"
            )
            assert old in xml
            xml = xml.replace(old, cell)
        return xml.replace(
            "<office:document-content ", f'<office:document-content xmlns:calcext="{_CALCEXT}" ', 1
        )

    return _patch_member(ods_bytes(plain, sheet=sheet), "content.xml", patch)


def _ods_cell(value: Err | Pct) -> str:
    if isinstance(value, Err):
        return (
            '<table:table-cell table:formula="of:=1/0" office:value-type="float" '
            f'office:value="0" calcext:value-type="error"><text:p>{value.text}</text:p>'
            "</table:table-cell>"
        )
    shown = f"{value.value * 100:g} %".replace(".", ",")
    return (
        f'<table:table-cell office:value-type="percentage" office:value="{value.value}" '
        f'calcext:value-type="percentage"><text:p>{shown}</text:p></table:table-cell>'
    )
