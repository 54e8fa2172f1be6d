from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from documents.forms import RevokeForm
from documents.models import Document, NumberingRule, SignerCertificate
from documents.permissions import can_revoke, staff_documents
from documents.services import (
    document_retry,
    document_revoke,
    is_stuck,
    with_last_queued,
)
from portal.access import require
from portal.admin_cells import html_link, per_page
from portal.admin_filters import DateHierarchyGuardMixin
from portal.admin_lists import FastListMixin, row_urls, year_filter
from portal.audit import entries_for
from portal.models import SiteConfiguration


@admin.register(Document)
class DocumentAdmin(FastListMixin, DateHierarchyGuardMixin, admin.ModelAdmin):
    # The kind (linked to the document) and the number in columns of their own, each sortable:
    # together they are what the document's name says, so the name is not a third column.
    list_display = [
        "kind",
        "number",
        "version",
        "status",
        "validity",
        "digitally_signed",
        "address_at_issue",
        "created_at",
        "attempts",
        "download_link",
    ]
    list_filter = [
        year_filter("created_at"),
        "kind",
        "status",
        "digitally_signed",
        ("superseded_by", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["superseded_by"]
    search_fields = ["number", "title", "verification_code", "sha256"]
    actions = ["retry_render"]
    readonly_fields = [
        *[field.name for field in Document._meta.fields if field.name not in {"revocation_reason", "context"}],
        "download_link",
        "verify_link",
        "address_at_issue",
        "history",
    ]
    exclude = ["context", "agencies", "recipients"]

    def get_queryset(self, request):
        # Staff see pending and failed renders too, so that they can retry them; the validity column
        # asks each pending one whether it is stuck, from the time read with the row.
        return with_last_queued(staff_documents(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # nothing issued is ever deleted; revoke or supersede instead

    @admin.display(description=_("效力"))
    def validity(self, document):
        if document.revoked_at:
            return _("已撤销")
        if document.superseded_by_id:
            return _("已被 %(n)s 取代") % {"n": document.superseded_by.number or document.superseded_by_id}
        if is_stuck(document):
            return _("生成超时，可重新生成")
        return _("现行")

    @admin.display(description=_("二维码地址"))
    def address_at_issue(self, document):
        """Whether the document's QR code and link lead to this portal: a document issued under
        another public address (SITE_URL) says where they lead instead."""
        if document.issued_elsewhere is None:
            return _("未记录")
        if document.issued_elsewhere:
            return format_html(
                '<strong data-testid="issued-elsewhere">{}</strong>',
                _("另一地址：%(url)s（当前为 %(current)s），二维码和核验链接指向前者")
                % {"url": document.site_url, "current": settings.SITE_URL},
            )
        return _("本平台")

    @admin.display(description=_("下载"))
    @per_page
    def download_link(self):
        url_of, label = row_urls("documents:download"), str(_("下载 PDF"))

        def link(document):
            if document.status != Document.Status.READY:
                return document.last_error[:80] if document.status == Document.Status.FAILED else "—"
            return html_link(url_of(document.pk), label)

        return link

    @admin.display(description=_("公开核验页"))
    def verify_link(self, document):
        return format_html('<a href="{0}" target="_blank" rel="noopener">{0}</a>', document.verify_path)

    @admin.display(description=_("操作记录"))
    def history(self, document):
        """The document's entries in the audit log: requested, rendered, retried, downloaded…"""
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(entry.created).strftime("%Y-%m-%d %H:%M:%S"),
                    entry.action_label,
                    entry.status_change or "",
                    entry.actor or _("系统"),
                    entry.client_address or "",
                    entry.note,
                )
                for entry in entries_for(document)
            ),
        )
        return format_html(
            '<table data-testid="document-history"><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr>'
            "</thead><tbody>{}</tbody></table>",
            _("时间"),
            _("事项"),
            _("状态"),
            _("操作人"),
            _("客户端地址"),
            _("说明"),
            rows,
        )

    @admin.action(description=_("重新生成所选的未完成文书（生成失败或排队超时）"))
    def retry_render(self, request, queryset):
        queued = 0
        for document in queryset:
            try:
                document_retry(document=document, by=request.user)
                queued += 1
            except ValidationError as exc:
                self.message_user(request, f"{document}: {exc.message}", messages.ERROR)
        if queued:
            self.message_user(request, _("已重新排队 %(n)d 份文书，生成后即可下载。") % {"n": queued}, messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "<id:pk>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="documents_document_revoke",
            ),
            *super().get_urls(),
        ]

    def revoke_view(self, request, pk):
        document = get_object_or_404(staff_documents(request.user).filter(status=Document.Status.READY), pk=pk)
        require(can_revoke(request.user, document), _("只有主任或副主任可以撤销文书。"))
        form = RevokeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                document_revoke(document=document, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(request, _("文书 %(d)s 已撤销。") % {"d": document}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:documents_document_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("撤销文书：%(d)s") % {"d": document},
            "document": document,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "documents/admin/revoke.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        document = self.get_object(request, object_id)
        allowed = document is not None and can_revoke(request.user, document)
        extra_context = {**(extra_context or {}), "can_revoke": allowed}
        return super().change_view(request, object_id, form_url, extra_context)

    change_form_template = "documents/admin/document_change_form.html"


@admin.register(NumberingRule)
class NumberingRuleAdmin(FastListMixin, admin.ModelAdmin):
    """Which code each kind of document is numbered under. A change applies to the numbers issued
    afterwards; issued numbers never change."""

    list_display = ["kind", "style", "form_code", "pattern"]
    list_editable = ["style", "form_code"]
    fields = ["kind", "style", "form_code", "pattern"]
    readonly_fields = ["pattern"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "kind"] if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("编号样式"))
    @per_page
    def pattern(self):
        # The center's prefix, the year and the two texts are the same on every row of the list.
        center_prefix, year = SiteConfiguration.get().doc_number_prefix, timezone.localdate().year
        by_issue = str(_("第N期（每种纪要各自编号，每年从第1期起）"))
        shared = str(_("%(prefix)s〔%(year)s〕N号（与使用同一代字的文书共用序号）"))

        def pattern_of(rule):
            if rule.pk is None:
                return "-"
            if rule.style == NumberingRule.Style.ISSUE:
                return by_issue
            return shared % {"prefix": center_prefix + rule.form_code, "year": year}

        return pattern_of


@admin.register(SignerCertificate)
class SignerCertificateAdmin(FastListMixin, admin.ModelAdmin):
    """The director's and deputies' own certificates, where the center issues personal ones: the
    labels of each signer's key and certificate in the center's PKCS#11 token. Saving an active one
    checks the token (SignerCertificate.clean); Django's model permissions decide who may see and
    change them."""

    list_display = ["signer", "key_label", "cert_label", "active", "updated_at"]
    list_filter = ["active"]
    list_select_related = ["signer"]
    fields = ["signer", "key_label", "cert_label", "active", "certificate", "created_at", "updated_at"]
    readonly_fields = ["certificate", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "signer"] if obj is not None else self.readonly_fields

    @admin.display(description=_("令牌中的证书"))
    def certificate(self, record):
        """What the token holds under the labels now: the certificate's subject and validity, or why
        it cannot be used."""
        from documents.certificates import SigningUnavailable, certificate_common_name, check_signer_certificate

        if record.pk is None:
            return "-"
        try:
            material = check_signer_certificate(*record.labels)
        except SigningUnavailable as exc:
            return format_html('<strong data-testid="signer-certificate-problem">{}</strong>', exc.message)
        certificate = material.certificate
        return _("%(subject)s，由 %(issuer)s 签发，有效期至 %(until)s") % {
            "subject": certificate_common_name(certificate),
            "issuer": certificate.issuer.rfc4514_string(),
            "until": timezone.localtime(certificate.not_valid_after_utc).strftime("%Y-%m-%d"),
        }
