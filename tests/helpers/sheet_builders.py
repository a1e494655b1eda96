"""Builders of spreadsheet files for the import tests (every fixture file is made here).

xlsx/xlsm with openpyxl, xls with xlwt, ods with pandas' odf writer (odfpy), csv as text in
several encodings and delimiters.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any


def xlsx_bytes(
    rows: Sequence[Sequence[Any]],
    *,
    sheet: str = "Dades",
    start_row: int = 1,
    start_col: int = 1,
    merges: Sequence[str] = (),
    before: Sequence[tuple[str, Sequence[Sequence[Any]]]] = (),
    meta: dict[str, str] | None = None,
    macro: bool = False,
) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    for name, other_rows in before:
        ws = wb.create_sheet(name)
        for row in other_rows:
            ws.append(list(row))
    ws = wb.create_sheet(sheet)
    wb.remove(first)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.cell(row=start_row + r, column=start_col + c, value=value)
    for merge in merges:
        ws.merge_cells(merge)
    if meta:
        hidden = wb.create_sheet("_meta")
        for key, value in meta.items():
            hidden.append([key, value])
        hidden.sheet_state = "veryHidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    if macro:
        # an .xlsm: the same package plus a VBA project part (never run by the reader)
        import zipfile

        out = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(data)) as src,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
        ):
            for item in src.infolist():
                payload = src.read(item.filename)
                if item.filename == "[Content_Types].xml":
                    payload = payload.replace(
                        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                    )
                dst.writestr(item, payload)
            dst.writestr("xl/vbaProject.bin", b'\xd0\xcf\x11\xe0 fake vba: Shell "calc.exe"')
        data = out.getvalue()
    return data


def xls_bytes(rows: Sequence[Sequence[Any]], *, sheet: str = "Dades") -> bytes:
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def ods_bytes(rows: Sequence[Sequence[Any]], *, sheet: str = "Dades") -> bytes:
    import pandas as pd

    width = max(len(r) for r in rows)
    frame = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows])
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="odf") as writer:
        frame.to_excel(writer, sheet_name=sheet, header=False, index=False)
    return buffer.getvalue()


def csv_bytes(
    rows: Sequence[Sequence[Any]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
    bom: bool = False,
) -> bytes:
    lines = [delimiter.join("" if v is None else str(v) for v in row) for row in rows]
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data
