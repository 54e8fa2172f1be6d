"""Production static files: `collectstatic` with DEBUG off, as the README's production step runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_collectstatic_with_debug_off_gives_hashed_names(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}
    }
    env.update({"DEBUG": "0", "STATIC_ROOT": str(tmp_path / "static")})
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    for name in ["vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap/bootstrap.bundle.min.js", "css/portal.css"]:
        hashed = manifest[name]
        assert hashed != name and (tmp_path / "static" / hashed).is_file()
        assert (tmp_path / "static" / f"{hashed}.gz").is_file()
