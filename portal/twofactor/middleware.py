"""Nobody who must use a second factor reaches a page before entering one.

Runs after django-otp's OTPMiddleware (which tells whether the session was verified by a device).
A logged-in user who needs two-factor authentication (portal.twofactor.core.needs_two_factor), or
who opted in and has an authenticator, but whose session is not verified yet, is sent to the code
step, or to enrolment when there is no authenticator yet. Only the pages of those steps, logging
out, the language switch and static files stay reachable meanwhile.
"""

from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse

from portal.twofactor import core


@cache
def _open_prefixes():
    return (
        reverse("twofactor:verify"),
        reverse("twofactor:setup"),
        reverse("twofactor:recovery_codes"),
        reverse("twofactor:recovery_codes_download"),
        reverse("logout"),
        reverse("set_language"),
        settings.STATIC_URL,
    )


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self._redirect(request) or self.get_response(request)

    def _redirect(self, request):
        # Pages shown meanwhile (the code step, enrolment) read this to show no menu, roles or counts.
        request.awaiting_second_factor = False
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.session.get(core.SESSION_NO_FACTOR) == user.pk:
            return None
        required = core.needs_two_factor(user)
        enrolled = core.has_device(user)
        if not (required or enrolled):
            return None
        request.awaiting_second_factor = True
        if request.path.startswith(_open_prefixes()):
            return None
        step = "twofactor:verify" if enrolled else "twofactor:setup"
        return HttpResponseRedirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
