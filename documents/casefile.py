"""The case file (案卷): a case's whole record gathered for one archival PDF."""

from django.utils import timezone
from django.utils.translation import gettext as _

from documents.formatting import chinese_date, person_name
from documents.models import Document
from documents.opinions import expert_opinions_for, opinion_context, paragraphs
from documents.selectors import case_documents, documents_of_case


def _when(value):
    if not value:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _labels(field, values):
    choices = dict(field.flatchoices)
    return "、".join(str(choices.get(v, v)) for v in values)


def _application_rows(application):
    from applications.models import Application

    meta = Application._meta
    rows = []
    for name in (
        "number",
        "applicant_category",
        "applicant_name",
        "credit_code",
        "contact_name",
        "contact_email",
        "contact_phone",
        "contact_address",
        "dispute_types",
        "right_types",
        "countries",
        "opponent_type",
        "opponent_name",
        "technical_field",
        "level",
    ):
        field = meta.get_field(name)
        value = getattr(application, name)
        if isinstance(value, list):
            text = _labels(field, value)
        elif field.choices:
            text = str(dict(field.flatchoices).get(value, value))
        else:
            text = str(value or "")
        rows.append({"label": str(field.verbose_name), "value": text})
    rows.append({"label": str(meta.get_field("submitted_at").verbose_name), "value": _when(application.submitted_at)})
    return rows


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


def _catalogue_documents(case_file):
    if case_file.created_by_id is None:
        documents = documents_of_case(case_file.case)
    else:
        documents = case_documents(case_file.created_by, case_file.case, include_superseded=True, include_unready=True)
    return documents.exclude(kind=Document.Kind.CASE_FILE).filter(pk__lt=case_file.pk).order_by("created_at", "pk")


def sources_pending(case_file, *, since):
    """Whether documents of the catalogue requested after `since` are still being rendered
    (worth waiting for; older ones have lost their worker and are shown as they are)."""
    return _catalogue_documents(case_file).filter(status=Document.Status.PENDING, created_at__gt=since).exists()


def case_file_context(case):
    application = case.application
    timeline = []
    for event in application.events.select_related("actor"):
        timeline.append(
            {
                "at": event.at,
                "what": _("申请：%(from)s → %(to)s")
                % {"from": event.get_from_status_display() or "—", "to": event.get_to_status_display()},
                "who": person_name(event.actor),
                "note": event.note,
            }
        )
    for event in case.events.select_related("actor"):
        what = (
            _("案件：%(from)s → %(to)s")
            % {"from": event.get_from_status_display() or "—", "to": event.get_to_status_display() or "—"}
            if event.to_status
            else _("案件记录")
        )
        note = "；".join(filter(None, [event.note, event.public_note]))
        timeline.append({"at": event.at, "what": what, "who": person_name(event.actor), "note": note})
    timeline.sort(key=lambda row: row["at"])
    for row in timeline:
        row["at"] = _when(row["at"])

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

    experts = []
    for row in expert_opinions_for(case):
        experts.append(
            {
                "kind": _("合议意见") if row.get("kind") == "collegial" else _("专家意见"),
                "author": str(row.get("author", "")),
                "submitted_at": _when(row.get("submitted_at")),
                "analysis": paragraphs(row.get("analysis", "")),
                "recommendations": paragraphs(row.get("recommendations", "")),
            }
        )

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
