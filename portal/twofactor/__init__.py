"""Two-factor authentication (django-otp): an authenticator app with QR enrolment and one-time
recovery codes, required for the center's people and partner-agency users, optional for applicants
and experts; a fresh factor before signing."""

from portal.twofactor.fresh import require_fresh_factor

__all__ = ["require_fresh_factor"]
