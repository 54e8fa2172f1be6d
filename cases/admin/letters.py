"""Assistance letters: the letter page, editing a draft, its steps and the extension decisions."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.admin.filters import PointScopeFilter
from cases import services
from cases.admin._common import _add_errors, _error_text
from cases.forms import LetterForm
from cases.models import (
    AssistanceLetter,
    LetterRecipient,
)
from cases.permissions import visible_extensions, visible_letters
from documents.selectors import subject_documents
from portal.admin_filters import DateRangeFilter, ValidatedListFilter
from portal.admin_lists import FastListMixin, cached_filter, year_filter
from portal.audit import entries_for
from portal.converters import get_by_id_or_404, parse_id
from portal.roles import can_sign, is_center_member
from portal.twofactor import require_fresh_factor


class RecipientInline(admin.TabularInline):
    model = LetterRecipient
    extra = 0
    fields = ["agency", "due_date", "acknowledged_at", "acknowledged_by", "answered_at", "answered_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class SignedFilter(DateRangeFilter):
    """The statistics page's drill-down: letters signed in a period of days."""

    title = _("签发日期")
    prefix = "signed"
    field_name = "signed_at"


class ReplyFilter(ValidatedListFilter):
    """Where the reply stands, for the agency chosen in the agency filter (or any recipient)."""

    title = _("回复情况")
    parameter_name = "reply"
    AGENCY_PARAMETER = "recipients__agency__id__exact"

    def lookups(self, request, model_admin):
        return [("acknowledged", _("已签收")), ("answered", _("已回函")), ("overdue", _("逾期未回"))]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        recipients = LetterRecipient.objects.filter(letter=OuterRef("pk"))
        agency = parse_id(request.GET.get(self.AGENCY_PARAMETER, ""))
        if agency is not None:
            recipients = recipients.filter(agency_id=agency)
        if value == "acknowledged":
            recipients = recipients.filter(acknowledged_at__isnull=False)
        elif value == "answered":
            recipients = recipients.filter(answered_at__isnull=False)
        else:
            queryset = queryset.filter(status=AssistanceLetter.Status.SIGNED)
            recipients = recipients.filter(answered_at__isnull=True, due_date__lt=timezone.localdate())
        return queryset.filter(Exists(recipients))


class LetterPointScopeFilter(PointScopeFilter):
    field_name = "case__service_point_id"


@admin.register(AssistanceLetter)
class AssistanceLetterAdmin(FastListMixin, admin.ModelAdmin):
    list_display = ["__str__", "case", "status", "due_date", "drafted_by", "signed_by", "signed_at"]
    list_filter = [
        "status",
        cached_filter("recipients__agency", only_related=True),
        SignedFilter,
        ReplyFilter,
        LetterPointScopeFilter,
        # A year instead of Django's date drill-down, which reads every day that has a letter.
        year_filter("created_at"),
    ]
    list_select_related = ["case", "drafted_by", "signed_by"]
    search_fields = ["number", "subject", "case__number"]

    def get_queryset(self, request):
        return visible_letters(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        name = "cases_assistanceletter_"
        return [
            path("<id:pk>/edit/", wrap(self.edit_view), name=name + "edit"),
            path("<id:pk>/act/", wrap(self.act_view), name=name + "act"),
            path("extension/<id:pk>/", wrap(self.extension_view), name=name + "extension"),
            *super().get_urls(),
        ]

    def _letter(self, request, pk):
        if not is_center_member(request.user):
            raise Http404
        return get_by_id_or_404(visible_letters(request.user).select_related("case"), pk)

    def _back(self, letter):
        return HttpResponseRedirect(reverse("admin:cases_assistanceletter_change", args=[letter.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        letter = self._letter(request, object_id)
        recipients = list(
            letter.recipients.select_related("agency", "acknowledged_by", "answered_by").prefetch_related(
                "attachments", "nominations", "extensions__requested_by"
            )
        )
        documents = subject_documents(request.user, letter, include_superseded=True, include_unready=True)
        return TemplateResponse(
            request,
            "admin/cases/assistanceletter/change_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("协助办理函：%(subject)s") % {"subject": letter.subject},
                "letter": letter,
                "recipients": recipients,
                "documents": documents,
                "help_labels": [
                    AssistanceLetter.Help(v).label for v in letter.help_kinds if v in AssistanceLetter.Help.values
                ],
                "can_sign": can_sign(request.user),
                "Status": AssistanceLetter.Status,
                "history": list(entries_for(letter).select_related("content_type")),
            },
        )

    def edit_view(self, request, pk):
        letter = self._letter(request, pk)
        initial = {
            "agencies": list(letter.recipients.values_list("agency_id", flat=True)),
            "subject": letter.subject,
            "help_kinds": letter.help_kinds,
            "body": letter.body,
            "due_date": letter.due_date,
            "share_contact": letter.share_contact,
        }
        form = LetterForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.letter_update(
                    letter=letter,
                    subject=data["subject"],
                    body=data["body"],
                    agencies=list(data["agencies"]),
                    help_kinds=data["help_kinds"],
                    due_date=data["due_date"],
                    share_contact=data["share_contact"],
                    by=request.user,
                    seen_revision=request.POST.get("seen_revision"),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                self.message_user(request, _("函件已保存。"), messages.SUCCESS)
                return self._back(letter)
        return TemplateResponse(
            request,
            "admin/cases/letter_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("修改协助办理函"),
                "case": letter.case,
                "letter": letter,
                "form": form,
            },
        )

    ACTIONS = {
        "submit": (services.letter_submit, _("已提交签发。")),
        "sign": (services.letter_sign, _("已签发，函件文号已生成，PDF 正在生成，协助单位已收到通知。")),
        "withdraw": (services.letter_withdraw, _("函件已撤回。")),
    }

    def act_view(self, request, pk):
        letter = self._letter(request, pk)
        if request.method != "POST":
            return self._back(letter)
        action = request.POST.get("action", "")
        if action == "sign" and (confirm := require_fresh_factor(request)) is not None:
            return confirm
        try:
            if action == "return":
                services.letter_return(
                    letter=letter,
                    by=request.user,
                    reason=request.POST.get("reason", ""),
                    seen_revision=request.POST.get("seen_revision"),
                )
                success = _("已退回修改。")
            elif action in self.ACTIONS:
                service, success = self.ACTIONS[action]
                service(letter=letter, by=request.user, seen_revision=request.POST.get("seen_revision"))
            else:
                raise ValidationError(_("未知操作。"))
        except ValidationError as exc:
            self.message_user(request, _error_text(exc), messages.ERROR)
        else:
            self.message_user(request, success, messages.SUCCESS)
        return self._back(letter)

    def extension_view(self, request, pk):
        if not is_center_member(request.user):
            raise Http404
        extension = get_object_or_404(visible_extensions(request.user).select_related("recipient"), pk=pk)
        letter_pk = extension.recipient.letter_id
        if request.method == "POST":
            grant = request.POST.get("decision") == "grant"
            try:
                services.extension_decide(
                    extension=extension, grant=grant, by=request.user, note=request.POST.get("note", "")
                )
            except ValidationError as exc:
                self.message_user(request, _error_text(exc), messages.ERROR)
            else:
                self.message_user(request, _("已同意延期。") if grant else _("已拒绝延期。"), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:cases_assistanceletter_change", args=[letter_pk]))
