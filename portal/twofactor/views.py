from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portal.twofactor import core
from portal.twofactor.forms import CodeForm, EnrolForm
from portal.twofactor.fresh import PREFIX, carried_fields, confirm_page, require_fresh_factor, safe_url


def _next(request, default=None):
    candidate = request.POST.get("next") or request.GET.get("next")
    return safe_url(request, candidate, default=default or resolve_url(settings.LOGIN_REDIRECT_URL))


def _with_next(name, next_url):
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _recovery_notice(request, check):
    if check.recovery_code_used:
        left = core.recovery_codes_left(request.user)
        messages.warning(
            request,
            _("您使用了一个恢复码（每个只能用一次），还剩 %(n)d 个。请在“两步验证”页面重新生成一组。") % {"n": left},
        )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of logging in: a code from the authenticator or a recovery code."""
    next_url = _next(request)
    if core.is_verified(request):
        return HttpResponseRedirect(next_url)
    if not core.has_device(request.user):
        return redirect(_with_next("twofactor:setup", next_url))
    form = CodeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        core.mark_verified(request, form.result.device)
        _recovery_notice(request, form.result)
        return HttpResponseRedirect(next_url)
    return render(request, "portal/twofactor/verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Enrol an authenticator app: scan the QR code, confirm with a code, receive recovery codes."""
    next_url = _next(request, default=reverse("twofactor:account"))
    user = request.user
    replacing = core.has_device(user)
    if replacing and not core.is_verified(request):
        # A password alone never replaces an enrolled authenticator.
        return redirect(_with_next("twofactor:verify", next_url))
    device = core.enrolment_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes, error = core.device_confirm(device=device, code=form.cleaned_data["code"], by=user)
        if error:
            form.add_error("code", error)
        else:
            device.refresh_from_db()
            core.mark_verified(request, device)
            request.session[core.SESSION_NEW_RECOVERY_CODES] = codes
            messages.success(request, _("身份验证器已绑定，两步验证已启用。"))
            return redirect(_with_next("twofactor:recovery_codes", next_url))
    return render(
        request,
        "portal/twofactor/setup.html",
        {
            "form": form,
            "next": next_url,
            "qr": core.qr_data_uri(device),
            "secret": core.secret_text(device),
            "required": core.needs_two_factor(user),
            "replacing": replacing,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """The new recovery codes, shown once: printable and downloadable until the user moves on."""
    next_url = _next(request, default=reverse("twofactor:account"))
    if request.method == "POST":
        request.session.pop(core.SESSION_NEW_RECOVERY_CODES, None)
        return HttpResponseRedirect(next_url)
    codes = request.session.get(core.SESSION_NEW_RECOVERY_CODES) or []
    return render(request, "portal/twofactor/recovery_codes.html", {"codes": codes, "next": next_url})


@never_cache
@login_required
def recovery_codes_download(request):
    codes = request.session.get(core.SESSION_NEW_RECOVERY_CODES)
    if not codes:
        raise Http404
    lines = [
        _("两步验证恢复码"),
        request.user.email,
        _("每个恢复码只能使用一次。请妥善保管，不要与他人分享。"),
        "",
        *codes,
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="recovery-codes.txt"'
    return response


@never_cache
@login_required
def account(request):
    user = request.user
    device = core.authenticator(user)
    return render(
        request,
        "portal/twofactor/account.html",
        {
            "device": device,
            "required": core.needs_two_factor(user),
            "codes_left": core.recovery_codes_left(user) if device else 0,
            "minutes": core.fresh_factor_minutes(),
        },
    )


@login_required
@require_POST
def renew_codes(request):
    if (response := require_fresh_factor(request)) is not None:
        return response
    request.session[core.SESSION_NEW_RECOVERY_CODES] = core.recovery_codes_renew(by=request.user)
    messages.success(request, _("已生成新的恢复码，旧的恢复码已失效。"))
    return redirect(_with_next("twofactor:recovery_codes", reverse("twofactor:account")))


@login_required
@require_POST
def disable(request):
    if (response := require_fresh_factor(request)) is not None:
        return response
    core.two_factor_disable(by=request.user)
    messages.success(request, _("两步验证已停用。"))
    return redirect("twofactor:account")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def confirm(request):
    """Enter a code again before an action that needs a fresh factor, then go on with it."""
    method = "POST" if request.POST.get(f"{PREFIX}-method") == "POST" else "GET"
    default = reverse("twofactor:account")
    target = safe_url(request, request.POST.get(f"{PREFIX}-next") or request.GET.get("next"), default=default)
    back = safe_url(request, request.POST.get(f"{PREFIX}-back"), default=target if method == "GET" else default)
    if not core.has_device(request.user):
        return redirect(_with_next("twofactor:setup", back))
    form = CodeForm(request.POST if request.method == "POST" else None, user=request.user, prefix=PREFIX)
    if request.method == "POST" and form.is_valid():
        core.mark_verified(request, form.result.device)
        _recovery_notice(request, form.result)
        # 307 keeps the method and the form fields: the action asked for goes ahead as sent.
        return HttpResponseRedirect(target, status=307 if method == "POST" else 302)
    return confirm_page(
        request,
        form=form,
        target=target,
        method=method,
        carried=carried_fields(request) if method == "POST" else [],
        back=back,
    )
