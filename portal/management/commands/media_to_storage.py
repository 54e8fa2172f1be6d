"""Copy the files of a media folder on disk into the configured storage (the S3 bucket).

For the move from one machine's disk to a bucket that several machines share: run it with the
S3_* settings of the new setup, while MEDIA_ROOT (or --source) still points at the old folder.
Every file keeps its name, which is what the rows store, so nothing in the database changes.

Safe to run again, and while the portal runs: a file already in the storage with the same size
(and, with --verify, the same SHA-256) is left alone; one with other content under the same name is
reported and never overwritten. The files on disk are not removed.
"""

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError

from portal.storage import is_bucket


def _sha256(handle):
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(block)
    return digest.hexdigest()


class Command(BaseCommand):
    help = (
        "Copy every file under MEDIA_ROOT (or --source) into the configured default storage (the "
        "S3 bucket), under the same names. Idempotent; never overwrites; never removes from disk."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", help="the folder to copy from (default: MEDIA_ROOT)")
        parser.add_argument("--dry-run", action="store_true", help="list what would be copied, copy nothing")
        parser.add_argument(
            "--verify",
            action="store_true",
            help="compare the SHA-256 of files already in the storage, not only their size (reads them back)",
        )

    def handle(self, *args, source=None, dry_run=False, verify=False, **options):
        root = Path(source or settings.MEDIA_ROOT).resolve()
        if not root.is_dir():
            raise CommandError(f"{root} is not a folder.")
        storage = default_storage
        if isinstance(storage, FileSystemStorage) and Path(storage.location).resolve() == root:
            raise CommandError(
                f"The default storage is the folder {root} itself: set S3_BUCKET (and the other S3_* "
                "settings) to the bucket the files should move to."
            )
        where = f"s3://{storage.bucket_name}" if is_bucket(storage) else type(storage).__name__
        self.stdout.write(f"Copying {root} into {where}{' (dry run)' if dry_run else ''}")
        counts = {"copied": 0, "present": 0, "conflict": 0}
        for path in self._files(root):
            name = path.relative_to(root).as_posix()
            outcome = self._copy(storage, path, name, dry_run=dry_run, verify=verify)
            counts[outcome] += 1
            if outcome != "present" or options["verbosity"] > 1:
                self.stdout.write(f"{outcome:8} {name}")
        self.stdout.write(
            f"{counts['copied']} copied, {counts['present']} already there, {counts['conflict']} conflicting"
        )
        if counts["conflict"]:
            raise CommandError(
                f"{counts['conflict']} file(s) exist in the storage with other content: left as they are, "
                "compare them by hand."
            )

    def _files(self, root):
        for directory, subdirs, filenames in os.walk(root):
            subdirs.sort()
            for filename in sorted(filenames):
                path = Path(directory) / filename
                if not path.is_symlink() and path.is_file():
                    yield path

    def _copy(self, storage, path, name, *, dry_run, verify):
        size = path.stat().st_size
        if storage.exists(name):
            same = storage.size(name) == size
            if same and verify:
                with path.open("rb") as local, storage.open(name, "rb") as stored:
                    same = _sha256(local) == _sha256(stored)
            return "present" if same else "conflict"
        if dry_run:
            return "copied"
        with path.open("rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:  # written meanwhile by the running portal under the same name
            storage.delete(saved)
            return "conflict"
        return "copied"
