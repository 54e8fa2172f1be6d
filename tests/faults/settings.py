"""Settings of the processes the fault tests start: the production settings (from environment
variables, DEBUG off) with the recovery timings compressed so that each fault recovers within
seconds rather than minutes, and a trace of the tasks each worker starts and finishes.

- The broker's visibility timeout (production: the task time limit + 60 s), the sweep that
  brings unacknowledged messages back and the expiry of that sweep's lock are a few seconds, so a
  killed worker's render returns quickly. (A visibility timeout shorter than a render would
  deliver it twice while it runs; the render is idempotent, which the tests then also show.)
- Static files are served from the apps' folders (no collectstatic: the smoke test covers the
  hashed, compressed files).
"""

import os
import time

from celery.signals import task_postrun, task_prerun

from portal.settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "visibility_timeout": int(os.environ.get("FAULT_VISIBILITY_TIMEOUT", "6")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
    # A worker killed while it sweeps holds the sweep's lock until it expires (kombu: 300 s); with
    # sweeps every second and kills every few seconds that happens, so the lock expires sooner here.
    "unacked_mutex_expire": 5,
}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True

TRACE_FILE = os.environ.get("FAULT_TRACE_FILE", "")


def _trace(event, task, args):
    """One line per task start or end, written unbuffered (a killed worker loses nothing)."""
    if not TRACE_FILE:
        return
    line = f"{time.time():.3f} {os.getpid()} {event} {task.name} {' '.join(str(arg) for arg in args or ())}\n"
    descriptor = os.open(TRACE_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line.encode())
    finally:
        os.close(descriptor)


@task_prerun.connect(weak=False)
def _started(task=None, args=None, **kwargs):
    _trace("start", task, args)


@task_postrun.connect(weak=False)
def _finished(task=None, args=None, state=None, **kwargs):
    _trace(f"end:{state}", task, args)
