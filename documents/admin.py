from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from documents.models import Document
from documents.services import document_retry


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "number", "version", "status", "created_at", "rendered_at", "attempts"]
    list_filter = ["kind", "status", "digitally_signed"]
    search_fields = ["number", "title", "verification_code", "sha256"]
    date_hierarchy = "created_at"
    actions = ["retry_render"]
    readonly_fields = [field.name for field in Document._meta.fields if field.name not in {"revocation_reason"}]
    exclude = ["context"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("重新生成所选的失败文书"))
    def retry_render(self, request, queryset):
        queued = 0
        for document in queryset.filter(status=Document.Status.FAILED):
            try:
                document_retry(document=document, by=request.user)
                queued += 1
            except ValidationError as exc:
                self.message_user(request, f"{document}: {exc.message}", messages.ERROR)
        self.message_user(request, _("已重新排队 %(n)d 份文书。") % {"n": queued}, messages.SUCCESS)
