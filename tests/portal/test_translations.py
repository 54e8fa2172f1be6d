"""The English catalogue is complete and valid, so that English users never meet a stray Chinese string."""

import shutil
import subprocess

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
