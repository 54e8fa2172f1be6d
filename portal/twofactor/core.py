"""Who needs a second factor, checking a code, enrolment, recovery codes, resets.

Built on django-otp: a `TOTPDevice` is the authenticator app (RFC 6238 codes, QR enrolment), a
`StaticDevice` holds the one-time recovery codes. The session records the device that verified the
user (django-otp's `otp_device_id`) and when a factor was last entered (`SESSION_VERIFIED_AT`),
which signing checks for freshness.
"""

import base64
import io
import re
import time
from dataclasses import dataclass
from importlib import import_module

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.access import require
from portal.audit import log_action
from portal.roles import Role, has_role, is_center_member

SESSION_VERIFIED_AT = "twofactor_verified_at"
SESSION_NEW_RECOVERY_CODES = "twofactor_new_recovery_codes"
# Set at login for an account that needs no second factor and has none (see signals.py).
SESSION_NO_FACTOR = "twofactor_not_used"
RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery"

_TOTP_CODE = re.compile(r"\d{6}")
# From this many failures in a row the error names the wait (2^(n-1) seconds) before the next try.
LOCK_NOTICE_AFTER = 3


def needs_two_factor(user) -> bool:
    """Center staff, the director, the deputies, workstation staff, partner-agency users and any
    account with admin rights must use a second factor. Applicants and experts may opt in."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(
        user.is_staff or user.is_superuser or is_center_member(user) or has_role(user, Role.AGENCY, Role.SERVICE_POINT)
    )


def authenticator(user):
    """The user's confirmed authenticator app, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def is_verified(request) -> bool:
    user = request.user
    return bool(getattr(user, "is_authenticated", False) and user.is_verified())


def mark_verified(request, device) -> None:
    """The user has just entered a valid code from `device`: the session is verified, and fresh."""
    otp_login(request, device)
    request.session[SESSION_VERIFIED_AT] = time.time()
    request.session.pop(SESSION_NO_FACTOR, None)


def fresh_factor_minutes() -> int:
    return getattr(settings, "SIGNING_FRESH_FACTOR_MINUTES", 5)


def factor_is_fresh(request, minutes=None) -> bool:
    """Whether a second factor was entered in this session within the last `minutes`."""
    if not is_verified(request):
        return False
    minutes = fresh_factor_minutes() if minutes is None else minutes
    verified_at = request.session.get(SESSION_VERIFIED_AT)
    if not isinstance(verified_at, int | float):
        return False
    return 0 <= time.time() - verified_at <= minutes * 60


# --------------------------------------------------------------------------- checking a code


@dataclass
class CodeCheck:
    device: object = None
    error: str = ""
    recovery_code_used: bool = False

    @property
    def ok(self):
        return self.device is not None


def _normalise(code):
    return re.sub(r"[\s-]", "", code or "").lower()


def _locked_message(info):
    until = (info or {}).get("locked_until")
    if until is None:
        return _("验证码错误次数过多，已暂时锁定，请稍后再试。")
    seconds = max(1, int((until - timezone.now()).total_seconds()) + 1)
    return _(
        "验证码错误次数过多，已暂时锁定。请在 %(seconds)d 秒后（%(time)s 以后）再试；每次再输错，等待时间加倍。"
    ) % {"seconds": seconds, "time": time_format(timezone.localtime(until), "H:i:s")}


def check_code(user, code) -> CodeCheck:
    """Verify a code from the authenticator (6 digits) or a recovery code against the user's
    devices. Each device throttles itself (django-otp): after n failures in a row the next try is
    refused for 2^(n-1) seconds, which the returned error says."""
    code = _normalise(code)
    if not code:
        return CodeCheck(error=_("请输入验证码。"))
    is_totp = bool(_TOTP_CODE.fullmatch(code))
    model = TOTPDevice if is_totp else StaticDevice
    with transaction.atomic():
        devices = list(model.objects.filter(user=user, confirmed=True).select_for_update())
        if not devices:
            if is_totp:
                return CodeCheck(error=_("尚未绑定身份验证器。"))
            return CodeCheck(error=_("验证码不正确：身份验证器的验证码是 6 位数字，恢复码是 8 位字母和数字。"))
        locked = None
        for device in devices:
            allowed, info = device.verify_is_allowed()
            if allowed and device.verify_token(code):
                if not is_totp:
                    log_action(user, "portal.user.recovery_code_used", by=user)
                return CodeCheck(device=device, recovery_code_used=not is_totp)
            if not allowed or device.throttling_failure_count >= LOCK_NOTICE_AFTER:
                # Refused unseen, or this failure starts a wait worth telling about.
                locked = device.verify_is_allowed()[1] or info
    if locked is not None:
        return CodeCheck(error=_locked_message(locked))
    if is_totp:
        return CodeCheck(error=_("验证码不正确或已过期，请输入身份验证器当前显示的 6 位数字。"))
    return CodeCheck(error=_("恢复码不正确或已经用过。"))


# --------------------------------------------------------------------------- enrolment


def enrolment_device(user):
    """The unconfirmed authenticator being set up: the same key across reloads of the page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def secret_text(device) -> str:
    """The key as people type it into an authenticator app: base32 in groups of four."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otpauth_url(device) -> str:
    return device.config_url


def qr_data_uri(device) -> str:
    """The enrolment QR code as an SVG data: URI (the Content Security Policy allows data: images)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def device_confirm(*, device, code: str, by) -> tuple[list[str] | None, str]:
    """Confirm an authenticator being set up with a code it shows. Replaces any earlier authenticator
    and issues a fresh set of recovery codes. Returns (codes, "") or (None, error)."""
    require(device.user_id == by.pk)
    code = _normalise(code)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            return None, _locked_message(info)
        if not _TOTP_CODE.fullmatch(code) or not device.verify_token(code):
            return None, _("验证码不正确。请输入身份验证器应用里本账号当前显示的 6 位数字。")
        TOTPDevice.objects.filter(user=by).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(by)
        log_action(by, "portal.user.two_factor_enrolled", by=by)
    return codes, ""


def recovery_codes_renew(*, by) -> list[str]:
    """A new set of recovery codes; the old ones stop working."""
    require(has_device(by), _("请先绑定身份验证器。"))
    with transaction.atomic():
        codes = _new_recovery_codes(by)
        log_action(by, "portal.user.recovery_codes_renewed", by=by)
    return codes


def two_factor_disable(*, by) -> None:
    """An applicant or expert who opted in switches two-factor authentication off again."""
    require(not needs_two_factor(by), _("您的角色必须使用两步验证，不能停用。"))
    with transaction.atomic():
        _delete_devices(by)
        log_action(by, "portal.user.two_factor_disabled", by=by)


def _delete_devices(user):
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def end_sessions(user) -> int:
    """Log the user out everywhere: delete every stored session of theirs. Returns how many."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):  # sessions kept outside the database
        return 0
    ended = 0
    model = store_class.get_model_class()
    for session in model.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            store_class(session_key=session.session_key).delete()
            ended += 1
    return ended


def two_factor_reset(*, user, by) -> None:
    """An administrator removes a user's authenticator and recovery codes (a lost phone) and logs
    the user out everywhere: an open session on the lost phone must not enrol a new authenticator.
    A role that needs a second factor enrols again after the next password login."""
    require(getattr(by, "is_superuser", False), _("只有系统管理员可以重置两步验证。"))
    with transaction.atomic():
        _delete_devices(user)
        ended = end_sessions(user)
        log_action(user, "portal.user.two_factor_reset", by=by, data={"sessions_ended": ended})
