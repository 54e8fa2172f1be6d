"""Enqueue Celery work only once the surrounding transaction has committed.

A task sent before commit can run before its rows exist (or after they were rolled
back). Services therefore never call `.delay()` themselves; they call `enqueue`.
"""

from functools import partial

from django.db import transaction


def enqueue(task, *args, **kwargs):
    transaction.on_commit(partial(task.apply_async, args=args, kwargs=kwargs))
