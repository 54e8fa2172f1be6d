"""Checking uploaded files — evidence, letter answers, expert opinions, seminar materials:
the type by content (libmagic), never by name; sizes; names.

Accepted: PDF, JPEG, PNG, Word (DOC/DOCX) and Excel (XLS/XLSX). A DOCX or XLSX is a zip
file, so it is only accepted when its inside looks like an Office Open XML package and its
total uncompressed size stays within bounds (a zip bomb is refused). Any other archive is
refused outright. A PDF with active content (scripts, launch actions, embedded files, rich
media, XFA forms) is refused too.

Messages name what the file is in plain words ("这个文件不是 PDF，而是可执行程序"), never a MIME type.
"""

import hashlib
import logging
import os
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

logger = logging.getLogger(__name__)
PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", DOC: "doc", XLS: "xls", DOCX: "docx", XLSX: "xlsx"}
ALLOWED_TYPES_LABEL = gettext_lazy("PDF、JPG、PNG、Word（DOC/DOCX）、Excel（XLS/XLSX）")

# libmagic's names for the older binary Office format (OLE2 / Compound File); which program
# made it is decided from the extension, and only .doc and .xls are accepted.
OLE_TYPES = {"application/x-ole-storage", "application/CDFV2", "application/cdfv2", DOC, XLS}
ZIP_TYPES = {"application/zip", "application/x-zip-compressed", DOCX, XLSX}
ARCHIVE_TYPES = {
    "application/x-rar",
    "application/vnd.rar",
    "application/x-7z-compressed",
    "application/gzip",
    "application/x-gzip",
    "application/x-bzip2",
    "application/x-xz",
    "application/x-tar",
    "application/zstd",
    "application/x-lzma",
    "application/java-archive",
}

# Limits for the inside of an OOXML package.
OOXML_MAX_ENTRIES = 2000
OOXML_MAX_RATIO = 100  # uncompressed : compressed, checked once the inside exceeds the floor below
OOXML_RATIO_FLOOR = 10 * 1024 * 1024

# What a file is, in the words a user would use. Exact MIME types first, then families.
KIND_NAMES = {
    PDF: gettext_lazy("PDF 文件"),
    JPEG: gettext_lazy("图片"),
    PNG: gettext_lazy("图片"),
    DOC: gettext_lazy("Word 文档"),
    DOCX: gettext_lazy("Word 文档"),
    XLS: gettext_lazy("Excel 表格"),
    XLSX: gettext_lazy("Excel 表格"),
    "application/vnd.ms-powerpoint": gettext_lazy("PowerPoint 演示文稿"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": gettext_lazy("PowerPoint 演示文稿"),
    "application/x-dosexec": gettext_lazy("可执行程序"),
    "application/x-executable": gettext_lazy("可执行程序"),
    "application/x-pie-executable": gettext_lazy("可执行程序"),
    "application/x-sharedlib": gettext_lazy("可执行程序"),
    "application/x-mach-binary": gettext_lazy("可执行程序"),
    "application/x-msi": gettext_lazy("可执行程序"),
    "application/x-msdownload": gettext_lazy("可执行程序"),
    "application/vnd.microsoft.portable-executable": gettext_lazy("可执行程序"),
    "text/html": gettext_lazy("网页文件"),
    "application/xhtml+xml": gettext_lazy("网页文件"),
    "image/svg+xml": gettext_lazy("SVG 矢量图"),
    "text/x-shellscript": gettext_lazy("脚本程序"),
    "text/x-python": gettext_lazy("脚本程序"),
    "text/x-script.python": gettext_lazy("脚本程序"),
    "text/x-perl": gettext_lazy("脚本程序"),
    "text/x-php": gettext_lazy("脚本程序"),
    "text/javascript": gettext_lazy("脚本程序"),
    "application/javascript": gettext_lazy("脚本程序"),
    "text/x-msdos-batch": gettext_lazy("脚本程序"),
    "text/plain": gettext_lazy("纯文本文件"),
    "text/csv": gettext_lazy("纯文本文件"),
    "text/rtf": gettext_lazy("RTF 文档"),
    "application/rtf": gettext_lazy("RTF 文档"),
    "application/vnd.oasis.opendocument.text": gettext_lazy("OpenDocument 文档"),
    "application/vnd.oasis.opendocument.spreadsheet": gettext_lazy("OpenDocument 表格"),
    "application/x-empty": gettext_lazy("空文件"),
    "inode/x-empty": gettext_lazy("空文件"),
}
FAMILY_NAMES = {
    "image/": gettext_lazy("图片"),
    "video/": gettext_lazy("视频"),
    "audio/": gettext_lazy("音频"),
    "font/": gettext_lazy("字体文件"),
    "text/": gettext_lazy("文本文件"),
}
# The kind a file claims to be by its extension, for "这个文件不是 PDF，而是……".
CLAIMED_NAMES = {
    "pdf": gettext_lazy("PDF"),
    "jpg": gettext_lazy("图片"),
    "jpeg": gettext_lazy("图片"),
    "png": gettext_lazy("图片"),
    "doc": gettext_lazy("Word 文档"),
    "docx": gettext_lazy("Word 文档"),
    "xls": gettext_lazy("Excel 表格"),
    "xlsx": gettext_lazy("Excel 表格"),
}


def kind_name(content_type):
    """A plain name for a detected content type: 可执行程序, 压缩包, 图片…, never the MIME type."""
    if content_type in KIND_NAMES:
        return str(KIND_NAMES[content_type])
    if content_type in ARCHIVE_TYPES or content_type in ZIP_TYPES or content_type.endswith(("zip", "compressed")):
        return _("压缩包")
    for prefix, name in FAMILY_NAMES.items():
        if content_type.startswith(prefix):
            return str(name)
    return _("无法识别类型的文件")


def _wrong_kind(detected, extension):
    """The refusal for a file whose content is not an accepted type, in plain words."""
    actual = kind_name(detected)
    claimed = CLAIMED_NAMES.get(extension)
    if claimed:
        claimed = str(claimed)
        # Latin names stand apart from the Chinese around them: 不是 PDF，but 不是图片.
        if claimed[:1].isascii():
            claimed = f" {claimed}"
        reason = _("这个文件不是%(claimed)s，而是%(actual)s。只接受 %(types)s。")
    else:
        reason = _("这个文件是%(actual)s，不能上传。只接受 %(types)s。")
    return ValidationError(reason % {"claimed": claimed, "actual": actual, "types": ALLOWED_TYPES_LABEL}, code="type")


# Active content in a PDF: what a viewer would run, launch or unpack.
PDF_ACTIVE_CONTENT = gettext_lazy("PDF 含有脚本或嵌入文件等活动内容，出于安全原因不予接收。")
PDF_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EmbeddedFile", "/EF", "/XFA", "/RichMediaContent"}
PDF_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute", "/GoToE"}
PDF_ACTIVE_TYPES = {"/EmbeddedFile", "/RichMedia", "/FileAttachment"}
PDF_MAX_OBJECTS = 500_000
# Names searched in the raw bytes (outside stream data) and in inflated object streams.
_PDF_RAW_NAMES = {
    b"JS",
    b"JavaScript",
    b"Launch",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"RichMedia",
    b"RichMediaContent",
    b"RichMediaExecute",
    b"XFA",
    b"ImportData",
    b"GoToE",
    b"FileAttachment",
}
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]+)")
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n")
_PDF_ENDSTREAM = b"endstream"
PDF_MAX_INFLATED = 64 * 1024 * 1024


def _pdf_raw_names(data):
    """Active-content names in raw PDF bytes, with #xx escapes in names decoded."""
    found = set()
    for match in _PDF_NAME.finditer(data):
        name = _PDF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        if name in _PDF_RAW_NAMES:
            found.add(name.decode())
    return found


def _pdf_raw_scan(data):
    """Fallback for files a parser may read differently from a viewer: look for the names of
    active content in the object dictionaries (stream data left out, where image bytes could
    look like a name by chance) and inside object streams, which hold compressed dictionaries."""
    found = set()
    position, inflated_budget = 0, PDF_MAX_INFLATED
    while True:
        start = _PDF_STREAM.search(data, position)
        if start is None:
            found |= _pdf_raw_names(data[position:])
            return found
        header = data[position : start.start()]
        found |= _pdf_raw_names(header)
        end = data.find(_PDF_ENDSTREAM, start.end())
        body_end = len(data) if end < 0 else end
        # The stream's own dictionary is the last "<<" … ">>" before the keyword.
        dictionary = header[header.rfind(b"obj") :] if b"obj" in header else header[-2048:]
        if b"/ObjStm" in dictionary and inflated_budget > 0:
            try:
                inflater = zlib.decompressobj()
                inflated = inflater.decompress(data[start.end() : body_end], inflated_budget)
                inflated_budget -= len(inflated)
                found |= _pdf_raw_names(inflated)
            except zlib.error:
                pass
        if end < 0:
            return found
        position = end + len(_PDF_ENDSTREAM)


def _pdf_parsed_scan(upload):
    """Walk every object reachable from the document's trailer (pypdf reads compressed object
    streams too) and name the active content found: scripts (/JS, /JavaScript actions in
    /OpenAction, /AA, annotations' /A, the /Names tree), launch actions, embedded files
    (/EmbeddedFiles, /EF, file attachment annotations), rich media and XFA forms.
    Returns a set of findings, or None when the file cannot be parsed."""
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(_("不接受加密的文件，请去除密码后再上传。"), code="encrypted")
        found = set()
        seen = set()
        stack = [reader.trailer]
        visited = 0
        while stack:
            obj = stack.pop()
            if isinstance(obj, IndirectObject):
                key = (obj.idnum, obj.generation)
                if key in seen:
                    continue
                seen.add(key)
                obj = obj.get_object()
            visited += 1
            if visited > PDF_MAX_OBJECTS:
                break
            if isinstance(obj, DictionaryObject):
                for name, value in obj.items():
                    if name in PDF_ACTIVE_KEYS:
                        found.add(name)
                    if name in {"/S", "/Type", "/Subtype"}:
                        value = value.get_object() if isinstance(value, IndirectObject) else value
                        if isinstance(value, NameObject) and (
                            (name == "/S" and value in PDF_ACTIVE_ACTIONS) or value in PDF_ACTIVE_TYPES
                        ):
                            found.add(str(value))
                    if name != "/Parent":
                        stack.append(value)
            elif isinstance(obj, ArrayObject):
                stack.extend(obj)
        return found
    except ValidationError:
        raise
    except (PdfReadError, ValueError, TypeError, KeyError, AttributeError, RecursionError, OSError, zlib.error):
        return None
    except Exception:  # a malformed file must not break the upload: the raw scan still decides
        logger.warning("PDF could not be parsed for active content", exc_info=True)
        return None
    finally:
        upload.seek(0)


def _check_pdf(upload):
    """Refuse a PDF with active content. Both the parsed object graph and the raw bytes are
    searched, so that neither a compressed object stream nor a broken cross-reference table
    hides a script from the check."""
    found = _pdf_parsed_scan(upload) or set()
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    found |= _pdf_raw_scan(data)
    if found:
        logger.info("PDF refused for active content: %s", ", ".join(sorted(found)))
        raise ValidationError(PDF_ACTIVE_CONTENT, code="pdf_active_content")


def max_file_bytes():
    return settings.EVIDENCE_MAX_FILE_MB * 1024 * 1024


def max_total_bytes():
    return settings.EVIDENCE_MAX_TOTAL_MB * 1024 * 1024


class UploadRefused(ValidationError):
    """A file was refused by the checks here. Forms show it at their file field."""


@dataclass
class CheckedUpload:
    name: str
    content_type: str
    size: int
    sha256: str


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def sanitise_name(name, *, extension=None, limit=120):
    """A file name safe to show and to offer for download: no path, no control or
    reserved characters, no leading dots, a bounded length, and the extension of the real type."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    stem, _dot, ext = name.rpartition(".")
    if not _dot:
        stem, ext = name, ""
    stem = re.sub(r"\s+", " ", stem).strip() or _("文件")
    if extension:
        ext = extension
    ext = ext[:10]
    room = limit - (len(ext) + 1 if ext else 0)
    stem = stem[:room]
    return f"{stem}.{ext}" if ext else stem


def _read_head(upload, n=65536):
    upload.seek(0)
    head = upload.read(n)
    upload.seek(0)
    return head


def _check_ooxml(upload, limit):
    """Return DOCX or XLSX if the zip is a genuine Word or Excel package of sane size."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as package:
            entries = package.infolist()
            names = {entry.filename for entry in entries}
            if len(entries) > OOXML_MAX_ENTRIES:
                raise ValidationError(_("文件内部结构异常（条目过多），已拒绝。"), code="zip_bomb")
            total = sum(entry.file_size for entry in entries)
            compressed = sum(entry.compress_size for entry in entries) or 1
            suspicious_ratio = total > OOXML_RATIO_FLOOR and total > compressed * OOXML_MAX_RATIO
            if total > limit or suspicious_ratio:
                raise ValidationError(_("文件解压后体积异常（疑似压缩炸弹），已拒绝。"), code="zip_bomb")
            if any(entry.flag_bits & 0x1 for entry in entries):
                raise ValidationError(_("不接受加密的文件，请去除密码后再上传。"), code="encrypted")
    except zipfile.BadZipFile as exc:
        raise ValidationError(_("文件已损坏，无法读取。"), code="corrupt") from exc
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        raise ValidationError(_("不接受压缩包（zip 等），请上传解压后的文件。"), code="archive")
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    raise ValidationError(
        _("只接受 %(types)s 文件；该文件不是 Word 或 Excel 文档。") % {"types": ALLOWED_TYPES_LABEL}, code="type"
    )


def check_upload(upload, *, already_used=0, max_file=None, max_total=None):
    """Validate one uploaded file. Returns a CheckedUpload or raises ValidationError with a
    message naming the file. `already_used` is the bytes already held by whatever the file is
    added to; `max_file` and `max_total` (bytes) default to the evidence limits in settings."""
    max_file = max_file or max_file_bytes()
    max_total = max_total or max_total_bytes()
    original = upload.name or ""
    shown = sanitise_name(original)
    size = upload.size
    if size == 0:
        raise UploadRefused(_("“%(name)s”是空文件。") % {"name": shown}, code="empty")
    if size > max_file:
        raise UploadRefused(
            _("“%(name)s”大小为 %(size)s，超过单个文件 %(limit)s MB 的上限。")
            % {"name": shown, "size": filesizeformat(size), "limit": max_file // (1024 * 1024)},
            code="too_large",
        )
    if already_used + size > max_total:
        raise UploadRefused(
            _("上传“%(name)s”后材料总量将超过 %(limit)s MB 的上限，请压缩或精简后再上传。")
            % {"name": shown, "limit": max_total // (1024 * 1024)},
            code="total_too_large",
        )
    detected = magic.from_buffer(_read_head(upload), mime=True)
    extension = original.rpartition(".")[2].lower() if "." in original else ""
    try:
        if detected == PDF:
            _check_pdf(upload)
            content_type = detected
        elif detected in {JPEG, PNG}:
            content_type = detected
        elif detected in ZIP_TYPES:
            content_type = _check_ooxml(upload, max_file * 10)
        elif detected in OLE_TYPES:
            if detected in {DOC, XLS}:
                content_type = detected
            elif extension in {"doc", "xls"}:
                content_type = DOC if extension == "doc" else XLS
            else:
                raise ValidationError(_("无法确认该文件是 Word 或 Excel 文档。"), code="type")
        elif detected in ARCHIVE_TYPES:
            raise ValidationError(_("不接受压缩包，请上传解压后的文件。"), code="archive")
        else:
            raise _wrong_kind(detected, extension)
    except ValidationError as exc:
        raise UploadRefused(
            _("“%(name)s”：%(reason)s") % {"name": shown, "reason": exc.messages[0]}, code=exc.code
        ) from exc
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        name=sanitise_name(original, extension=EXTENSIONS[content_type]),
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
    )


def check_uploads(uploads, *, max_count, max_file=None, max_total=None):
    """Check a batch of files added together. Returns [(upload, CheckedUpload), …] or raises
    ValidationError naming the first file that fails."""
    uploads = [upload for upload in uploads or () if upload]
    if len(uploads) > max_count:
        raise UploadRefused(_("附件最多 %(n)d 个。") % {"n": max_count}, code="too_many")
    checked, used = [], 0
    for upload in uploads:
        result = check_upload(upload, already_used=used, max_file=max_file, max_total=max_total)
        used += result.size
        checked.append((upload, result))
    return checked
