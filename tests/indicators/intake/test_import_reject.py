"""Bad files are rejected with EVERY error, each naming sheet, row and column, in Catalan;
hostile files get a clear error and never a traceback."""

from __future__ import annotations

import io
import random
import struct
import zipfile
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

import indicators.intake.importer as importer_module
from indicators.intake.importer import ImportResult, import_file
from indicators.storage.engine import make_engine
from indicators.storage.migrate import upgrade
from plan_model.models import Plan
from settings import Settings
from tests.helpers.intake_plan import TODAY
from tests.helpers.sheet_builders import csv_bytes, xlsx_bytes


@pytest.fixture(scope="module")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path_factory.mktemp('reject') / 'db.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def run(
    engine: Engine,
    plan: Plan,
    content: bytes,
    filename: str = "dades.xlsx",
    settings: Settings | None = None,
    *,
    service: str | None = None,
    period: str | None = None,
    lang: str = "ca",
    allowed_services: set[str] | None = None,
) -> ImportResult:
    return import_file(
        engine,
        plan,
        filename=filename,
        content=content,
        user="test",
        dry_run=True,
        today=TODAY,
        settings=settings or Settings(),
        service=service,
        period=period,
        lang=lang,
        allowed_services=allowed_services,
    )


def located(result: ImportResult) -> list[tuple[str, str | None, int | None, str | None]]:
    return [(e.code, e.sheet, e.row, e.column) for e in result.errors]


def test_every_error_is_collected_with_sheet_row_and_column(
    sqlite_engine: Engine, small_plan: Plan
) -> None:
    rows: list[list[object]] = [
        ["Dades del SAD"],
        ["Codi", "Període", "Valor", "Comentari"],
        ["P1.01-I1", "2025-T3", "molts", None],  # 3: text for a number
        ["P1.01I1", "2025-T3", "12", None],  # 4: unknown, close to P1.01-I1
        ["P2.01-I1", "2025-T3", "5", None],  # 5: the SIS's indicator
        ["P1.01-I2", "2025-T3", "120 %", None],  # 6: outside 0-100
        ["P1.01-I1", "2021-T4", "3", None],  # 7: before the plan
        ["P1.02-I2", "2026-T1", "3", None],  # 8: in the future
        ["P1.02-I1", "2025-T3", "Gairebé acabat", None],  # 9: no such stage
        ["P1.02-I2", "2025-T3", "10", None],  # 10
        ["P1.02-I2", "2025-T3", "11", None],  # 11: duplicate of row 10
        ["P1.02-I2", "tercer", "11", None],  # 12: not a quarter
    ]
    result = run(sqlite_engine, small_plan, xlsx_bytes(rows), service="SAD")
    assert result.status == "rejected"
    assert located(result) == [
        ("not_a_number", "Dades", 3, "C"),
        ("unknown_indicator", "Dades", 4, "A"),
        ("wrong_service", "Dades", 5, "A"),
        ("out_of_bounds", "Dades", 6, "C"),
        ("period_outside_plan", "Dades", 7, "B"),
        ("future_period", "Dades", 8, "B"),
        ("unknown_stage", "Dades", 9, "C"),
        ("duplicate_row", "Dades", 11, "A"),
        ("bad_period", "Dades", 12, "B"),
    ]
    messages = {e.code: e.message for e in result.errors}
    assert messages["not_a_number"] == "«molts» no és un nombre."
    assert "Volíeu dir «P1.01-I1»?" in messages["unknown_indicator"]
    assert "és del servei SIS, no de SAD" in messages["wrong_service"]
    assert "de 0 a 100" in messages["out_of_bounds"]
    assert (
        "fora del pla (del 1r trimestre de 2022 al 4t trimestre de 2025)"
        in messages["period_outside_plan"]
    )
    assert "encara no ha començat" in messages["future_period"]
    assert "En desenvolupament" in messages["unknown_stage"]
    assert "també a la fila 10" in messages["duplicate_row"]
    assert (
        result.errors[0].describe() == "Full «Dades», fila 3, columna C: «molts» no és un nombre."
    )
    assert result.errors[0].value == "molts"
    assert "No s'ha desat res" in result.message


def test_messages_in_spanish(sqlite_engine: Engine, small_plan: Plan) -> None:
    rows: list[list[object]] = [["Codi", "Valor"], ["P1.01-I1", "molts"]]
    result = run(sqlite_engine, small_plan, xlsx_bytes(rows), period="2025-T3", lang="es")
    assert result.errors[0].message == "«molts» no es un número."
    assert (
        result.errors[0].describe("es")
        == "Hoja «Dades», fila 2, columna B: «molts» no es un número."
    )


def test_wide_format_errors_point_at_the_quarter_column(
    sqlite_engine: Engine, small_plan: Plan
) -> None:
    rows: list[list[object]] = [
        ["Codi", "2025-T3", "2026-T1"],
        ["P1.01-I1", "1,5", "2"],
        ["P1.01-I2", "x", None],
    ]
    result = run(sqlite_engine, small_plan, xlsx_bytes(rows), service="SAD")
    assert located(result) == [
        ("future_period", "Dades", 2, "C"),
        ("not_a_number", "Dades", 3, "B"),
    ]


def test_service_not_allowed_for_the_user(sqlite_engine: Engine, small_plan: Plan) -> None:
    rows: list[list[object]] = [["Codi", "Valor"], ["P1.01-I1", 3]]
    result = run(
        sqlite_engine, small_plan, xlsx_bytes(rows), period="2025-T3", allowed_services={"SIS"}
    )
    assert [e.code for e in result.errors] == ["service_not_allowed"]
    assert "No podeu lliurar dades del servei «SAD»" in result.errors[0].message


def test_service_not_in_the_plan(sqlite_engine: Engine, small_plan: Plan) -> None:
    rows: list[list[object]] = [["Codi", "Valor"], ["P1.01-I1", 3]]
    result = run(sqlite_engine, small_plan, xlsx_bytes(rows), period="2025-T3", service="SADD")
    assert [e.code for e in result.errors] == ["unknown_service"]
    assert "Volíeu dir «SAD»?" in result.errors[0].message


def test_no_service_and_no_period_determinable(sqlite_engine: Engine, small_plan: Plan) -> None:
    rows: list[list[object]] = [["Codi", "Valor"], ["P1.01-I1", 3], ["P2.01-I1", 4]]
    result = run(sqlite_engine, small_plan, xlsx_bytes(rows))
    assert [e.code for e in result.errors] == ["no_service", "no_period"]


def test_service_column_disagreeing_with_the_file(sqlite_engine: Engine, small_plan: Plan) -> None:
    rows: list[list[object]] = [
        ["Servei", "Codi", "Valor"],
        ["SAD", "P1.01-I1", 3],
        ["SIS", "P1.01-I2", 4],
    ]
    result = run(sqlite_engine, small_plan, xlsx_bytes(rows), service="SAD", period="2025-T3")
    assert located(result) == [("service_mismatch", "Dades", 3, "A")]


def test_no_header_row(sqlite_engine: Engine, small_plan: Plan) -> None:
    rows: list[list[object]] = [["Hola"], ["Aquest full no té dades"], [1, 2, 3]]
    result = run(sqlite_engine, small_plan, xlsx_bytes(rows), service="SAD", period="2025-T3")
    assert [e.code for e in result.errors] == ["no_header"]


def test_header_without_values(sqlite_engine: Engine, small_plan: Plan) -> None:
    rows: list[list[object]] = [["Codi", "Valor"], [], ["Notes"]]
    result = run(sqlite_engine, small_plan, xlsx_bytes(rows), service="SAD", period="2025-T3")
    assert [e.code for e in result.errors] == ["no_values"]


# --- hostile and broken files ---------------------------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _replace_part(content: bytes, part: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            dst.writestr(item, data if item.filename == part else src.read(item.filename))
    return out.getvalue()


def _declare_size(content: bytes, size: int) -> bytes:
    """Rewrite every declared uncompressed size (local and central headers) to ``size``."""
    data = bytearray(content)
    pos = 0
    while (pos := data.find(b"PK\x03\x04", pos)) != -1:
        struct.pack_into("<I", data, pos + 22, size)
        pos += 4
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) != -1:
        struct.pack_into("<I", data, pos + 24, size)
        pos += 4
    return bytes(data)


def _ole_with(*streams: str) -> bytes:
    """A compound file (OLE/CFB) header and a directory sector naming these streams."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)
    directory = bytearray(512)
    for i, name in enumerate(("Root Entry", *streams)[:4]):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        directory[i * 128 : i * 128 + len(encoded)] = encoded
        struct.pack_into("<H", directory, i * 128 + 64, len(encoded))
        directory[i * 128 + 66] = 5 if i == 0 else 2
    return bytes(header) + bytes(directory) + bytes(512)


GOOD = xlsx_bytes([["Codi", "Valor"], ["P1.01-I1", 3]])
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
    b"</sheetData></worksheet>"
)
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<si><t>&lol2;</t></si></sst>"
)


def _encrypted_ods() -> bytes:
    return _zip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": b"<office:document-content/>",
            "META-INF/manifest.xml": b"<manifest:manifest><manifest:file-entry manifest:full-path="
            b'"content.xml"><manifest:encryption-data/></manifest:file-entry>'
            b"</manifest:manifest>",
        }
    )


def _sparse_xlsx() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "Codi"
    ws["B1"] = "Valor"
    ws["XFD1048576"] = 1  # the reader would allocate every cell in between
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _ods_repeated_cells() -> bytes:
    cell = (
        b'<table:table-cell table:number-columns-repeated="16000" office:value-type="float" '
        b'office:value="1"><text:p>1</text:p></table:table-cell>'
    )
    content = (
        b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        b'<office:body><office:spreadsheet><table:table table:name="Dades">'
        b'<table:table-row table:number-rows-repeated="1000">'
        + cell
        + b"</table:table-row></table:table></office:spreadsheet></office:body>"
        b"</office:document-content>"
    )
    return _zip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": content,
            "META-INF/manifest.xml": b"<manifest/>",
        }
    )


def _sparse_xls() -> bytes:
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("Dades")
    ws.write(0, 0, "Codi")
    ws.write(65535, 255, 1)  # 6 KB on disk, about 1 GB once the reader fills the gap
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


HOSTILE = {
    "sparse xls (two far-apart cells)": (_sparse_xls(), "too_many_cells", "massa cel·les"),
    "sparse xlsx (two far-apart cells)": (_sparse_xlsx(), "too_many_cells", "massa cel·les"),
    "ods with repeated rows and cells": (_ods_repeated_cells(), "too_many_cells", "massa cel·les"),
    "empty": (b"", "empty_file", "El fitxer és buit."),
    "random bytes": (random.Random(7).randbytes(4096), "not_a_spreadsheet", "no és un full"),
    "zip, not a workbook": (
        _zip({"foto.jpg": b"\xff\xd8\xff" * 100, "llegiu.txt": b"hola"}),
        "not_a_workbook",
        "no un llibre de càlcul",
    ),
    "truncated zip": (GOOD[: len(GOOD) // 2], "not_a_workbook", "malmès"),
    "zip bomb by ratio": (
        _zip(
            {
                "[Content_Types].xml": b"<Types/>",
                "xl/workbook.xml": b"<workbook/>",
                "xl/worksheets/sheet1.xml": b"\x00" * (8 * 1024 * 1024),
            }
        ),
        "zip_bomb",
        "bomba de compressió",
    ),
    "zip bomb by declared size": (
        _declare_size(GOOD, 3 * 1024 * 1024 * 1024),
        "zip_bomb",
        "bomba de compressió",
    ),
    "XXE entity in a sheet": (
        _replace_part(GOOD, "xl/worksheets/sheet1.xml", XXE),
        "xml_entities",
        "DOCTYPE/ENTITY",
    ),
    "billion laughs in shared strings": (
        _replace_part(GOOD, "xl/sharedStrings.xml", LAUGHS)
        if "xl/sharedStrings.xml" in zipfile.ZipFile(io.BytesIO(GOOD)).namelist()
        else _zip(
            {
                "[Content_Types].xml": b"<Types/>",
                "xl/workbook.xml": b"<workbook/>",
                "xl/sharedStrings.xml": LAUGHS,
            }
        ),
        "xml_entities",
        "DOCTYPE/ENTITY",
    ),
    "encrypted xlsx (OLE with EncryptionInfo)": (
        _ole_with("EncryptionInfo", "EncryptedPackage"),
        "encrypted",
        "protegit amb contrasenya",
    ),
    "encrypted ods": (_encrypted_ods(), "encrypted", "protegit amb contrasenya"),
    "binary xlsb": (
        _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x83\x01"}),
        "unsupported_format",
        "(.xlsb)",
    ),
    "word document": (_ole_with("WordDocument"), "not_a_workbook", "document de Word"),
    "pdf named .xlsx": (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + random.Random(3).randbytes(2000),
        "not_a_spreadsheet",
        "malmès",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_files_get_a_clear_catalan_error(
    sqlite_engine: Engine, small_plan: Plan, case: str
) -> None:
    content, code, words = HOSTILE[case]
    result = run(sqlite_engine, small_plan, content, service="SAD", period="2025-T3")
    assert result.status == "rejected"
    assert [e.code for e in result.errors] == [code]
    assert words in result.errors[0].message
    assert result.errors[0].sheet is None and result.errors[0].row is None


def test_too_many_rows_xlsx(sqlite_engine: Engine, small_plan: Plan) -> None:
    rows: list[list[object]] = [["Codi", "Valor"], *(["P1.01-I1", i] for i in range(2100))]
    result = run(
        sqlite_engine,
        small_plan,
        xlsx_bytes(rows),
        settings=Settings(max_rows=2000),
        service="SAD",
        period="2025-T3",
    )
    assert [e.code for e in result.errors] == ["too_many_rows"]
    assert "massa files (el límit és 2000)" in result.errors[0].message


def test_over_100k_rows_csv_with_default_limits(sqlite_engine: Engine, small_plan: Plan) -> None:
    rows: list[list[str]] = [["Codi", "Valor"]] + [["P1.01-I1", "1"]] * 100_500
    result = run(
        sqlite_engine,
        small_plan,
        csv_bytes(rows),
        filename="dades.csv",
        service="SAD",
        period="2025-T3",
    )
    assert [e.code for e in result.errors] == ["too_many_rows"]


def test_too_large_file(sqlite_engine: Engine, small_plan: Plan) -> None:
    result = run(sqlite_engine, small_plan, GOOD, settings=Settings(max_upload_bytes=1000))
    assert [e.code for e in result.errors] == ["file_too_large"]


def test_too_many_sheets(sqlite_engine: Engine, small_plan: Plan) -> None:
    content = xlsx_bytes([["Codi", "Valor"]], before=[(f"Full {i}", [[i]]) for i in range(6)])
    result = run(sqlite_engine, small_plan, content, settings=Settings(max_sheets=5))
    assert [e.code for e in result.errors] == ["too_many_sheets"]


def test_an_unexpected_parser_failure_is_a_catalan_error_not_a_traceback(
    sqlite_engine: Engine, small_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_args: object) -> None:
        raise IndexError("list index out of range")

    monkeypatch.setattr(importer_module, "find_data", explode)
    result = run(sqlite_engine, small_plan, GOOD, service="SAD", period="2025-T3")
    assert result.status == "rejected"
    assert [e.code for e in result.errors] == ["unreadable"]
    assert result.errors[0].message.startswith("No es pot llegir el fitxer")
    assert (result.service, result.period) == ("SAD", "2025-T3")


def test_xls_extents_are_read_from_the_compound_file() -> None:
    import xlwt

    from indicators.intake.xls_extent import sheet_extents

    wb = xlwt.Workbook()
    first = wb.add_sheet("Dades")
    for row in range(3000):  # a Workbook stream past the mini-stream cutoff
        first.write(row, 0, f"P1.01-I{row}")
        first.write(row, 2, row)
    wb.add_sheet("Notes").write(3, 4, "x")
    buffer = io.BytesIO()
    wb.save(buffer)
    assert sheet_extents(buffer.getvalue()) == [(3000, 3), (4, 5)]
    assert sheet_extents(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100) is None
