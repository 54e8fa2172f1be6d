from django.contrib import admin

from applications.models import Applicant, Application, ApplicationEvent, Attachment


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "category", "created_at"]
    list_filter = ["category"]
    search_fields = ["name", "credit_code", "name_en"]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["category", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields
    can_delete = False


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    fields = ["at", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields
    can_delete = False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "applicant_name", "status", "level", "submitted_at"]
    list_filter = ["status", "level", "applicant_category", "technical_field"]
    search_fields = ["number", "applicant_name", "credit_code"]
    list_select_related = ["applicant"]
    inlines = [AttachmentInline, EventInline]
    date_hierarchy = "submitted_at"

    def has_add_permission(self, request):
        return False
