"""Start-up refuses missing or malformed configuration, naming the variable; production
settings pass Django's deployment checks."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = {
    "SECRET_KEY": "x" * 20 + "production-secret-from-the-environment-0123456789",
    "ALLOWED_HOSTS": "ipguide.example.cn",
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.cn:587",
    "SITE_URL": "https://ipguide.example.cn",
}


def manage(*args, **env):
    # The subprocess sees production-style settings only: nothing of the test process's own.
    dropped = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        # Documents would carry a QR code to a plain-http (or development) address.
        ({"SITE_URL": "http://ipguide.example.cn"}, "SITE_URL"),
        ({"SITE_URL": ""}, "SITE_URL"),
    ],
)
def test_bad_configuration_stops_start_up_naming_the_variable(env, named):
    result = manage("check", **{**PRODUCTION, **env})
    assert result.returncode != 0
    assert f"Environment variable {named}" in result.stderr


def test_demo_data_is_refused_in_production():
    result = manage("seed_demo", **PRODUCTION)
    assert result.returncode != 0
    assert "DEBUG is off" in result.stderr


def test_source_only_commands_run_in_a_fresh_checkout_without_secrets():
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_serving_commands_still_need_the_secrets():
    result = manage("migrate", "--plan")
    assert result.returncode != 0
    assert "Environment variable SECRET_KEY" in result.stderr
