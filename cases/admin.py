from django.contrib import admin

from cases.models import Case, CaseEvent


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ["at", "actor", "from_status", "to_status", "note", "public_note"]
    readonly_fields = fields
    can_delete = False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "status", "level", "handler", "opened_at"]
    list_filter = ["status", "level"]
    search_fields = ["number", "application__applicant_name", "application__credit_code"]
    list_select_related = ["handler", "application"]
    inlines = [CaseEventInline]
    readonly_fields = ["application", "number", "status", "opened_at", "closed_at", "revision"]

    def has_add_permission(self, request):
        return False
