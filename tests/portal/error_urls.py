"""The portal's URLs plus views that fail on purpose, for the error page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from portal.urls import handler400, handler403, handler404, handler500, urlpatterns


def _forbidden(request):
    raise PermissionDenied


def _suspicious(request):
    raise SuspiciousOperation("malformed")


def _broken(request):
    raise RuntimeError("something broke")


urlpatterns = [
    *urlpatterns,
    path("test-errors/403/", _forbidden),
    path("test-errors/400/", _suspicious),
    path("test-errors/500/", _broken),
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
