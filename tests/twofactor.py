"""Second factor for tests: a confirmed authenticator for a user, and its next valid code."""

import time
from binascii import unhexlify

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.twofactor.core import SESSION_VERIFIED_AT, has_device, needs_two_factor


def must_verify(user):
    try:
        return needs_two_factor(user) or has_device(user)
    finally:
        # Roles are cached on the user object; a test may still change them after logging in.
        user.__dict__.pop("_portal_roles", None)


def authenticator_for(user):
    """The user's confirmed authenticator, created if there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device


def next_code(device):
    """A code the server accepts now: never the time step of a code already used (the device
    refuses a step twice), waiting for the clock when logins follow too fast."""
    while True:
        device.refresh_from_db()
        now_t = (int(time.time()) - device.t0) // device.step + device.drift
        step = max(now_t, device.last_t + 1)
        if step <= now_t + device.tolerance:
            return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"
        time.sleep(1)


def code_at_step(key_hex, step, *, digits=6):
    """The code of a key (hex, as django-otp keeps it) for one 30-second time step."""
    return f"{hotp(unhexlify(key_hex), step, digits=digits):0{digits}d}"


def verify_client_session(client, user):
    """Mark a test client's session as verified by the user's authenticator, just now."""
    if not must_verify(user):
        return
    device = authenticator_for(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SESSION_VERIFIED_AT] = time.time()
    session.save()
