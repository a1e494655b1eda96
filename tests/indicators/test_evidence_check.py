"""Evidence files are told by their content and checked like uploads (issue 17): a PDF, a
PNG or JPEG image or an office document passes; a file whose content is not what its name
says, an oversized one, a compression bomb renamed ``.docx``, a truncated archive and a
link that is not a web address are refused with a clear Catalan message."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from indicators.intake.evidence_check import (
    DOCX,
    JPEG,
    ODT,
    PDF,
    PNG,
    XLSX,
    DocumentType,
    check_evidence_file,
    check_evidence_link,
    refusal_message,
)
from indicators.intake.safety import UnsafeFile
from settings import Settings

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"IEND\xaeB`\x82"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20 + b"\xff\xd9"


def _zip(parts: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first is not None:
            archive.writestr(stored_first, parts[stored_first], compress_type=zipfile.ZIP_STORED)
        for name, data in parts.items():
            if name != stored_first:
                archive.writestr(name, data)
    return buffer.getvalue()


def _docx(extra: dict[str, bytes] | None = None) -> bytes:
    return _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document>Acord de la comissi\xc3\xb3</w:document>",
            **(extra or {}),
        }
    )


def _refused(filename: str, content: bytes, settings: Settings | None = None) -> UnsafeFile:
    with pytest.raises(UnsafeFile) as caught:
        check_evidence_file(filename, content, settings or Settings())
    return caught.value


@pytest.mark.parametrize(
    ("filename", "content", "kind"),
    [
        ("acord.pdf", PDF_BYTES, PDF),
        ("foto.PNG", PNG_BYTES, PNG),
        ("foto.jpeg", JPEG_BYTES, JPEG),
        ("protocol.docx", _docx(), DOCX),
        ("dades.xlsx", _zip({"[Content_Types].xml": b"<T/>", "xl/workbook.xml": b"<w/>"}), XLSX),
        (
            "informe.odt",
            _zip(
                {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<d/>"},
                stored_first="mimetype",
            ),
            ODT,
        ),
    ],
)
def test_accepted_documents_are_told_by_content(
    filename: str, content: bytes, kind: DocumentType
) -> None:
    checked = check_evidence_file(filename, content, Settings())
    assert checked.content_type == kind.content_type
    assert checked.filename == filename
    assert checked.size == len(content)
    assert len(checked.sha256) == 64


def test_a_name_without_the_type_gets_its_extension_and_folders_are_dropped() -> None:
    checked = check_evidence_file("C:\\Documents\\acord\x07 final", PDF_BYTES, Settings())
    assert checked.filename == "acord final.pdf"


def test_wrong_content_with_a_pdf_name_is_refused() -> None:
    html = b"<html><script>alert(1)</script></html>"
    exc = _refused("acord.pdf", html)
    assert exc.code == "wrong_type"
    assert "El nom del fitxer diu que és un document PDF" in refusal_message(exc, "ca")
    exe = _refused("acord.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    assert exe.code == "wrong_type"


def test_an_accepted_type_under_another_accepted_name_is_refused() -> None:
    exc = _refused("acord.pdf", PNG_BYTES)
    assert exc.code == "wrong_type"
    message = refusal_message(exc, "ca")
    assert "un document PDF" in message and "una imatge PNG" in message


def test_unknown_content_is_refused() -> None:
    exc = _refused("notes.txt", b"just some text")
    assert exc.code == "not_a_document"
    assert refusal_message(exc, "ca").startswith("El fitxer no és un document acceptat")


def test_an_oversized_file_is_refused() -> None:
    exc = _refused("acord.pdf", PDF_BYTES + b" " * 2000, Settings(evidence_max_bytes=1024))
    assert exc.code == "file_too_large"
    assert "és massa gran" in refusal_message(exc, "ca")


def test_an_empty_file_and_a_nul_in_the_name_are_refused() -> None:
    assert _refused("acord.pdf", b"").code == "empty_file"
    assert _refused("acord\x00.pdf", PDF_BYTES).code == "bad_filename"


def test_a_zip_bomb_renamed_docx_is_refused_before_inflating() -> None:
    bomb = _docx({"word/media/huge.bin": b"\x00" * (20 * 1024 * 1024)})
    assert len(bomb) < 100_000
    exc = _refused("protocol.docx", bomb, Settings(max_uncompressed_bytes=5 * 1024 * 1024))
    assert exc.code == "zip_bomb"
    assert "bomba de compressió" in refusal_message(exc, "ca")


def _lie_about_sizes(content: bytes, size: int) -> bytes:
    """Patch every declared uncompressed size (local and central headers) to ``size``."""
    data = bytearray(content)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (found := data.find(signature, start)) != -1:
            data[found + offset : found + offset + 4] = struct.pack("<I", size)
            start = found + 4
    return bytes(data)


def test_a_bomb_that_lies_about_its_sizes_is_refused() -> None:
    liar = _lie_about_sizes(_docx({"word/media/huge.bin": b"\x00" * (4 * 1024 * 1024)}), 100)
    exc = _refused("protocol.docx", liar)
    assert exc.code in {"damaged_archive", "zip_bomb"}


def test_a_truncated_zip_is_refused() -> None:
    whole = _docx({"word/media/photo.bin": bytes(range(256)) * 200})
    exc = _refused("protocol.docx", whole[: len(whole) // 2])
    assert exc.code == "damaged_archive"
    assert refusal_message(exc, "ca") == (
        "El fitxer és un arxiu comprimit (zip) malmès, no un document d'oficina."
    )


def test_a_zip_that_is_no_office_document_is_refused() -> None:
    exc = _refused("protocol.docx", _zip({"payload.exe": b"MZ"}))
    assert exc.code == "not_a_document"


def test_a_pdf_without_its_end_is_refused() -> None:
    assert _refused("acord.pdf", b"%PDF-1.4\n1 0 obj<<>>").code == "damaged_pdf"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JaVaScRiPt:alert(1)",
        "  javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "vbscript:msgbox(1)",
    ],
)
def test_links_that_are_not_web_addresses_are_refused(url: str) -> None:
    with pytest.raises(UnsafeFile) as caught:
        check_evidence_link(url)
    assert caught.value.code == "link_scheme"
    assert refusal_message(caught.value, "ca").startswith("Només es poden adjuntar enllaços web")


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("", "empty_link"),
        ("java\tscript:alert(1)", "bad_link"),
        ("https://exemple.cat/a b", "bad_link"),
        ("https://", "bad_link"),
        ("https://usuari:clau@exemple.cat/acord", "bad_link"),
        ("https://exemple.cat/" + "a" * 2100, "link_too_long"),
    ],
)
def test_broken_links_are_refused(url: str, code: str) -> None:
    with pytest.raises(UnsafeFile) as caught:
        check_evidence_link(url)
    assert caught.value.code == code


def test_a_web_link_is_kept() -> None:
    assert check_evidence_link(" https://www.osona.cat/acords/2025.pdf ") == (
        "https://www.osona.cat/acords/2025.pdf"
    )
