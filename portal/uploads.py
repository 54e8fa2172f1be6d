"""Checking uploaded files — evidence, letter answers, expert opinions, seminar materials:
the type by content (libmagic), never by name; sizes; names.

Accepted: PDF, JPEG, PNG, Word (DOC/DOCX) and Excel (XLS/XLSX). A DOCX or XLSX is a zip
file, so it is only accepted when its inside looks like an Office Open XML package and its
total uncompressed size stays within bounds (a zip bomb is refused). Any other archive is
refused outright.
"""

import hashlib
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


def max_file_bytes():
    return settings.EVIDENCE_MAX_FILE_MB * 1024 * 1024


def max_total_bytes():
    return settings.EVIDENCE_MAX_TOTAL_MB * 1024 * 1024


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
        raise ValidationError(_("“%(name)s”是空文件。") % {"name": shown}, code="empty")
    if size > max_file:
        raise ValidationError(
            _("“%(name)s”大小为 %(size)s，超过单个文件 %(limit)s MB 的上限。")
            % {"name": shown, "size": filesizeformat(size), "limit": max_file // (1024 * 1024)},
            code="too_large",
        )
    if already_used + size > max_total:
        raise ValidationError(
            _("上传“%(name)s”后材料总量将超过 %(limit)s MB 的上限，请压缩或精简后再上传。")
            % {"name": shown, "limit": max_total // (1024 * 1024)},
            code="total_too_large",
        )
    detected = magic.from_buffer(_read_head(upload), mime=True)
    extension = original.rpartition(".")[2].lower() if "." in original else ""
    try:
        if detected in {PDF, JPEG, PNG}:
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
            raise ValidationError(
                _("文件内容不是允许的类型（检测结果：%(detected)s）。只接受 %(types)s。")
                % {"detected": detected, "types": ALLOWED_TYPES_LABEL},
                code="type",
            )
    except ValidationError as exc:
        raise ValidationError(
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
        raise ValidationError(_("附件最多 %(n)d 个。") % {"n": max_count}, code="too_many")
    checked, used = [], 0
    for upload in uploads:
        result = check_upload(upload, already_used=used, max_file=max_file, max_total=max_total)
        used += result.size
        checked.append((upload, result))
    return checked
