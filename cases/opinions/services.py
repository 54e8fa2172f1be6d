"""State changes of a guidance opinion and the export of a case file.

An opinion is drafted and edited by center staff, submitted for the case handler's review,
approved or returned, signed (签发) by the director or a deputy, and reopened for correction
by them. Every change goes through `portal.transitions.transition` (the map is
`GuidanceOpinion.TRANSITIONS`) and is written to the audit log within the case's scope."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.selectors import members_of
from cases import services as case_services
from cases.models import Case
from cases.opinions.casefile import case_file_context
from cases.opinions.content import expert_opinions_for, opinion_context, quote_expert_opinions
from cases.opinions.models import GuidanceOpinion
from cases.opinions.permissions import (
    can_draft_opinion,
    can_edit_opinion,
    can_export_case_file,
    can_reopen_opinion,
    can_review_opinion,
    can_sign_opinion,
)
from documents.formatting import chinese_date
from documents.models import Document
from documents.pdf import render_pdf
from documents.selectors import documents_of_case
from documents.services import allocate_number, document_request, document_supersede
from portal.access import require
from portal.audit import log_action
from portal.models import User
from portal.notifications import notify, notify_signers
from portal.transitions import TransitionNotAllowed, check_fresh, check_transition, transition

S = GuidanceOpinion.Status

# The opinion's long sections: a text area each in the author's form, left out of the staff's list.
OPINION_SECTIONS = [
    "dispute_summary",
    "analysis",
    "responses_detail",
    "risks",
    "next_steps",
    "expert_opinions",
    "referenced_laws",
    "service_providers",
]
# Fields the author edits, in the form's order (the responses chosen, after the analysis);
# everything else is set by the services below.
OPINION_TEXT_FIELDS = ["title", "addressee", *OPINION_SECTIONS[:2], "responses", *OPINION_SECTIONS[2:], "copy_to"]

# The sections an opinion cannot be submitted without.
REQUIRED_SECTIONS = ("addressee", "dispute_summary", "analysis", "responses_detail")

MSG_EDIT = gettext_lazy("只有中心工作人员可以起草和修改指导意见书。")
MSG_REVIEW = gettext_lazy("只有本案承办人可以审核指导意见书。")
MSG_SIGN = gettext_lazy("只有中心主任或副主任可以签发指导意见书。")
MSG_REOPEN = gettext_lazy("只有中心主任或副主任可以重新打开已签发的指导意见书。")


def _labels():
    return dict(S.choices)


def _lock(opinion: GuidanceOpinion) -> GuidanceOpinion:
    return (
        GuidanceOpinion.objects.select_for_update(of=("self",))
        .select_related("case__application", "case__handler", "document")
        .get(pk=opinion.pk)
    )


def _check_state(opinion, target):
    """The wrong-state refusal, before anything else is checked (it names the current state)."""
    check_transition(GuidanceOpinion.TRANSITIONS, opinion.status, target, labels=_labels())


def _require_draft(opinion):
    if opinion.status != S.DRAFT:
        raise TransitionNotAllowed(
            _("只有起草中的指导意见书可以修改；该意见书当前状态为“%(current)s”。")
            % {"current": opinion.get_status_display()},
            code="transition",
        )


def _case_allows(case, target):
    transitions = getattr(Case, "TRANSITIONS", None) or case_services.CASE_TRANSITIONS
    return target in transitions.get(case.status, set())


def _case_to(case, target, *, by, note=""):
    """Move the case on if its state machine allows it from where it is now."""
    if _case_allows(case, target):
        return case_services.case_transition(case=case, to_status=target, by=by, note=note)
    return case


def _change_link(opinion):
    return reverse("admin:cases_guidanceopinion_change", args=[opinion.pk])


def opinion_create(*, case: Case, by: User, **fields) -> GuidanceOpinion:
    """Start a draft opinion on a case (staff, in the admin)."""
    require(can_draft_opinion(by, case), MSG_EDIT)
    if case.status in {Case.Status.CLOSED, Case.Status.TERMINATED}:
        raise TransitionNotAllowed(_("案件已结案或终止，不能起草指导意见书。"))
    unknown = set(fields) - set(OPINION_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown opinion fields: {sorted(unknown)}")
    with transaction.atomic():
        fields.setdefault("addressee", case.application.applicant_name)
        opinion = GuidanceOpinion.objects.create(case=case, drafted_by=by, **fields)
        log_action(opinion, "cases.opinion.created", by=by, scope=case, to_status=S.DRAFT)
    return opinion


def opinion_update(
    *, opinion: GuidanceOpinion, by: User, data: dict, seen_revision: int | None = None
) -> GuidanceOpinion:
    """Save the author's edits to a draft. Only drafts can be edited; a signed opinion
    must be reopened for correction first."""
    require(can_edit_opinion(by, opinion), MSG_EDIT)
    with transaction.atomic():
        opinion = _lock(opinion)
        check_fresh(opinion, seen_revision)
        _require_draft(opinion)
        changed = [name for name in OPINION_TEXT_FIELDS if name in data and getattr(opinion, name) != data[name]]
        for name in changed:
            setattr(opinion, name, data[name])
        opinion.revision += 1
        opinion.save(update_fields=[*changed, "revision", "updated_at"])
        if changed:
            log_action(opinion, "cases.opinion.edited", by=by, scope=opinion.case, data={"fields": changed})
    return opinion


def opinion_submit(*, opinion: GuidanceOpinion, by: User, note: str = "") -> GuidanceOpinion:
    """The author submits the draft for the handler's review; the case becomes
    'opinion drafted' where its state allows it."""
    require(can_edit_opinion(by, opinion), MSG_EDIT)
    with transaction.atomic():
        opinion = _lock(opinion)
        _check_state(opinion, S.IN_REVIEW)
        missing = [
            str(GuidanceOpinion._meta.get_field(name).verbose_name)
            for name in REQUIRED_SECTIONS
            if not str(getattr(opinion, name)).strip()
        ]
        if missing:
            raise TransitionNotAllowed(_("请先填写：%(fields)s。") % {"fields": "、".join(missing)})
        transition(
            opinion,
            S.IN_REVIEW,
            by=by,
            action="cases.opinion.submitted",
            permission=can_edit_opinion,
            denied_message=MSG_EDIT,
            note=note,
            scope=opinion.case,
        )
        _case_to(opinion.case, Case.Status.OPINION_DRAFTED, by=by, note=_("指导意见书已起草，提交承办人审核。"))
    return opinion


def opinion_review(*, opinion: GuidanceOpinion, by: User, approve: bool, note: str = "") -> GuidanceOpinion:
    """The handler approves the draft for signature, or returns it to the author with a note."""
    target = S.APPROVED if approve else S.DRAFT
    with transaction.atomic():
        opinion = _lock(opinion)
        if opinion.status != S.IN_REVIEW:
            _check_state(opinion, S.APPROVED)  # names the state the opinion is in now
        require(can_review_opinion(by, opinion), MSG_REVIEW)
        if not approve and not note.strip():
            raise TransitionNotAllowed(_("退回修改时请写明审核意见。"))
        opinion.reviewed_by = by
        opinion.reviewed_at = timezone.now()
        opinion.review_note = note
        transition(
            opinion,
            target,
            by=by,
            action="cases.opinion.approved" if approve else "cases.opinion.returned",
            permission=can_review_opinion,
            denied_message=MSG_REVIEW,
            note=note,
            scope=opinion.case,
            update_fields=("reviewed_by", "reviewed_at", "review_note"),
        )
        if approve:
            notify_signers(
                subject=_("待签发：行政指导意见书（案件 %(case)s）") % {"case": opinion.case.number},
                body=_("案件 %(case)s 的《%(title)s》已审核通过，等待您签发。")
                % {"case": opinion.case.number, "title": opinion.title},
                link=_change_link(opinion),
            )
        else:
            notify(
                [opinion.drafted_by],
                subject=_("指导意见书被退回修改（案件 %(case)s）") % {"case": opinion.case.number},
                body=note,
                link=_change_link(opinion),
                email=False,
            )
    return opinion


def opinion_sign(*, opinion: GuidanceOpinion, by: User) -> GuidanceOpinion:
    """签发: the director or a deputy signs an approved opinion. Gives it the next number,
    queues the signed PDF (released to the applicant), supersedes an earlier version,
    e-mails the applicant's users and moves the case to 'opinion issued'.

    Refused, with nothing numbered or changed, when the signer may not sign (Forbidden) or
    the center's certificate is missing or expired."""
    with transaction.atomic():
        opinion = _lock(opinion)
        _check_state(opinion, S.SIGNED)
        require(can_sign_opinion(by, opinion), MSG_SIGN)
        case = opinion.case
        if case.status == Case.Status.TERMINATED:
            raise TransitionNotAllowed(_("案件已终止，不能签发指导意见书。"))
        previous = opinion.document
        number = allocate_number(Document.Kind.GUIDANCE_OPINION)
        applicant = case.application.applicant
        document = document_request(
            kind=Document.Kind.GUIDANCE_OPINION,
            subject=opinion,
            template="pdf/guidance_opinion.html",
            context=opinion_context(opinion),
            title=opinion.title,
            by=by,
            number=number,
            applicant=applicant,
            released=True,
            case=case,
            signed_by=by,
            version=(previous.version + 1) if previous else 1,
        )
        if previous is not None and previous.superseded_by_id is None:
            document_supersede(old=previous, new=document, by=by, reason=_("指导意见书更正后重新签发。"))
        opinion.signed_by = by
        opinion.signed_at = timezone.now()
        opinion.document = document
        if case.opinion_issued_at is None:
            # The first issue: the statistics time the case's opinion by it.
            Case.objects.filter(pk=case.pk).update(opinion_issued_at=opinion.signed_at)
            case.opinion_issued_at = opinion.signed_at
        transition(
            opinion,
            S.SIGNED,
            by=by,
            action="cases.opinion.signed",
            permission=can_sign_opinion,
            denied_message=MSG_SIGN,
            note=number,
            # The first issue is told to the applicant by the case ("opinion issued"); a corrected
            # version is told here, since the case's state does not change.
            public_note=_("行政指导意见书已更正并重新签发（%(number)s），原文书 %(old)s 已被取代。")
            % {"number": number, "old": previous.number}
            if previous is not None
            else "",
            scope=case,
            data={"number": number, "document": document.pk, "version": document.version},
            update_fields=("signed_by", "signed_at", "document"),
        )
        if case.status not in {Case.Status.OPINION_ISSUED, Case.Status.FOLLOW_UP, Case.Status.CLOSED}:
            # First issue: the case must be able to reach 'opinion issued'; otherwise the
            # transition refuses and the whole signing (number included) is rolled back.
            case = _case_to(case, Case.Status.OPINION_DRAFTED, by=by)
            case.refresh_from_db(fields=["status", "revision"])
            case_services.case_transition(
                case=case,
                to_status=Case.Status.OPINION_ISSUED,
                by=by,
                note=_("指导意见书 %(number)s 已签发。") % {"number": number},
            )
        notify(
            members_of(applicant),
            subject=_("指导意见书已出具：%(number)s") % {"number": number},
            body=_(
                "您的案件 %(case)s 的《%(title)s》（%(number)s）已由%(signer)s签发，"
                "请登录平台在案件页面下载。文书可通过验证码 %(code)s 核验真伪。"
            )
            % {
                "case": case.number,
                "title": opinion.title,
                "number": number,
                "signer": document.signer_title,
                "code": document.verification_code,
            },
            link=f"/applications/{case.application_id}/",
        )
    return opinion


def opinion_reopen(*, opinion: GuidanceOpinion, by: User, reason: str) -> GuidanceOpinion:
    """Reopen a signed opinion for correction (the director or a deputy), or take back an
    approved one before signature. The issued document stays valid until the corrected
    opinion is signed, which issues a new number and supersedes it."""
    if not reason.strip():
        raise TransitionNotAllowed(_("请说明更正原因。"))
    with transaction.atomic():
        opinion = _lock(opinion)
        _check_state(opinion, S.DRAFT)
        message = MSG_REOPEN if opinion.status == S.SIGNED else MSG_REVIEW
        require(can_reopen_opinion(by, opinion), message)
        transition(
            opinion,
            S.DRAFT,
            by=by,
            action="cases.opinion.reopened",
            permission=can_reopen_opinion,
            denied_message=message,
            note=reason.strip(),
            scope=opinion.case,
        )
    return opinion


def opinion_quote_experts(*, opinion: GuidanceOpinion, by: User) -> GuidanceOpinion:
    """Fill the expert-opinion summary from the case's expert and collegial opinions."""
    require(can_edit_opinion(by, opinion), MSG_EDIT)
    with transaction.atomic():
        opinion = _lock(opinion)
        _require_draft(opinion)
        rows = expert_opinions_for(opinion.case)
        if not rows:
            raise TransitionNotAllowed(_("本案暂无已提交的专家意见或合议意见。"))
        opinion.expert_opinions = quote_expert_opinions(rows)
        opinion.revision += 1
        opinion.save(update_fields=["expert_opinions", "revision", "updated_at"])
        log_action(opinion, "cases.opinion.experts_quoted", by=by, scope=opinion.case, data={"opinions": len(rows)})
    return opinion


def opinion_preview(*, opinion: GuidanceOpinion, by: User) -> bytes:
    """The opinion as it would be issued, marked as a preview: no number, no signature,
    nothing stored. Returns PDF bytes; the view of this confidential text is logged."""
    require(can_edit_opinion(by, opinion), MSG_EDIT)
    context = {
        **opinion_context(opinion, preview=True),
        "number": "",
        "issued_on_cn": chinese_date(timezone.localdate()),
        "verification_code": "",
    }
    pdf, _pages = render_pdf("pdf/guidance_opinion.html", context)
    log_action(opinion, "cases.opinion.previewed", by=by, scope=opinion.case)
    return pdf


def case_file_export(*, case: Case, by: User) -> Document:
    """Queue the archival PDF of a case's whole record (staff). Each export is a new,
    unnumbered document with its own hash and verification code; nothing is overwritten.
    The catalogue of documents is filled in when the file is rendered (cases.opinions.casefile)."""
    require(can_export_case_file(by, case), _("只有中心工作人员可以导出案卷。"))
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("application", "handler").get(pk=case.pk)
        previous = documents_of_case(case).filter(kind=Document.Kind.CASE_FILE).count()
        document = document_request(
            kind=Document.Kind.CASE_FILE,
            subject=case,
            template="pdf/case_file.html",
            context=case_file_context(case),
            title=_("案卷 %(number)s") % {"number": case.number},
            case=case,
            by=by,
            version=previous + 1,
        )
        log_action(document, "cases.case_file.exported", by=by, scope=case, data={"version": document.version})
    return document
