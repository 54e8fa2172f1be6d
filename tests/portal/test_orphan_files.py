"""Files no row references (written by a rolled-back transaction, or by a render whose result was
never saved) are removed by the periodic sweep once they are an hour old; files rows reference,
fresh files and files outside the models' folders are kept."""

import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from portal.files import orphan_files_remove, swept_folders
from portal.tasks import remove_orphan_files
from tests.applications.factories import AttachmentFactory

pytestmark = pytest.mark.django_db


def _write(name, *, hours_old):
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 test")
    then = time.time() - hours_old * 3600
    os.utime(path, (then, then))
    return path


def _age(path, hours):
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_the_sweep_covers_the_folders_the_models_write_into():
    folders = set().union(*swept_folders().values())
    assert {"documents", "evidence", "messages", "letter-answers", "expert-opinions", "seminar-materials"} <= folders


def test_orphans_older_than_an_hour_are_removed_and_logged(caplog):
    kept = AttachmentFactory()
    kept_path = Path(kept.file.path)
    _age(kept_path, 5)

    # An upload whose transaction rolled back: the file was written, the row never committed.
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = AttachmentFactory()
        lost_path = Path(lost.file.path)
        raise RuntimeError("the request failed after the file was written")
    assert lost_path.exists()
    _age(lost_path, 2)

    interrupted_render = _write("documents/2026/guidance_opinion-7-v1.pdf", hours_old=2)
    fresh = _write("documents/2026/guidance_opinion-8-v1.pdf", hours_old=0.5)  # its render may not have committed
    elsewhere = _write("exports/report.pdf", hours_old=48)  # no model writes there

    assert remove_orphan_files.apply().get(disable_sync_subtasks=False) == 2
    assert not lost_path.exists() and not interrupted_render.exists()
    assert kept_path.exists() and fresh.exists() and elsewhere.exists()
    assert "Removed orphan file documents/2026/guidance_opinion-7-v1.pdf" in caplog.text
    assert f"Removed orphan file {lost_path.relative_to(settings.MEDIA_ROOT).as_posix()}" in caplog.text

    assert orphan_files_remove() == []  # run twice: nothing more
