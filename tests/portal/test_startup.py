"""A web process and a Celery worker process keep what they loaded at start out of the garbage
collector's full walks (portal.startup, called by portal.wsgi and on the workers' start signals in
portal.workers), which took 200–400 ms in a started portal process."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.portal.test_settings import PRODUCTION

WALK = """
import gc, time
import portal.wsgi
frozen = gc.get_freeze_count()
started = time.perf_counter()
gc.collect()
print(frozen, len(gc.get_objects()), round((time.perf_counter() - started) * 1000, 1))
"""


# A worker process as Celery starts one: the app loaded (with Django and the tasks), then the signal
# each process of a prefork pool receives once forked.
WORKER_WALK = WALK.replace(
    "import portal.wsgi",
    "from portal.celery import app; app.loader.import_default_modules()\n"
    "from celery.signals import worker_process_init; worker_process_init.send(sender=None)",
)


@pytest.mark.parametrize("program", [WALK, WORKER_WALK], ids=["web", "worker"])
def test_a_started_process_freezes_what_it_loaded(program):
    dropped = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(PRODUCTION, DJANGO_SETTINGS_MODULE="portal.settings")
    done = subprocess.run(
        [sys.executable, "-c", program],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    frozen, left, _milliseconds = done.stdout.split()
    # Django and the apps loaded: tens of thousands of objects frozen, a handful left to walk.
    assert int(frozen) > 50_000
    assert int(left) < int(frozen) / 100
