"""What every log line says about the request or task it was written in.

Each record written while a request is served carries `request_id` (the proxy's X-Request-ID when
it sends a plausible one, else a new one), `path` and, once the request's user has been loaded,
`user_id`; each record written while a Celery task runs carries `task_id` and `task`. With
LOG_FORMAT=json (python-json-logger) they are fields of the line's object, for a log collector to
follow one request across machines; the text format leaves them out.

The fields come from a log record factory (so they reach records of every logger and handler
without a filter in LOGGING) and a context variable set on Django's request_started signal and
Celery's task_prerun. `install()` runs once per process, from portal.celery, which every web and
worker process imports at start. With LOG_FORMAT=json the worker's own log lines (Celery sets up
its loggers itself) are turned to JSON too.
"""

import contextvars
import logging
import re
import uuid

from celery.signals import after_setup_logger, after_setup_task_logger, task_postrun, task_prerun
from django.core.signals import request_finished, request_started

_context = contextvars.ContextVar("portal_log_context", default=None)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_installed = []


def current():
    """The fields of the request or task being served, or None."""
    return _context.get()


def _on_request_started(sender=None, environ=None, scope=None, **kwargs):
    if environ is not None:
        given = environ.get("HTTP_X_REQUEST_ID", "")
        path = environ.get("PATH_INFO", "")
    else:
        headers = dict((scope or {}).get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        path = (scope or {}).get("path", "")
    request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    _context.set({"request_id": request_id, "path": path[:300]})


def _on_request_finished(sender=None, **kwargs):
    _context.set(None)


def remember_request(request):
    """Lets records name the request's user once it is loaded (called by a middleware that has the request)."""
    fields = _context.get()
    if fields is not None:
        fields["request"] = request


def _user_id(request):
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)  # SimpleLazyObject: never load the user just to log
    if wrapped is None or type(wrapped).__name__ == "object":
        return None
    return getattr(wrapped, "pk", None)


def _on_task_prerun(sender=None, task_id=None, task=None, **kwargs):
    _context.set({"task_id": task_id, "task": getattr(task, "name", None)})


def _on_task_postrun(sender=None, **kwargs):
    _context.set(None)


def _json_formatter():
    from django.conf import settings

    spec = dict(settings.LOGGING["formatters"]["json"])
    factory = spec.pop("()")
    module, _, name = factory.rpartition(".")
    cls = getattr(__import__(module, fromlist=[name]), name)
    return cls(fmt=spec.get("format"), rename_fields=spec.get("rename_fields"))


def _to_json(logger=None, **kwargs):
    from django.conf import settings

    if getattr(settings, "LOG_FORMAT", "text") != "json" or logger is None:
        return
    for handler in logger.handlers:
        handler.setFormatter(_json_formatter())


def install():
    if _installed:
        return
    _installed.append(True)
    base = logging.getLogRecordFactory()

    def record_factory(*args, **kwargs):
        record = base(*args, **kwargs)
        fields = _context.get()
        if fields:
            for key, value in fields.items():
                if key == "request":
                    user_id = _user_id(value)
                    if user_id is not None:
                        record.user_id = user_id
                else:
                    setattr(record, key, value)
        return record

    logging.setLogRecordFactory(record_factory)
    request_started.connect(_on_request_started, dispatch_uid="portal.logging.request_started")
    request_finished.connect(_on_request_finished, dispatch_uid="portal.logging.request_finished")
    task_prerun.connect(_on_task_prerun, weak=False)
    task_postrun.connect(_on_task_postrun, weak=False)
    after_setup_logger.connect(_to_json, weak=False)
    after_setup_task_logger.connect(_to_json, weak=False)
