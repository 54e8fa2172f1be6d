"""At login, remember in the session that an account needs no second factor (an applicant or an
expert who has not opted in), so that the middleware asks the database nothing on their requests.
A user who opts in is verified in that session at once; other sessions of theirs opened before keep
going until they end, as a stolen open session would with or without a second factor."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from portal.twofactor.core import SESSION_NO_FACTOR, has_device, needs_two_factor


@receiver(user_logged_in, dispatch_uid="portal.twofactor.remember_no_factor")
def remember_no_factor(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    if needs_two_factor(user) or has_device(user):
        request.session.pop(SESSION_NO_FACTOR, None)
    else:
        request.session[SESSION_NO_FACTOR] = user.pk
    # The roles were cached on this user object while deciding; code holding it may still change them.
    user.__dict__.pop("_portal_roles", None)
