"""The applicants' satisfaction with closed cases."""

from django.contrib import admin

from applications.models import (
    Feedback,
)
from portal.admin_lists import FastListMixin


@admin.register(Feedback)
class FeedbackAdmin(FastListMixin, admin.ModelAdmin):
    list_display = ["application", "satisfaction", "timeliness", "usefulness", "submitted_at"]
    list_filter = ["satisfaction", "timeliness", "usefulness"]
    search_fields = ["application__number", "application__applicant_name", "comment"]
    readonly_fields = [
        "application",
        "satisfaction",
        "timeliness",
        "usefulness",
        "outcome",
        "comment",
        "submitted_by",
        "submitted_at",
    ]

    def has_add_permission(self, request):
        return False
