"""Request-wide guards."""

from django.conf import settings

from portal.errors import request_too_large


class RequestBodyLimitMiddleware:
    """Answer 413 to a request whose declared body exceeds REQUEST_MAX_BODY_MB, before anything reads it.

    Django caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams any amount of uploaded files to
    temporary files; this refuses oversized bodies outright. It runs before every view and before the
    CSRF check (which reads the form), since those read the body only after all middleware has run.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BODY_MB * 1024 * 1024:
            return request_too_large(request)
        return self.get_response(request)
