"""Requests to act for an applicant that already has an account, decided by staff."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from applications import services
from applications.models import (
    MembershipRequest,
)
from applications.permissions import (
    visible_membership_requests,
)
from portal.admin_lists import FastListMixin


@admin.register(MembershipRequest)
class MembershipRequestAdmin(FastListMixin, admin.ModelAdmin):
    list_display = ["user", "applicant", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "user__full_name", "applicant__name", "applicant__credit_code"]
    readonly_fields = ["user", "applicant", "note", "status", "created_at", "decided_by", "decided_at"]
    actions = ["approve", "reject"]

    def get_queryset(self, request):
        return visible_membership_requests(request.user).select_related("user", "applicant", "decided_by")

    def has_add_permission(self, request):
        return False

    def _decide(self, request, queryset, approve):
        for item in queryset:
            try:
                services.membership_decide(request=item, by=request.user, approve=approve)
            except ValidationError as exc:
                self.message_user(request, f"{item}：{'；'.join(exc.messages)}", messages.ERROR)

    @admin.action(description=gettext_lazy("同意所选加入申请"))
    def approve(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=gettext_lazy("拒绝所选加入申请"))
    def reject(self, request, queryset):
        self._decide(request, queryset, False)
