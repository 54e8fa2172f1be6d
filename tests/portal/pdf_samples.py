"""PDF files for the upload tests, made on the spot: plain ones and ones with active content."""

import io
import zlib

from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject


def _write(writer):
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def plain_pdf():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    return _write(writer)


def pdf_with_javascript():
    """A document-level script, run when the file is opened (the /Names /JavaScript tree)."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_open_action(JavaScript("app.alert('hello');"))
    return _write(writer)


def pdf_with_attachment():
    """An embedded file (/EmbeddedFiles), here a little batch script."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_attachment("setup.bat", b"@echo off\r\nstart calc.exe\r\n")
    return _write(writer)


def pdf_with_launch_link():
    """A link annotation whose action launches a program."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_annotation(
        0,
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(100), FloatObject(100)]),
                NameObject("/A"): DictionaryObject(
                    {
                        NameObject("/S"): NameObject("/Launch"),
                        NameObject("/F"): TextStringObject("cmd.exe"),
                    }
                ),
            }
        ),
    )
    return _write(writer)


def pdf_with_xfa():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): TextStringObject("<xdp/>")}
    )
    return _write(writer)


def pdf_in_object_stream(action=b"<</S/JavaScript/JS(app.alert(1))>>"):
    """A PDF 1.5 file whose catalog and /OpenAction action sit in a compressed object stream,
    with a cross-reference stream: nothing of the action is visible in the raw bytes."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>",
        action,
    ]
    body, offsets = b"", []
    for obj in objects:
        offsets.append(len(body))
        body += obj + b"\n"
    header = b" ".join(b"%d %d" % (number + 1, offset) for number, offset in enumerate(offsets)) + b"\n"
    packed = zlib.compress(header + body)
    out = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n"
    stream_at = len(out)
    out += b"5 0 obj<</Type/ObjStm/N 4/First %d/Filter/FlateDecode/Length %d>>stream\n" % (len(header), len(packed))
    out += packed + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = b"\x00" + bytes(4) + b"\xff\xff"
    rows += b"".join(b"\x02" + (5).to_bytes(4, "big") + index.to_bytes(2, "big") for index in range(4))
    rows += b"\x01" + stream_at.to_bytes(4, "big") + bytes(2)
    rows += b"\x01" + xref_at.to_bytes(4, "big") + bytes(2)
    xref = zlib.compress(rows)
    out += b"6 0 obj<</Type/XRef/Size 7/W[1 4 2]/Root 1 0 R/Filter/FlateDecode/Length %d>>stream\n" % len(xref)
    out += xref + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    assert b"JavaScript" not in out
    return out


def broken_pdf_with_escaped_script_name():
    """No cross-reference table at all, and the action's names written with #xx escapes
    (/J#61vaScript is /JavaScript): a viewer repairs such a file and runs the script."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction<</S/J#61vaScript/J#53(app.alert(1))>>>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n%%EOF\n"
    )


def pdf_with_name_like_bytes_in_stream_data():
    """A harmless PDF whose stream data happens to contain the bytes "/JS " (as image data
    can by chance): only dictionaries are searched, never stream data."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    from pypdf.generic import DecodedStreamObject

    content = DecodedStreamObject()
    content.set_data(b"% /JS /JavaScript /Launch /EmbeddedFile\nq Q\n")
    page[NameObject("/Contents")] = writer._add_object(content)
    return _write(writer)
