"""Evidence files: type by content, sizes, archives, zip bombs, names."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from portal.uploads import DOC, DOCX, JPEG, PDF, PNG, XLS, XLSX, check_upload, sanitise_name
from tests.applications.factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES, ooxml, plain_zip, upload

OLE_HEADER = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.mark.parametrize(
    ("name", "content", "expected_type", "expected_name"),
    [
        ("营业执照.pdf", PDF_BYTES, PDF, "营业执照.pdf"),
        ("scan.PNG", PNG_BYTES, PNG, "scan.png"),
        ("photo.jpeg", JPEG_BYTES, JPEG, "photo.jpg"),
        ("专利说明书.docx", ooxml("docx"), DOCX, "专利说明书.docx"),
        ("损失测算.xlsx", ooxml("xlsx"), XLSX, "损失测算.xlsx"),
        ("律师函.doc", OLE_HEADER, DOC, "律师函.doc"),
        ("台账.xls", OLE_HEADER, XLS, "台账.xls"),
        # The type comes from the content: a PNG named .pdf is stored as the PNG it is.
        ("misnamed.pdf", PNG_BYTES, PNG, "misnamed.png"),
    ],
)
def test_accepted_types_are_recognised_by_content(name, content, expected_type, expected_name):
    checked = check_upload(upload(name, content))
    assert checked.content_type == expected_type
    assert checked.name == expected_name
    assert checked.size == len(content)
    assert len(checked.sha256) == 64


def test_an_executable_renamed_pdf_is_refused():
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    with pytest.raises(ValidationError) as error:
        check_upload(upload("合同.pdf", exe))
    assert error.value.messages[0].startswith("“合同.pdf”：这个文件不是 PDF，而是可执行程序。")


def test_html_with_script_is_refused():
    with pytest.raises(ValidationError, match="这个文件不是 PDF，而是网页文件"):
        check_upload(upload("a.pdf", b"<html><script>alert(1)</script></html>"))


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("报告.docx", b"<html><body>x</body></html>", "这个文件不是 Word 文档，而是网页文件"),
        ("照片.jpg", b"just some words\n" * 20, "这个文件不是图片，而是纯文本文件"),
        ("setup.exe", EXE, "这个文件是可执行程序，不能上传"),
        ("install.sh", b"#!/bin/sh\nrm -rf /\n", "这个文件是脚本程序，不能上传"),
        ("动画.gif", b"GIF89a" + bytes(100), "这个文件是图片，不能上传"),
    ],
)
def test_refusals_name_the_file_s_kind_in_plain_words_never_a_mime_type(name, content, expected):
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, content))
    message = error.value.messages[0]
    assert expected in message
    assert "只接受 PDF、JPG、PNG" in message
    assert "application/" not in message and "text/" not in message and "image/" not in message


def test_a_plain_zip_archive_is_refused():
    with pytest.raises(ValidationError, match="压缩包"):
        check_upload(upload("材料.zip", plain_zip()))


def test_a_zip_named_docx_without_word_inside_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("evil.exe", "MZ")
    with pytest.raises(ValidationError, match="不是 Word 或 Excel"):
        check_upload(upload("文档.docx", buffer.getvalue()))


def test_other_archives_are_refused():
    import gzip

    with pytest.raises(ValidationError, match="压缩包"):
        check_upload(upload("材料.pdf", gzip.compress(b"x" * 1000)))


def test_a_zip_bomb_disguised_as_docx_is_refused(settings):
    settings.EVIDENCE_MAX_FILE_MB = 1
    bomb = ooxml("docx", extra={"word/media/huge.bin": b"\x00" * (30 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024  # small on disk…
    with pytest.raises(ValidationError, match="压缩炸弹"):
        check_upload(upload("报告.docx", bomb))


def test_an_ole_file_that_claims_to_be_a_pdf_is_refused():
    with pytest.raises(ValidationError, match="Word 或 Excel"):
        check_upload(upload("a.pdf", OLE_HEADER))


def test_a_file_over_the_per_file_limit_is_refused_with_the_limit_named(settings):
    settings.EVIDENCE_MAX_FILE_MB = 1
    big = PDF_BYTES + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as error:
        check_upload(upload("大文件.pdf", big))
    assert "1 MB" in error.value.messages[0]


def test_the_per_application_total_is_enforced(settings):
    settings.EVIDENCE_MAX_TOTAL_MB = 1
    with pytest.raises(ValidationError, match="总量"):
        check_upload(upload("b.pdf", PDF_BYTES), already_used=1024 * 1024 - 10)


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="空文件"):
        check_upload(upload("empty.pdf", b""))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\王丽\\营业执照.pdf", "营业执照.pdf"),
        ('a<script>"x".pdf', "a_script_x_.pdf"),
        ("\x00\x1fbad\nname.pdf", "_bad_name.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("", "文件"),
    ],
)
def test_names_are_sanitised(raw, expected):
    assert sanitise_name(raw) == expected


def test_long_names_are_shortened_keeping_the_extension():
    name = sanitise_name("长" * 500 + ".pdf")
    assert len(name) <= 120
    assert name.endswith(".pdf")


def test_a_zip_bomb_within_the_size_limit_but_with_an_absurd_ratio_is_refused(settings):
    settings.EVIDENCE_MAX_FILE_MB = 20  # 200 MB uncompressed allowed, but 40 MB of zeros is 1000:1
    bomb = ooxml("xlsx", extra={"xl/worksheets/sheet1.xml": b"\x00" * (40 * 1024 * 1024)})
    with pytest.raises(ValidationError, match="压缩炸弹"):
        check_upload(upload("表格.xlsx", bomb))
