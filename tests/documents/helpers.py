"""Reading the PDFs the documents tests produce, and the verification page's answers."""

import re
import subprocess

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse


def pdf_text(path_or_bytes):
    """The text of a PDF as poppler's pdftotext extracts it (what a reader copies and searches)."""
    if isinstance(path_or_bytes, bytes):
        data = path_or_bytes
    else:
        with open(path_or_bytes, "rb") as handle:
            data = handle.read()
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def compact(text):
    """Text without whitespace, so that words broken across lines still match."""
    return "".join(text.split())


def pdf_fonts(data):
    result = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=False)
    if result.returncode != 0:  # older poppler cannot read stdin
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(data)
            handle.flush()
            result = subprocess.run(["pdffonts", handle.name], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def upload_for_verification(client, data):
    """The verification page's answer (HTML) to an uploaded PDF."""
    response = client.post(
        reverse("documents:verify"), {"file": SimpleUploadedFile("doc.pdf", data, content_type="application/pdf")}
    )
    assert response.status_code == 200
    return response.content.decode()


def by_testid(page, testid):
    """The text of the element marked data-testid=`testid` on a page, without tags."""
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</(?:dd|p|ul)>', page, re.S)
    assert match, f"{testid} not on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())
