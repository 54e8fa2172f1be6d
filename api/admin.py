"""Staff register API clients and issue their tokens here. The full key of a token is shown once,
on the page after it is issued; only its SHA-256 and a visible prefix are stored."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import ApiCall, ApiClient, ApiToken, Scope
from portal.admin_filters import DateHierarchyGuardMixin
from portal.admin_lists import FastListMixin, cached_filter, year_filter
from portal.roles import is_center_member


class CenterOnly:
    """API clients and tokens are the center's business (staff, the director, deputies)."""

    def has_module_permission(self, request):
        return is_center_member(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_center_member(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return is_center_member(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return is_center_member(request.user) and super().has_change_permission(request, obj)


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = ApiToken
        fields = ["client", "label", "scopes", "expires_at", "revoked_at"]


@admin.register(ApiClient)
class ApiClientAdmin(FastListMixin, CenterOnly, admin.ModelAdmin):
    list_display = ["name", "contact", "active", "rate_per_minute", "acts_as", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "contact"]
    autocomplete_fields = ["acts_as"]


@admin.register(ApiToken)
class ApiTokenAdmin(FastListMixin, CenterOnly, admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ["prefix", "client", "label", "scope_list", "expires_at", "revoked_at", "last_used_at"]
    list_keep = ["scopes"]  # read by scope_list
    list_filter = [cached_filter("client"), "revoked_at"]
    search_fields = ["prefix", "label", "client__name"]
    readonly_fields = ["prefix", "last_used_at", "created_by", "created_at"]
    actions = ["revoke"]

    @admin.display(description=_("权限范围"))
    def scope_list(self, obj):
        return "、".join(obj.scopes or [])

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("client")
        return fields

    def save_model(self, request, obj, form, change):
        if not change:
            key, prefix = ApiToken.new_key()
            obj.set_key(key, prefix)
            obj.created_by = request.user
            request._issued_api_key = key
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        key = getattr(request, "_issued_api_key", None)
        if key is None:
            return super().response_add(request, obj, post_url_continue)
        context = {**self.admin_site.each_context(request), "token": obj, "key": key, "opts": self.opts}
        response = TemplateResponse(request, "api/token_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("已吊销 %(count)s 个令牌。") % {"count": count}, messages.SUCCESS)


@admin.register(ApiCall)
class ApiCallAdmin(FastListMixin, CenterOnly, DateHierarchyGuardMixin, admin.ModelAdmin):
    list_display = ["at", "client", "token", "method", "path", "status_code", "duration_ms", "client_ip"]
    list_filter = [year_filter("at"), cached_filter("status_code"), cached_filter("method"), cached_filter("client")]
    search_fields = ["path", "token__prefix"]
    list_select_related = ["client", "token", "token__client"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
