"""The partner agency's workspace: letters addressed to its agency, acknowledge, answer,
ask for more time; and the download of answer attachments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import services
from cases.forms import AnswerForm, ExtensionForm, NominationFormSet
from cases.models import AssistanceLetter
from cases.permissions import visible_answer_attachments, visible_recipients
from cases.selectors import agency_letter_history
from documents.models import Document
from documents.permissions import documents_for_subject
from portal.audit import log_action
from portal.page_cache import viewer_page
from portal.permissions import require_role
from portal.roles import Role
from portal.storage import private_file_response


@login_required
@viewer_page
def agency_inbox(request):
    """The partner agency's workspace: assistance letters addressed to its agency."""
    require_role(request.user, Role.AGENCY)
    recipients = (
        visible_recipients(request.user)
        .select_related("letter", "letter__case")
        .order_by("answered_at", "-letter__signed_at")
    )
    return render(
        request,
        "cases/agency_inbox.html",
        {"agency": request.user.agency, "recipients": recipients, "today": timezone.localdate()},
    )


def _recipient(request, letter_pk):
    require_role(request.user, Role.AGENCY)
    return get_object_or_404(
        visible_recipients(request.user).select_related(
            "letter", "letter__case", "letter__case__application", "letter__case__handler", "agency"
        ),
        letter_id=letter_pk,
    )


def _detail(request, recipient, *, answer_form=None, nominations=None, extension_form=None, status=200):
    letter = recipient.letter
    case = letter.case
    documents = documents_for_subject(request.user, letter).filter(kind=Document.Kind.ASSISTANCE_LETTER)
    context = {
        "recipient": recipient,
        "letter": letter,
        "case": case,
        "summary": services.case_summary(case),
        "application": case.application if letter.share_contact else None,
        "help_labels": [AssistanceLetter.Help(v).label for v in letter.help_kinds if v in AssistanceLetter.Help.values],
        "documents": documents,
        "attachments": recipient.attachments.all(),
        "nominated": recipient.nominations.all(),
        "extensions": recipient.extensions.all(),
        "history": agency_letter_history(recipient),
        "answer_form": answer_form or AnswerForm(),
        "nominations": nominations or NominationFormSet(prefix="nom"),
        "extension_form": extension_form or ExtensionForm(),
    }
    return render(request, "cases/agency_letter.html", context, status=status)


@login_required
@viewer_page
def agency_letter(request, letter_pk):
    recipient = _recipient(request, letter_pk)
    return _detail(request, recipient)


@login_required
@require_POST
def agency_acknowledge(request, letter_pk):
    recipient = _recipient(request, letter_pk)
    try:
        services.recipient_acknowledge(recipient=recipient, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已签收。"))
    return redirect("cases:agency_letter", letter_pk=letter_pk)


@login_required
@require_POST
def agency_answer(request, letter_pk):
    recipient = _recipient(request, letter_pk)
    form = AnswerForm(request.POST, request.FILES)
    nominations = NominationFormSet(request.POST, prefix="nom")
    if form.is_valid() and nominations.is_valid():
        try:
            services.recipient_answer(
                recipient=recipient,
                by=request.user,
                answer=form.cleaned_data["answer"],
                information_found=form.cleaned_data["information_found"],
                files=form.cleaned_data["files"],
                nominations=[f.cleaned_data for f in nominations if f.cleaned_data.get("name")],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("回函已提交，指导中心将及时查看。"))
            return redirect("cases:agency_letter", letter_pk=letter_pk)
    return _detail(request, recipient, answer_form=form, nominations=nominations, status=400)


@login_required
@require_POST
def agency_extension(request, letter_pk):
    recipient = _recipient(request, letter_pk)
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            services.extension_request(
                recipient=recipient,
                by=request.user,
                requested_until=form.cleaned_data["requested_until"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("延期申请已提交，请等待指导中心审核。"))
            return redirect("cases:agency_letter", letter_pk=letter_pk)
    return _detail(request, recipient, extension_form=form, status=400)


@login_required
def answer_attachment(request, pk):
    attachment = get_object_or_404(visible_answer_attachments(request.user).select_related("recipient__letter"), pk=pk)
    # An agency's answer may carry confidential material: every download is on the record.
    log_action(
        attachment,
        "cases.attachment.downloaded",
        by=request.user,
        scope=attachment.recipient.letter.case,
        data={"file": attachment.original_name},
    )
    return private_file_response(
        attachment.file,
        filename=attachment.original_name,
        content_type=attachment.content_type or "application/octet-stream",
    )
