"""The case file (案卷): a case's whole record gathered for one archival PDF. Its timeline is
the audit log of the application and of the case with everything recorded within it (letters,
documents, the opinion, seminars); its catalogue lists the case's documents as they stand
when the file is rendered (registered with the renderer in CasesConfig.ready)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from cases.opinions.content import expert_label, expert_opinions_for, opinion_context, paragraphs
from documents.formatting import chinese_date, chinese_datetime, person_name
from documents.models import Document
from documents.selectors import case_documents, documents_of_case
from portal.audit import LogEntry


def _when(value):
    return chinese_datetime(value) if value else ""


def _labels(field, values):
    choices = dict(field.flatchoices)
    return "、".join(str(choices.get(v, v)) for v in values)


def _application_rows(application):
    meta = Application._meta
    rows = []
    # A natural person is identified by an ID document in place of the credit code (the case file is the
    # center's own record: the number is kept whole).
    identity = ("id_type", "id_number") if application.id_number else ("credit_code",)
    for name in (
        "number",
        "channel",
        "applicant_category",
        "applicant_name",
        *identity,
        "contact_name",
        "contact_email",
        "contact_phone",
        "contact_address",
        "dispute_types",
        "right_types",
        "countries",
        "opponent_types",
        "opponent_name",
        "technical_fields",
        "level",
        "foreign_deadline",
    ):
        field = meta.get_field(name)
        value = getattr(application, name)
        if isinstance(value, list):
            text = _labels(field, value)
        elif field.choices:
            text = str(dict(field.flatchoices).get(value, value))
        elif name == "foreign_deadline":
            text = _foreign_deadline(application)
        else:
            text = str(value or "")
        rows.append({"label": str(field.verbose_name), "value": text})
    rows.append({"label": str(meta.get_field("submitted_at").verbose_name), "value": _when(application.submitted_at)})
    return rows


def _foreign_deadline(application):
    if application.foreign_deadline is None:
        return ""
    parts = [
        application.foreign_deadline.isoformat(),
        application.foreign_deadline_what,
        application.foreign_deadline_where,
    ]
    text = " ".join(part for part in parts if part)
    return text + (_("（紧急）") if application.urgent else "")


def catalogue(case_file):
    """The catalogue (文书目录) of a case file: every document of the case that existed when
    the file was requested, each with its state and SHA-256 *at render time*. It is read
    when the file is rendered, not when it is requested: documents issued in the same
    moment (a signed opinion exported at once) are rendered by then, and a pending one is
    waited for (see `sources_pending`)."""
    rows = []
    for document in _catalogue_documents(case_file):
        if document.superseded_by_id:
            state = _("已被 %(n)s 取代") % {"n": document.superseded_by.number or document.superseded_by_id}
        elif document.revoked_at:
            state = _("已撤销")
        else:
            state = document.get_status_display()
        rows.append(
            {
                "kind": document.get_kind_display(),
                "number": document.number or "—",
                "version": document.version,
                "status": state,
                "sha256": document.sha256 if document.status == Document.Status.READY else "",
                "created_at": _when(document.created_at),
            }
        )
    return rows


def catalogue_context(case_file):
    """What the case file reads when it is rendered (see documents' render context registry)."""
    if not case_file.case_id:
        return {}
    return {"documents": catalogue(case_file)}


def _catalogue_documents(case_file):
    if case_file.created_by_id is None:
        documents = documents_of_case(case_file.case)
    else:
        documents = case_documents(case_file.created_by, case_file.case, include_superseded=True, include_unready=True)
    return documents.exclude(kind=Document.Kind.CASE_FILE).filter(pk__lt=case_file.pk).order_by("created_at", "pk")


def sources_pending(case_file, *, since):
    """Whether documents of the catalogue requested after `since` are still being rendered
    (worth waiting for; older ones have lost their worker and are shown as they are)."""
    if not case_file.case_id:
        return False
    return _catalogue_documents(case_file).filter(status=Document.Status.PENDING, created_at__gt=since).exists()


def timeline_entries(case):
    """The audit log of the case's application and of the case, with everything recorded
    within either, oldest first. Internal notes included: the case file is for the center."""
    entries = LogEntry.objects.in_scope(case.application) | LogEntry.objects.in_scope(case)
    return entries.select_related("actor", "content_type").order_by("created", "pk")


def timeline_row(entry):
    what = str(entry.action_label)
    change = entry.status_change
    if change:
        what = f"{what}：{change}"
    note = "；".join(filter(None, [entry.note, entry.public_note]))
    return {"at": _when(entry.created), "what": what, "who": person_name(entry.actor), "note": note}


def case_file_context(case):
    application = case.application
    timeline = [timeline_row(entry) for entry in timeline_entries(case)]

    letters = []
    for letter in case.letters.prefetch_related("recipients__agency").order_by("created_at"):
        letters.append(
            {
                "number": letter.number or _("（未签发）"),
                "subject": letter.subject,
                "status": letter.get_status_display(),
                "signed_at": _when(letter.signed_at),
                "body": paragraphs(letter.body),
                "recipients": [
                    {
                        "agency": recipient.agency.name,
                        "acknowledged_at": _when(recipient.acknowledged_at),
                        "answered_at": _when(recipient.answered_at),
                        "answer": paragraphs(getattr(recipient, "answer", "")),
                    }
                    for recipient in letter.recipients.all()
                ],
            }
        )

    opinions = []
    for opinion in case.opinions.select_related("document", "signed_by").order_by("created_at"):
        context = opinion_context(opinion)
        opinions.append(
            {
                "number": opinion.document.number if opinion.document_id else "",
                "status": opinion.get_status_display(),
                "signed_by": person_name(opinion.signed_by),
                "signed_at": _when(opinion.signed_at),
                "sections": context["sections"],
            }
        )

    experts = [
        {
            "kind": expert_label(row),
            "author": str(row.get("author", "")),
            "submitted_at": _when(row.get("submitted_at")),
            "analysis": paragraphs(row.get("analysis", "")),
            "recommendations": paragraphs(row.get("recommendations", "")),
        }
        for row in expert_opinions_for(case)
    ]

    attachments = [
        {
            "category": attachment.get_category_display(),
            "name": attachment.original_name,
            "size": attachment.size,
            "sha256": attachment.sha256,
            "uploaded_at": _when(attachment.uploaded_at),
        }
        for attachment in application.attachments.all()
    ]
    return {
        "title": _("海外知识产权纠纷应对指导案卷"),
        "case_number": case.number,
        "case_status": case.get_status_display(),
        "level": case.get_level_display(),
        "handler": person_name(case.handler),
        "opened_at": _when(case.opened_at),
        "closed_at": _when(case.closed_at),
        "applicant_name": application.applicant_name,
        "application_rows": _application_rows(application),
        "request": paragraphs(application.request),
        "impact": paragraphs(application.impact),
        "other_requests": paragraphs(application.other_requests),
        "attachments": attachments,
        "timeline": timeline,
        "letters": letters,
        "expert_opinions": experts,
        "opinions": opinions,
        "compiled_on": chinese_date(timezone.localdate()),
    }
