"""The English catalogue is complete and valid, so that English users never meet a stray Chinese string."""

import os
import shutil
import subprocess
import sys

import polib
from django.conf import settings

from tests.conftest import needs_service

CATALOGUE = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_entry_of_the_english_catalogue_is_translated():
    catalogue = polib.pofile(str(CATALOGUE))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not missing, f"untranslated: {missing[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_the_english_catalogue_compiles_with_matching_placeholders():
    needs_service(shutil.which("msgfmt"), "gettext (msgfmt)")
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", "/dev/null", str(CATALOGUE)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


SKIPPED_DIRS = [".venv", "node_modules", "staticfiles", "media", "tests"]


def test_every_string_in_the_code_is_in_the_english_catalogue(tmp_path):
    """makemessages over a mirror of the project (symlinks to its source folders and a copy of the
    catalogue), so that the working tree is never written to: every string it finds must already
    have a translation in the committed catalogue."""
    for tool in ("xgettext", "msguniq", "msgmerge"):
        needs_service(shutil.which(tool), f"gettext ({tool})")
    base = settings.BASE_DIR
    for entry in base.iterdir():
        if entry.name not in {"locale", *SKIPPED_DIRS} and not entry.name.startswith("."):
            (tmp_path / entry.name).symlink_to(entry)
    mirror = tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po"
    mirror.parent.mkdir(parents=True)
    shutil.copyfile(CATALOGUE, mirror)
    result = subprocess.run(
        [sys.executable, str(base / "manage.py"), "makemessages", "-l", "en", "--symlinks", "-v0"]
        + [f"--ignore={name}" for name in SKIPPED_DIRS],
        cwd=tmp_path,
        env={**os.environ, "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    committed = polib.pofile(str(CATALOGUE))
    translated = {(e.msgctxt, e.msgid) for e in committed.translated_entries() if not e.obsolete}
    found = [e for e in polib.pofile(str(mirror)) if not e.obsolete]
    assert found, "makemessages found no strings at all"
    missing = [e.msgid for e in found if (e.msgctxt, e.msgid) not in translated]
    assert not missing, (
        f"{len(missing)} string(s) in the code lack an English translation (run makemessages -l en, "
        f"then translate them in {CATALOGUE.relative_to(base)}): {missing[:20]}"
    )
