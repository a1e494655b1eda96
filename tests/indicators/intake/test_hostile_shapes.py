"""Hostile spreadsheet shapes never take the process down nor make it allocate without bound.

Each shape is valid XML (or a consistent-looking .xls) that the old regular-expression checks
did not expect; the reader then asked for hundreds of GB (SIGABRT) or for 1-3 GB before a
later check refused the file. Each is now refused by the extent check, in Catalan, by a
reading step (run in a fresh process, so that a regression kills that process and not the
test run) whose peak memory, and its reading child's, stay under 300 MB. Behind the extent
check, the reader itself runs in a child bounded in memory and time: a test bypasses the
check to see that wall hold. A normal file reads exactly as python-calamine reads it in
process; an unreadable one is a one-line refusal, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select

from i18n import gettext
from indicators.intake.importer import import_file
from indicators.intake.issues import IssueList, IssueMaker
from indicators.intake.reader import read_sheets, read_workbook
from indicators.intake.safety import ReadLimitExceeded, UnreadableFile, UnsafeFile, check_file
from indicators.intake.xls_extent import XlsDamaged, workbook_extents
from indicators.storage.queries import values_frame
from indicators.storage.schema import Submission
from plan_model.models import Plan
from settings import Settings
from tests.helpers.intake_plan import TODAY
from tests.helpers.sheet_builders import csv_bytes, ods_bytes, xls_bytes, xlsx_bytes

REPO_ROOT = Path(__file__).resolve().parents[3]
PEAK_MB = 300

# --- builders of raw packages ----------------------------------------------------------------

_MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_HEADER_ROW = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>Codi</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>Valor</t></is></c></row>'
)


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _xlsx(
    *sheets: bytes, shared_strings: bytes | None = None, worksheet: bytes | None = None
) -> bytes:
    """A minimal .xlsx whose sheets hold exactly this ``sheetData`` content."""
    names = b"".join(
        b'<sheet name="S%d" sheetId="%d" r:id="rId%d"/>' % (i, i, i)
        for i in range(1, len(sheets) + 1)
    )
    rels = b"".join(
        b'<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>' % (i, i)
        for i in range(1, len(sheets) + 1)
    )
    parts = {
        "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Default Extension="xml" ContentType="application'
        b'/xml"/></Types>',
        "_rels/.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'relationships"><Relationship Id="rId1" Type="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        b'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": b"<workbook " + _MAIN + b' xmlns:r="http://schemas.openxmlformats.org'
        b'/officeDocument/2006/relationships"><sheets>' + names + b"</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/relationships">' + rels + b"</Relationships>",
    }
    for i, data in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = worksheet or (
            b"<worksheet " + _MAIN + b"><sheetData>" + data + b"</sheetData></worksheet>"
        )
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    return _zip(parts)


_ODS_NS = (
    b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
_ODS_VALUE = (
    b"<table:table-cell office:value-type='float' office:value='1'>"
    b"<text:p>1</text:p></table:table-cell>"
)
_ODS_FIRST = b"<table:table-row>" + _ODS_VALUE + b"</table:table-row>"


def _ods(table_body: bytes, **more_parts: bytes) -> bytes:
    content = (
        b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        + _ODS_NS
        + b' office:version="1.2"><office:body><office:spreadsheet>'
        b'<table:table table:name="Dades">'
        + table_body
        + b"</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    return _zip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": content,
            "META-INF/manifest.xml": b"<manifest/>",
            **more_parts,
        }
    )


def _xls_far_cell() -> bytes:
    return xls_bytes([["Codi", "Valor"]] + [[None]] * 65534 + [[None] * 255 + [1]])


def _xls_patched(offset: int, value: int, fmt: str = "<I") -> bytes:
    data = bytearray(_xls_far_cell())
    struct.pack_into(fmt, data, offset, value)
    return bytes(data)


def _xls_huge_dimensions() -> bytes:
    data = bytearray(xls_bytes([["Codi", "Valor"], ["P1.01-I1", 3]]))
    at = data.find(b"\x00\x02\x0e\x00")  # DIMENSIONS, 14 bytes: rf, rl (u32), cf, cl (u16)
    assert at > 0 and struct.unpack_from("<IIHH", data, at + 4) == (0, 2, 0, 2)
    struct.pack_into("<IIHH", data, at + 4, 0, 0xFFFFFFF0, 0, 256)
    return bytes(data)


_WIDE_ROW = b"<row>" + b"<c></c>" * 16_384 + b"<c><v>1</v></c></row>"

SHAPES: dict[str, tuple[str, bytes, str, str]] = {
    # name: (filename, content, code, Catalan words)
    "xlsx far cell, r in single quotes": (
        "far.xlsx",
        _xlsx(_HEADER_ROW + b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"),
        "too_many_cells",
        "massa cel·les",
    ),
    "xlsx far cell, whitespace around =": (
        "far.xlsx",
        _xlsx(_HEADER_ROW + b'<row r = "1048576"><c r = "XFD1048576" ><v>1</v></c></row>'),
        "too_many_cells",
        "massa cel·les",
    ),
    "xlsx far cell, namespace prefix": (
        "far.xlsx",
        _xlsx(
            b"",
            worksheet=b'<x:worksheet xmlns:x="http://schemas.openxmlformats.'
            b'org/spreadsheetml/2006/main"><x:sheetData><x:row r="1"><x:c r="A1">'
            b'<x:v>1</x:v></x:c></x:row><x:row r="1048576"><x:c r="XFD1048576">'
            b"<x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>",
        ),
        "too_many_cells",
        "massa cel·les",
    ),
    "xlsx rows and cells without r, to a huge implicit extent": (
        "implicit.xlsx",
        _xlsx(_HEADER_ROW + b"<row></row>" * 45_000 + _WIDE_ROW),
        "too_many_cells",
        "massa cel·les",
    ),
    "xlsx moderate span (1.3 GB for the reader)": (
        "span.xlsx",
        _xlsx(_HEADER_ROW + b"<row r='2000'><c r='XFD2000'><v>1</v></c></row>"),
        "too_many_cells",
        "massa cel·les",
    ),
    "xlsx shared strings declaring billions": (
        "sst.xlsx",
        _xlsx(
            _HEADER_ROW,
            shared_strings=b"<sst " + _MAIN + b" uniqueCount = "
            b"'4000000000'><si><t>x</t></si></sst>",
        ),
        "not_a_workbook",
        "malmès",
    ),
    "ods rows repeated (single quotes)": (
        "rows.ods",
        _ods(
            _ODS_FIRST + b"<table:table-row table:number-rows-repeated='30000'>"
            b"<table:table-cell table:number-columns-repeated='1000' "
            b"office:value-type='float' office:value='1'/></table:table-row>"
        ),
        "too_many_cells",
        "massa cel·les",
    ),
    "ods cells repeated (single quotes), many rows": (
        "cols.ods",
        _ods(
            _ODS_FIRST
            + (
                b"<table:table-row><table:table-cell "
                b"table:number-columns-repeated='16000' office:value-type"
                b"='float' office:value='1'/></table:table-row>"
            )
            * 2000
        ),
        "too_many_cells",
        "massa cel·les",
    ),
    "ods empty rows repeated between values": (
        "gap.ods",
        _ods(
            _ODS_FIRST + b"<table:table-row table:number-rows-repeated='30000'>"
            b"<table:table-cell/></table:table-row><table:table-row><table:table-cell"
            b" table:number-columns-repeated='2000'/>" + _ODS_VALUE + b"</table:table-row>"
        ),
        "too_many_cells",
        "massa cel·les",
    ),
    "ods a cell repeated beyond the grid's width": (
        "wide.ods",
        _ods(
            _ODS_FIRST + b"<table:table-row><table:table-cell table:number-columns-"
            b"repeated='2000000000' office:value-type='float' office:value='1'/>"
            b"</table:table-row>"
        ),
        "too_many_columns",
        "massa columnes",
    ),
    "xls far cell": ("far.xls", _xls_far_cell(), "too_many_cells", "massa cel·les"),
    "xls patched mini-stream cutoff": (
        "cutoff.xls",
        _xls_patched(0x38, 0xFFFFFFFF),
        "not_a_workbook",
        "malmès",
    ),
    "xls patched sector shift": (
        "shift.xls",
        _xls_patched(0x1E, 10, "<H"),
        "not_a_workbook",
        "malmès",
    ),
    "xls huge DIMENSIONS": ("dims.xls", _xls_huge_dimensions(), "too_many_cells", "massa cel·les"),
}

# The reading step as the app runs it, in a process of its own; it prints what happened.
_PROBE = r"""
import json, resource, sys
from indicators.intake.reader import read_sheets
from indicators.intake.safety import UnsafeFile, check_file
from settings import Settings

name, overrides, skip_check = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3] == "1"
content = sys.stdin.buffer.read()
settings = Settings(**overrides)
base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # after the imports
try:
    fmt = "xlsx" if skip_check else check_file(name, content, settings)
    sheets = read_sheets(name, content, fmt, settings)
    out = {"read": [len(sheet.rows) for sheet in sheets]}
except UnsafeFile as exc:
    out = {"code": exc.code, "msgid": exc.msgid, "params": exc.params,
           "type": type(exc).__name__}
usage = resource.getrusage
out["self_mb"] = usage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base_mb  # the reading step
out["children_mb"] = usage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps(out))
"""


def probe(
    name: str, content: bytes, *, skip_check: bool = False, **overrides: object
) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, name, json.dumps(overrides), "1" if skip_check else "0"],
        input=content,
        capture_output=True,
        timeout=300,
        cwd=REPO_ROOT,
        check=False,
    )
    assert done.returncode == 0, (
        f"the reading process died ({done.returncode}): {done.stderr.decode()[-1500:]}"
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


@pytest.mark.parametrize("shape", list(SHAPES))
def test_hostile_shape_is_refused_in_catalan_with_bounded_memory(shape: str) -> None:
    filename, content, code, words = SHAPES[shape]
    assert len(content) < 200_000  # small files, all of them
    answer = probe(filename, content)
    assert answer.get("code") == code, answer
    assert words in gettext(answer["msgid"], "ca", **answer["params"])
    assert answer["self_mb"] < PEAK_MB and answer["children_mb"] < PEAK_MB, answer


def _no_database() -> Engine:
    """An engine on a database that cannot be opened: a refused file never reaches storage."""
    return create_engine("sqlite:////nonexistent-directory/never-opened.sqlite")


@pytest.mark.parametrize(
    "shape",
    [
        "xlsx far cell, r in single quotes",
        "ods rows repeated (single quotes)",
        "xls huge DIMENSIONS",
    ],
)
def test_hostile_shape_through_the_import_in_this_process(small_plan: Plan, shape: str) -> None:
    filename, content, code, words = SHAPES[shape]
    result = import_file(
        _no_database(),
        small_plan,
        filename=filename,
        content=content,
        user="test",
        dry_run=True,
        today=TODAY,
        settings=Settings(),
    )
    assert result.status == "rejected"
    assert [e.code for e in result.errors] == [code]
    assert words in result.errors[0].message


def test_the_reader_child_is_a_second_wall_when_the_check_is_bypassed() -> None:
    _name, content, _code, _words = SHAPES["xlsx moderate span (1.3 GB for the reader)"]
    answer = probe("span.xlsx", content, skip_check=True, read_memory_limit_mb=200)
    assert answer["code"] == "read_memory" and answer["type"] == "ReadLimitExceeded", answer
    text = gettext(answer["msgid"], "ca", **answer["params"])
    assert "massa gran per llegir-lo amb seguretat" in text and "200 MB" in text
    assert answer["self_mb"] < PEAK_MB and answer["children_mb"] < PEAK_MB, answer


def test_a_reader_that_overruns_its_time_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    content = xlsx_bytes([["Codi", "Valor"], ["P1.01-I1", 3]])
    with (
        caplog.at_level(logging.WARNING, logger="indicators.intake.reader"),
        pytest.raises(ReadLimitExceeded) as refused,
    ):
        read_workbook(content, Settings(read_timeout_seconds=0.001))
    assert refused.value.code == "read_timeout"
    assert "ha trigat més de 0.001 segons" in gettext(
        refused.value.msgid, "ca", **refused.value.params
    )
    assert [r.exc_info for r in caplog.records] == [None]


def test_the_extent_check_has_a_deadline_too() -> None:
    content = xlsx_bytes([["Codi", "Valor"], ["P1.01-I1", 3]])
    with pytest.raises(UnsafeFile) as refused:
        check_file("dades.xlsx", content, Settings(read_timeout_seconds=1e-9))
    assert refused.value.code == "read_timeout"


def test_an_unreadable_workbook_is_one_log_line_and_no_traceback(
    small_plan: Plan, caplog: pytest.LogCaptureFixture
) -> None:
    # passes every structural check, but the reader cannot tell what it is
    content = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    assert check_file("dades.xlsx", content, Settings()) == "xlsx"
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(UnreadableFile) as refused:
            read_sheets("dades.xlsx", content, "xlsx", Settings())
        result = import_file(
            _no_database(),
            small_plan,
            filename="dades.xlsx",
            content=content,
            user="test",
            dry_run=True,
            today=TODAY,
            settings=Settings(),
        )
    assert refused.value.code == "unreadable"
    assert [e.code for e in result.errors] == ["unreadable"]
    assert result.errors[0].message.startswith("No es pot llegir el fitxer")
    mine = [r for r in caplog.records if "dades.xlsx" in r.getMessage()]
    assert len(mine) == 2  # one line for each of the two reads above
    assert all("Cannot detect file format" in r.getMessage() for r in mine)
    assert all(r.exc_info is None for r in caplog.records)  # no traceback anywhere


def test_limits_on_columns_and_on_all_sheets_together() -> None:
    wide = _xlsx(b"<row>" + b"<c><v>1</v></c>" * 20_000 + b"</row>")
    with pytest.raises(UnsafeFile) as refused:
        check_file("wide.xlsx", wide, Settings())
    assert refused.value.code == "too_many_columns"
    assert "massa columnes (el límit és 16384)" in gettext(
        refused.value.msgid, "ca", **refused.value.params
    )
    sheet = b"".join(b"<row>" + b"<c><v>1</v></c>" * 20 + b"</row>" for _ in range(30))
    two = _xlsx(sheet, sheet)
    assert check_file("two.xlsx", two, Settings(max_cells=1200)) == "xlsx"  # 600 + 600
    with pytest.raises(UnsafeFile) as refused:
        check_file("two.xlsx", two, Settings(max_cells=1000))
    assert gettext(refused.value.msgid, "ca", **refused.value.params).startswith(
        "Els fulls, junts, ocupen massa cel·les (el límit és 1000)"
    )


def test_a_sheet_that_is_not_well_formed_xml_is_refused() -> None:
    broken = _xlsx(b'<row r="1"><c r="A1"><v>1</v></row>')
    with pytest.raises(UnsafeFile) as refused:
        check_file("broken.xlsx", broken, Settings())
    assert refused.value.code == "not_a_workbook"
    bad_ref = _xlsx(b'<row r="1"><c r="1A"><v>1</v></c></row>')
    with pytest.raises(UnsafeFile):
        check_file("ref.xlsx", bad_ref, Settings())


def test_a_package_with_two_parts_of_the_same_name_is_refused() -> None:
    small = _xlsx(_HEADER_ROW)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(small)) as src, zipfile.ZipFile(buffer, "a") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        far = b"<row r='2000'><c r='XFD2000'><v>1</v></c></row>"
        with pytest.warns(UserWarning, match="Duplicate name"):
            dst.writestr(
                "xl/worksheets/sheet1.xml",
                b"<worksheet " + _MAIN + b"><sheetData>" + far + b"</sheetData></worksheet>",
            )
    with pytest.raises(UnsafeFile) as refused:
        check_file("twice.xlsx", buffer.getvalue(), Settings())
    assert refused.value.code == "not_a_workbook"


def test_xls_structure_is_cross_checked() -> None:
    good = xls_bytes([["Codi", "Valor"], ["P1.01-I1", 3]])
    assert [(s.rows, s.columns) for s in workbook_extents(good).sheets] == [(2, 2)]
    sst = bytearray(good)
    at = sst.find(b"\xfc\x00")  # SST: cstTotal, cstUnique
    assert struct.unpack_from("<HII", sst, at + 2)[1:] == (3, 3)
    struct.pack_into("<i", sst, at + 8, 0x7FFFFFFF)
    loop = bytearray(good)
    struct.pack_into("<I", loop, 0x30, 1 << 20)  # the directory starts beyond the file
    for patched, where in ((sst, "SST declares"), (loop, "sector chain")):
        with pytest.raises(XlsDamaged, match=where):
            workbook_extents(bytes(patched))


# --- a normal file reads as before ----------------------------------------------------------

_ROWS: list[list[object]] = [
    ["Codi", "Període", "Valor", "Comentari", "Data"],
    ["P1.01-I1", "2025-T3", 12.5, "Dada provisional", dt.datetime(2025, 9, 30, 8, 15)],
    ["P1.01-I2", "2025-T3", 40, None, dt.date(2025, 9, 30)],
    ["P1.02-I1", "2025-T3", "Iniciat", "Sí, amb «cometes»", True],
]


def _in_process(content: bytes) -> list[tuple[str, int, int, list[list[object]]]]:
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    out: list[tuple[str, int, int, list[list[object]]]] = []
    for meta in workbook.sheets_metadata:
        sheet = workbook.get_sheet_by_name(meta.name)
        start = sheet.start or (0, 0)
        rows: list[list[object]] = [list(row) for row in sheet.to_python(skip_empty_area=True)]
        out.append((meta.name, start[0] + 1, start[1], rows))
    return out


@pytest.mark.parametrize("builder", [xlsx_bytes, xls_bytes, ods_bytes])
def test_a_normal_workbook_reads_exactly_as_in_process(
    builder: Callable[[list[list[object]]], bytes],
) -> None:
    content = builder(_ROWS)
    fmt = check_file("dades", content, Settings())
    sheets = read_sheets("dades", content, fmt, Settings())
    assert [(s.name, s.first_row, s.first_col, s.rows) for s in sheets] == _in_process(content)
    if builder is xlsx_bytes:  # the others store dates as numbers or text
        assert {type(row[4]) for row in sheets[0].rows[1:3]} == {dt.datetime, dt.date}


def test_libreoffice_trailing_repeats_are_not_counted() -> None:
    # LibreOffice ends every row with the empty cells up to the grid's width, and the sheet
    # with the empty rows up to the grid's height: the reader allocates none of them
    tail = b"<table:table-cell table:number-columns-repeated='16382'/>"
    content = _ods(
        b"<table:table-row>" + _ODS_VALUE * 2 + tail + b"</table:table-row>"
        b"<table:table-row table:number-rows-repeated='3'>"
        + _ODS_VALUE
        + tail
        + b"</table:table-row><table:table-row table:number-rows-repeated='1048571'>"
        b"<table:table-cell table:number-columns-repeated='16384'/></table:table-row>",
        **{"Configurations2/accelerator/current.xml": b""},
    )  # empty, as LibreOffice writes it
    assert check_file("lo.ods", content, Settings()) == "ods"
    sheets = read_sheets("lo.ods", content, "ods", Settings())
    assert [(s.name, s.first_row, s.first_col, s.rows) for s in sheets] == _in_process(content)
    assert sheets[0].rows == [[1.0, 1.0]] + [[1.0, ""]] * 3


# --- NUL characters: the same on SQLite and PostgreSQL --------------------------------------


def test_nul_characters_are_stripped_from_cells_and_refused_in_names(
    engine: Engine, small_plan: Plan
) -> None:
    content = xls_bytes(
        [["Codi", "Període", "Valor", "Comentari"], ["P1.01-I1", "2025-T3", 12, "bon\x00dia"]]
    )
    result = import_file(
        engine,
        small_plan,
        filename="sad.xls",
        content=content,
        user="tecnica",
        service="SAD",
        today=TODAY,
        settings=Settings(),
    )
    assert result.status == "ok", [e.message for e in result.errors]
    assert values_frame(engine).set_index("indicator").loc["P1.01-I1", "comment"] == "bondia"
    csv_content = csv_bytes(
        [
            ["Codi", "Període", "Valor", "Comentari"],
            ["P1.01-I1", "2025-T3", "13", "x" * 70_000 + "\x00fi"],
        ]
    )
    assert [s.rows[1][3] for s in read_sheets("a.csv", csv_content, "csv", Settings())] == [
        "x" * 70_000 + "fi"
    ]
    refused = import_file(
        engine,
        small_plan,
        filename="sad\x00.xlsx",
        content=content,
        user="tecnica",
        service="SAD",
        today=TODAY,
        settings=Settings(),
    )
    assert [e.code for e in refused.errors] == ["bad_filename"]
    assert "caràcter NUL" in refused.errors[0].message
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Submission)).scalar_one() == 1


# --- the error list of a file is bounded ----------------------------------------------------


def test_an_issue_list_keeps_the_first_200_and_counts_them_all() -> None:
    issue = IssueMaker("ca")
    errors = IssueList()
    for row in range(1, 39_546):
        errors.append(issue("not_a_number", "«{value}» is not a number.", row=row, value="x"))
    assert (len(errors), errors.total, errors.omitted) == (200, 39_545, 39_345)
    assert errors[0].row == 1 and errors[-1].row == 200
    errors += [issue("other", "x")] * 5
    errors.extend([issue("other", "x")] * 5)
    errors.insert(0, issue("first", "x"))
    assert (len(errors), errors.total, errors[0].code) == (200, 39_556, "first")
    assert len(IssueList([issue("a", "x")] * 3, limit=2)) == 2
