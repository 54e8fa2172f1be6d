"""Demo authenticators: every demo account that must use a second factor gets an authenticator
with one published key, so that anyone trying the demo can log in. Never used outside the demo
(seed_demo refuses to run when DEBUG is off)."""

import base64

from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.twofactor.core import AUTHENTICATOR_NAME, needs_two_factor

# Published in the README: add it to any authenticator app, or run `manage.py demo_totp <e-mail>`.
DEMO_TOTP_SECRET = "DEMOTOTPKEYFORDEMOUSERSONLY23456"
DEMO_TOTP_KEY_HEX = base64.b32decode(DEMO_TOTP_SECRET).hex()


def give_demo_authenticators(users):
    """A confirmed authenticator with the demo key for each user who needs two factors; returns
    how many were added."""
    added = 0
    for user in users:
        if not needs_two_factor(user) or TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            continue
        TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, key=DEMO_TOTP_KEY_HEX, confirmed=True)
        added += 1
    return added
