"""Subscriptions in the staff workplace, read-only: who subscribed to what, whether the address is
confirmed, unsubscribed, and when the last digest went out. The token of a subscription's links
is never shown (whoever holds it manages the subscription); staff unsubscribe an address on
request with the action."""

from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from knowledge.models import Subscription
from knowledge.services.subscriptions import covered, subscriptions_unsubscribe
from portal.admin_lists import FastListMixin
from portal.roles import is_center_member


class StateFilter(admin.SimpleListFilter):
    title = gettext_lazy("状态")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("active", gettext_lazy("已确认，推送中")),
            ("pending", gettext_lazy("待确认")),
            ("unsubscribed", gettext_lazy("已退订")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)
        if self.value() == "pending":
            return queryset.filter(confirmed_at__isnull=True, unsubscribed_at__isnull=True)
        if self.value() == "unsubscribed":
            return queryset.filter(unsubscribed_at__isnull=False)
        return queryset


@admin.register(Subscription)
class SubscriptionAdmin(FastListMixin, admin.ModelAdmin):
    list_display = [
        "email",
        "countries_display",
        "industries_display",
        "ip_types_display",
        "state_display",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "last_sent_at",
    ]
    list_keep = ["countries", "industries", "ip_types"]  # read by the three *_display columns
    list_filter = [StateFilter]
    search_fields = ["email"]
    # Never the token: it is the key of the subscription's links.
    fields = [
        "email",
        "user",
        "countries_display",
        "industries_display",
        "ip_types_display",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "last_sent_at",
    ]
    readonly_fields = fields
    actions = ["unsubscribe"]
    list_per_page = 100

    @admin.display(description=gettext_lazy("国家/地区"))
    def countries_display(self, obj):
        return covered(obj, "countries")

    @admin.display(description=gettext_lazy("行业"))
    def industries_display(self, obj):
        return covered(obj, "industries")

    @admin.display(description=gettext_lazy("知识产权类型"))
    def ip_types_display(self, obj):
        return covered(obj, "ip_types")

    @admin.display(description=gettext_lazy("状态"))
    def state_display(self, obj):
        if obj.unsubscribed_at is not None:
            return _("已退订")
        if obj.confirmed_at is None:
            return _("待确认")
        return _("已确认，推送中")

    def has_module_permission(self, request):
        return is_center_member(request.user)

    def has_view_permission(self, request, obj=None):
        return is_center_member(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("为所选地址办理退订"), permissions=["view"])
    def unsubscribe(self, request, queryset):
        count = subscriptions_unsubscribe(subscriptions=queryset, by=request.user)
        self.message_user(request, _("已为 %(n)d 个地址办理退订。") % {"n": count})
