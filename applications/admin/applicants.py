"""Applicants (organisations, sole traders, natural persons), their accounts and the invitations to
follow their affairs online."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import services
from applications.admin.scope import ScopedAdminMixin, ScopedInlineMixin, workstation_only
from applications.models import (
    Applicant,
    ApplicantAccount,
    Application,
    Invitation,
)
from applications.permissions import (
    visible_applicants,
    visible_applications,
    visible_invitations,
)
from portal.admin_lists import FastListMixin
from portal.validators import mask_id_number, normalise_id_number


class ApplicantAccountInline(ScopedInlineMixin, admin.TabularInline):
    """The users who act for the organisation (they join by registering or by a join request)."""

    model = ApplicantAccount
    extra = 0
    fields = ["user", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class InvitationInline(ScopedInlineMixin, admin.TabularInline):
    """Invitations sent for the applicant (resend from 在线办理邀请)."""

    model = Invitation
    extra = 0
    fields = ["full_name", "email", "application", "sent_by", "sent_at", "expires_at", "state"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("状态"))
    def state(self, obj):
        return INVITATION_STATES[services.invitation_state(obj)]


INVITATION_STATES = {
    "open": gettext_lazy("待接受"),
    "accepted": gettext_lazy("已接受"),
    "expired": gettext_lazy("已过期"),
}


class InviteForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("受邀人姓名"), max_length=100)
    email = forms.EmailField(label=gettext_lazy("受邀邮箱"))
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=40, required=False)
    application = forms.ModelChoiceField(
        label=gettext_lazy("打开的申请"),
        queryset=Application.objects.none(),
        required=False,
        empty_label=gettext_lazy("（不指定，进入“我的申请”）"),
    )

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications


@admin.register(Applicant)
class ApplicantAdmin(FastListMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "credit_code", "masked_id_number", "category", "service_point", "created_at"]
    # The model's order with the key that breaks ties in the same direction: the index on both
    # reads the page (Django adds the key descending, which the index cannot give in name order).
    ordering = ["name", "id"]
    list_filter = ["category"]
    list_select_related = ["service_point"]
    search_fields = [
        "name",
        "credit_code",
        "=id_number",
        "name_en",
        "accounts__user__email",
        "accounts__user__full_name",
    ]
    exclude = ["id_number"]
    readonly_fields = ["id_type", "masked_id_number"]
    inlines = [ApplicantAccountInline, InvitationInline]

    def get_queryset(self, request):
        return visible_applicants(request.user)

    def get_search_results(self, request, queryset, search_term):
        # An ID number is found however it was typed (a lower-case x, spaces).
        return super().get_search_results(request, queryset, normalise_id_number(search_term) or search_term)

    def has_add_permission(self, request):
        return not workstation_only(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return not workstation_only(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not workstation_only(request.user) and super().has_delete_permission(request, obj)

    def get_urls(self):
        return [
            path(
                "<id:pk>/invite/",
                self.admin_site.admin_view(self.invite_view),
                name="applications_applicant_invite",
            ),
            *super().get_urls(),
        ]

    def invite_view(self, request, pk):
        """Invite a person to follow the applicant online (an e-mail with a one-time link)."""
        applicant = self.get_queryset(request).filter(pk=pk).first()
        if applicant is None:
            raise Http404
        applications = visible_applications(request.user).filter(applicant=applicant).order_by("-created_at")
        form = InviteForm(request.POST or None, applications=applications)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.invitation_send(
                    applicant=applicant,
                    email=data["email"],
                    full_name=data["full_name"],
                    phone=data["phone"],
                    application=data["application"],
                    by=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(
                    request, _("已向 %(email)s 发送在线办理邀请。") % {"email": data["email"]}, messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:applications_applicant_change", args=[applicant.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("邀请在线办理：%(name)s") % {"name": applicant.name},
            "applicant": applicant,
            "form": form,
        }
        return TemplateResponse(request, "admin/applications/applicant/invite.html", context)

    @admin.display(description=gettext_lazy("证件号码"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number) if obj.id_number else "—"


@admin.register(Invitation)
class InvitationAdmin(FastListMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Invitations to follow an applicant online; a new link (a new token) can be sent from here."""

    list_display = ["full_name", "email", "applicant", "application", "sent_by", "sent_at", "expires_at", "state"]
    list_select_related = ["applicant", "application", "sent_by"]
    search_fields = ["email", "full_name", "applicant__name", "applicant__credit_code", "application__number"]
    readonly_fields = [
        "applicant",
        "application",
        "full_name",
        "email",
        "phone",
        "sent_by",
        "sent_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
    ]
    exclude = ["token_hash"]
    actions = ["resend"]

    def get_queryset(self, request):
        return visible_invitations(request.user)

    def has_add_permission(self, request):
        return False  # invitations are sent with an entry, or resent here

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("状态"))
    def state(self, obj):
        return INVITATION_STATES[services.invitation_state(obj)]

    @admin.action(description=gettext_lazy("重新发送邀请（生成新链接，旧链接作废）"))
    def resend(self, request, queryset):
        done = 0
        for invitation in queryset:
            try:
                services.invitation_resend(invitation=invitation, by=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"{invitation}：{'；'.join(exc.messages)}", messages.ERROR)
        if done:
            self.message_user(request, _("已重新发送 %(n)d 份邀请。") % {"n": done}, messages.SUCCESS)
