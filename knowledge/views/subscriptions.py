"""Subscribing to the weekly digest, the subscription's own page, the feeds and the sitemap.

The subscription's page is reached by the token in the links of its e-mails: whoever holds the link
holds the address, so no login is asked. Those pages are never cached and never indexed."""

from django.conf import settings
from django.contrib import messages
from django.contrib.sitemaps.views import sitemap
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from knowledge.caching import public_page
from knowledge.feeds import SECTIONS, AtomSectionFeed, RssSectionFeed
from knowledge.forms_subscriptions import ChoicesForm, SubscribeForm
from knowledge.models import Subscription
from knowledge.services import subscriptions as services
from knowledge.sitemaps import sitemap_index, sitemaps
from portal.errors import too_many_requests
from portal.throttling import RateLimited, rate_limit

# Subscription requests from one network address (each may send a confirmation e-mail).
SUBSCRIBE_RATE_LIMIT = getattr(settings, "KNOWLEDGE_SUBSCRIBE_RATE_LIMIT", 10)
SUBSCRIBE_RATE_WINDOW_SECONDS = getattr(settings, "KNOWLEDGE_SUBSCRIBE_RATE_WINDOW_SECONDS", 3600)


def _account(request):
    user = request.user
    if user.is_authenticated and not getattr(request, "awaiting_second_factor", False) and user.email:
        return user
    return None


def _feeds():
    return [{"section": key, "label": label} for key, label in SECTIONS.items()]


def _own_subscription(account):
    return (
        Subscription.objects.filter(user=account).first()
        or Subscription.objects.filter(email__iexact=services.normalise_email(account.email)).first()
    )


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request):
    """Choose countries, industries and IP types; a visitor also gives an address, which is
    confirmed through a link before anything is sent. The answer is the same whether the address
    was new, waiting for confirmation or already subscribed."""
    account = _account(request)
    current = _own_subscription(account) if account is not None else None
    if request.method == "POST":
        try:
            rate_limit(request, "knowledge-subscribe", limit=SUBSCRIBE_RATE_LIMIT, window=SUBSCRIBE_RATE_WINDOW_SECONDS)
        except RateLimited as exc:
            return too_many_requests(request, exc.retry_after)
        form = SubscribeForm(request.POST, account=account)
        if form.is_valid():
            subscription = services.subscription_request(
                email=form.cleaned_data.get("email", ""), by=account, **form.choices()
            )
            if account is not None:
                messages.success(
                    request, _("订阅已生效，每周一将向 %(email)s 推送新的预警和法律法规。") % {"email": account.email}
                )
                return redirect("knowledge:subscription", token=subscription.token)
            return render(request, "knowledge/subscriptions/requested.html", {"email": form.cleaned_data["email"]})
    else:
        initial = {}
        if current is not None and current.active:
            initial = {"countries": current.countries, "industries": current.industries, "ip_types": current.ip_types}
        form = SubscribeForm(account=account, initial=initial)
    context = {"form": form, "account": account, "current": current, "feeds": _feeds()}
    return render(request, "knowledge/subscriptions/subscribe.html", context)


def _subscription_or_404(token):
    subscription = services.subscription_by_token(token)
    if subscription is None:
        raise Http404
    return subscription


@never_cache
@require_http_methods(["GET", "POST"])
def subscription_confirm(request, token):
    """The link of the confirmation e-mail: a page with one button (a mail scanner that opens the
    link confirms nothing); the button starts the subscription."""
    subscription = _subscription_or_404(token)
    if request.method == "POST":
        if subscription.unsubscribed_at is None:
            services.subscription_confirm(subscription=subscription, by=_account(request))
            messages.success(request, _("订阅已确认。每周一，我们会把新的预警和法律法规发送到您的邮箱。"))
        return redirect("knowledge:subscription", token=subscription.token)
    if subscription.confirmed_at is not None or subscription.unsubscribed_at is not None:
        return redirect("knowledge:subscription", token=subscription.token)
    context = {"subscription": subscription, "labels": services.choice_labels(subscription)}
    return render(request, "knowledge/subscriptions/confirm.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def subscription_manage(request, token):
    """The subscription's page: what it covers, its state, the choices to change, unsubscribing."""
    subscription = _subscription_or_404(token)
    if request.method == "POST":
        form = ChoicesForm(request.POST)
        if form.is_valid():
            was_active = subscription.active
            services.subscription_update(subscription=subscription, by=_account(request), **form.choices())
            if was_active:
                messages.success(request, _("订阅内容已保存。"))
            else:
                messages.success(request, _("已重新订阅，订阅内容已保存。"))
            return redirect("knowledge:subscription", token=subscription.token)
    else:
        form = ChoicesForm(
            initial={
                "countries": subscription.countries,
                "industries": subscription.industries,
                "ip_types": subscription.ip_types,
            }
        )
    context = {
        "subscription": subscription,
        "labels": services.choice_labels(subscription),
        "form": form,
        "feeds": _feeds(),
    }
    return render(request, "knowledge/subscriptions/manage.html", context)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Unsubscribe: the link in every e-mail opens a page with one button; a POST unsubscribes.

    Exempt from the CSRF check: the token in the address is the secret, and a mail program's
    one-click unsubscribe (RFC 8058: a POST with `List-Unsubscribe=One-Click`, without cookies)
    must work too. Unsubscribing is the only thing this address does."""
    subscription = _subscription_or_404(token)
    if request.method == "POST":
        services.subscription_unsubscribe(subscription=subscription, by=_account(request))
        messages.success(request, _("您已退订，今后不会再收到这些资讯。"))
        return redirect("knowledge:subscription", token=subscription.token)
    if subscription.unsubscribed_at is not None:
        return redirect("knowledge:subscription", token=subscription.token)
    context = {"subscription": subscription, "labels": services.choice_labels(subscription)}
    return render(request, "knowledge/subscriptions/unsubscribe.html", context)


def _section(view):
    """A feed of one section; cacheable like the public pages (ETag, Last-Modified, a server copy
    that a publish invalidates)."""

    @public_page
    def section_view(request, section):
        if section not in SECTIONS:
            raise Http404
        return view(request, section=section)

    return section_view


urlpatterns = [
    path("subscribe/", subscribe, name="subscribe"),
    path("subscription/<slug:token>/", subscription_manage, name="subscription"),
    path("subscription/<slug:token>/confirm/", subscription_confirm, name="subscription_confirm"),
    path("subscription/<slug:token>/unsubscribe/", unsubscribe, name="unsubscribe"),
    path("feeds/<slug:section>/rss/", _section(RssSectionFeed()), name="feed_rss"),
    path("feeds/<slug:section>/atom/", _section(AtomSectionFeed()), name="feed_atom"),
    path("sitemap.xml", public_page(sitemap_index), name="sitemap"),
    path("sitemap-<slug:section>.xml", public_page(sitemap), {"sitemaps": sitemaps}, name="sitemap_section"),
]
