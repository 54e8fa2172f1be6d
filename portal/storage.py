"""The stored files of the portal, wherever they are kept: on local disk (the default) or in an
S3-compatible bucket that every web and worker machine shares (S3_BUCKET, see portal.settings).

Everything here works on any Django storage; only what would be slow or impossible through the
generic storage API (listing a bucket with the dates of its objects, streaming an object without
a temporary copy, a signed URL) asks the bucket directly.

`private_file_response` is the one place that hands a private file to a user. A view calls it only
after its access check (a wrong id being a 404 before it gets here). The file is streamed through
the portal by default (PRIVATE_FILE_DELIVERY=stream); with PRIVATE_FILE_DELIVERY=redirect and a
bucket, the answer is a redirect to a signed URL of the object that is valid S3_SIGNED_URL_SECONDS
and carries the download name and type, so that the bytes no longer pass through the web
process. The bucket itself stays private: no object can be read without such a signature.
"""

import datetime
import mimetypes
import os
from pathlib import Path
from typing import NamedTuple

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

# Headers of every private file answer: no guessing of types by the browser, nothing the file
# might contain runs in the portal's origin, and no shared cache keeps a copy.
PRIVATE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, no-store",
}

_NOT_FOUND_CODES = {"404", "NoSuchKey", "NotFound"}


def is_bucket(storage):
    """Whether `storage` keeps its files in an S3-compatible bucket."""
    return isinstance(storage, S3Storage)


def _key(storage, name):
    """The object key of the stored file `name` (the storage's location prefix included)."""
    return storage._normalize_name(clean_name(name))


def _missing(error):
    return isinstance(error, ClientError) and (
        str(error.response.get("Error", {}).get("Code")) in _NOT_FOUND_CODES
        or error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404
    )


class _ObjectStream:
    """The body of a bucket object as a file-like object for FileResponse: read in blocks as they
    arrive, with no temporary copy on the web machine."""

    def __init__(self, body):
        self._body = body

    def read(self, size=-1):
        return self._body.read(None if size is None or size < 0 else size)

    def close(self):
        self._body.close()


def _content_type(filename, content_type):
    if content_type:
        return content_type
    guessed, encoding = mimetypes.guess_type(filename or "")
    if encoding:  # a .gz is a gzip file to download, not text the browser should unpack
        return "application/octet-stream"
    return guessed or "application/octet-stream"


def _open_stream(field_file):
    """(file-like object, size or None) of a stored file; Http404 when it is missing."""
    storage = field_file.storage
    if is_bucket(storage):
        try:
            answer = storage.bucket.Object(_key(storage, field_file.name)).get()
        except ClientError as exc:
            if _missing(exc):
                raise Http404 from exc
            raise
        return _ObjectStream(answer["Body"]), answer.get("ContentLength")
    try:
        return storage.open(field_file.name, "rb"), None
    except (FileNotFoundError, IsADirectoryError, ValueError) as exc:
        raise Http404 from exc


def private_file_response(field_file, *, filename, content_type=None, as_attachment=True):
    """The answer that hands the stored file `field_file` to a user whose access the view has
    already checked: streamed, or a redirect to a short-lived signed URL (see the module's text).
    `filename` is the name the browser saves it under; `content_type` is guessed from it when not
    given. A file that is not there is a 404."""
    if not field_file:
        raise Http404
    content_type = _content_type(filename, content_type)
    storage = field_file.storage
    if settings.PRIVATE_FILE_DELIVERY == "redirect" and is_bucket(storage):
        url = storage.url(
            field_file.name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(as_attachment, filename),
                "ResponseContentType": content_type,
                "ResponseCacheControl": "private, no-store",
            },
            expire=settings.S3_SIGNED_URL_SECONDS,
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        # The signature is the key to the file for its lifetime: never passed on to another site.
        response["Referrer-Policy"] = "no-referrer"
        return response
    handle, size = _open_stream(field_file)
    response = FileResponse(handle, as_attachment=as_attachment, filename=filename, content_type=content_type)
    if size is not None:
        response["Content-Length"] = str(size)
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return response


def stored_bytes(field_file):
    """The whole content of a stored file. OSError when it cannot be read (missing, or the
    bucket not answering), on disk and in a bucket alike."""
    try:
        with field_file.storage.open(field_file.name, "rb") as handle:
            return handle.read()
    except (BotoCoreError, ClientError) as exc:
        raise OSError(f"{field_file.name} cannot be read: {exc}") from exc


class StoredFile(NamedTuple):
    """One file found in a storage folder."""

    name: str  # relative to the storage
    modified: datetime.datetime  # when it was last written (aware)
    size: int  # bytes


def stored_files(storage, folder):
    """Every file under `folder` (a name relative to the storage, no leading slash), at any depth,
    as StoredFile. Nothing when the folder does not exist. Symbolic links on disk are left out."""
    folder = folder.strip("/")
    if is_bucket(storage):
        yield from _bucket_files(storage, folder)
    elif isinstance(storage, FileSystemStorage):
        yield from _disk_files(storage, folder)
    else:
        yield from _listed_files(storage, folder)


def _bucket_files(storage, folder):
    # One listing request per thousand objects, dates and sizes included (not one request a file).
    location = storage.location.strip("/")
    prefix = f"{location}/{folder}/" if location else f"{folder}/"
    for summary in storage.bucket.objects.filter(Prefix=prefix):
        name = summary.key[len(location) + 1 :] if location else summary.key
        yield StoredFile(name, summary.last_modified, summary.size)


def _disk_files(storage, folder):
    root = Path(storage.location)
    for directory, _subdirs, filenames in os.walk(root / folder):
        for filename in filenames:
            path = Path(directory) / filename
            try:
                if path.is_symlink():
                    continue
                stat = path.stat()
            except FileNotFoundError:
                continue
            modified = datetime.datetime.fromtimestamp(stat.st_mtime, tz=datetime.UTC)
            yield StoredFile(path.relative_to(root).as_posix(), modified, stat.st_size)


def _listed_files(storage, folder):
    try:
        directories, filenames = storage.listdir(folder)
    except FileNotFoundError:
        return
    for filename in filenames:
        name = f"{folder}/{filename}"
        try:
            yield StoredFile(name, storage.get_modified_time(name), storage.size(name))
        except FileNotFoundError:
            continue
    for directory in directories:
        yield from _listed_files(storage, f"{folder}/{directory}")
