"""Seminars (专家研讨会) for major or difficult cases: convening, answers, attendance, the
experts' views, the collegial opinion (合议意见) with its minutes, and cancelling."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case
from documents.formatting import chinese_date, chinese_datetime
from documents.models import Document
from documents.services import allocate_number, document_request
from experts.models import Expert, ExpertAssignment, Seminar, SeminarInvitee, SeminarMaterial
from experts.permissions import can_convene_seminar, can_record_view, can_respond_seminar, can_run_seminar
from experts.services.common import check_files, log, require_no_conflict, require_open_case
from portal.access import require
from portal.models import PartnerAgency, SiteConfiguration, User
from portal.notifications import notify
from portal.transitions import TransitionNotAllowed, check_transition, transition

STAFF_ONLY = gettext_lazy("只有中心工作人员可以召集和主持研讨会。")
OWN_SEAT = gettext_lazy("只能答复或记录本人在研讨会上的席位。")


def seminar_convene(
    *,
    case: Case,
    by: User,
    title: str,
    starts_at: datetime.datetime,
    experts: list[Expert] = (),
    agencies: list[PartnerAgency] = (),
    staff_users: list[User] = (),
    ends_at: datetime.datetime | None = None,
    location: str = "",
    online_link: str = "",
    agenda: str = "",
    materials=(),
) -> Seminar:
    """Convene a seminar (研讨会) for a major or difficult case and notify the invitees."""
    require(can_convene_seminar(by, case), STAFF_ONLY)
    if not location and not online_link:
        raise ValidationError(_("请填写会议地点或线上会议链接。"), code="place")
    if not experts:
        raise ValidationError(_("请至少邀请一位专家。"), code="experts")
    if ends_at and ends_at <= starts_at:
        raise ValidationError(_("结束时间应晚于开始时间。"), code="ends_at")
    materials = check_files(materials)
    require_open_case(case)
    with transaction.atomic():
        for expert in experts:
            require_no_conflict(expert, case, declared=True)
        seminar = Seminar.objects.create(
            case=case,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            location=location,
            online_link=online_link,
            agenda=agenda,
            created_by=by,
            status=Seminar.Status.PLANNED,
        )
        invitees = [SeminarInvitee(seminar=seminar, kind=SeminarInvitee.Kind.EXPERT, expert=e) for e in experts]
        invitees += [SeminarInvitee(seminar=seminar, kind=SeminarInvitee.Kind.AGENCY, agency=a) for a in agencies]
        invitees += [SeminarInvitee(seminar=seminar, kind=SeminarInvitee.Kind.STAFF, user=u) for u in staff_users]
        SeminarInvitee.objects.bulk_create(invitees)
        to_declare = _seminar_assignments(case, experts, by=by)
        for upload, checked in materials:
            SeminarMaterial.objects.create(seminar=seminar, file=upload, original_name=checked.name, size=checked.size)
        transition(
            seminar,
            Seminar.Status.CONVENED,
            by=by,
            permission=can_run_seminar,
            denied_message=STAFF_ONLY,
            action="experts.seminar.convened",
            scope=case,
            data={"experts": [e.pk for e in experts]},
        )
        when = timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M")
        body = _("指导中心定于 %(when)s 召开“%(title)s”，地点：%(place)s。请确认是否参加。") % {
            "when": when,
            "title": title,
            "place": location or online_link,
        }
        declare = _("请先在专家工作台声明与本案是否存在利益冲突，声明后方可查看会议页面和材料。")
        for expert in experts:
            if expert.user_id:
                notify(
                    [expert.user],
                    subject=_("专家研讨会邀请"),
                    body=f"{body}{declare}" if expert.pk in to_declare else body,
                    link=reverse("experts:workspace"),
                )
        agency_users = User.objects.filter(agency__in=list(agencies), is_active=True)
        notify(list(agency_users) + list(staff_users), subject=_("专家研讨会通知"), body=body)
    return seminar


def _seminar_assignments(case, experts, *, by):
    """A seminar's expert works on the case: one without an open or finished assignment on it
    gets one awaiting the declaration of no conflict, and sees the seminar only after declaring.
    Returns the ids of the experts who still have to declare."""
    live = [
        ExpertAssignment.Status.AWAITING_DECLARATION,
        ExpertAssignment.Status.ACTIVE,
        ExpertAssignment.Status.OPINION_SUBMITTED,
    ]
    existing = dict(
        ExpertAssignment.objects.filter(case=case, expert__in=experts, status__in=live).values_list(
            "expert_id", "status"
        )
    )
    to_declare = set()
    for expert in experts:
        status = existing.get(expert.pk)
        if status in {ExpertAssignment.Status.ACTIVE, ExpertAssignment.Status.OPINION_SUBMITTED}:
            continue
        to_declare.add(expert.pk)
        if status is None:
            assignment = ExpertAssignment.objects.create(case=case, expert=expert, assigned_by=by)
            log(
                assignment,
                "experts.assignment.assigned_for_seminar",
                by=by,
                case=case,
                expert=expert,
                to_status=assignment.status,
                note=_("受邀参加研讨会"),
            )
    return to_declare


def _lock_seat(invitee):
    return (
        SeminarInvitee.objects.select_for_update(of=("self",))
        .select_related("seminar__case", "expert")
        .get(pk=invitee.pk)
    )


def seminar_respond(*, invitee: SeminarInvitee, by: User, attend: bool) -> SeminarInvitee:
    """An expert answers for their seat; staff record the answer of anybody invited."""
    require(can_respond_seminar(by, invitee), OWN_SEAT)
    with transaction.atomic():
        invitee = _lock_seat(invitee)
        if invitee.seminar.status != Seminar.Status.CONVENED:
            raise TransitionNotAllowed(
                _("研讨会当前状态为“%(status)s”，不能再回复。") % {"status": invitee.seminar.get_status_display()},
                code="seminar_closed",
            )
        previous = invitee.response
        invitee.response = SeminarInvitee.Response.CONFIRMED if attend else SeminarInvitee.Response.DECLINED
        invitee.responded_at = timezone.now()
        invitee.save(update_fields=["response", "responded_at"])
        log(
            invitee,
            "experts.seminar_invitee.responded",
            by=by,
            case=invitee.seminar.case,
            expert=invitee.expert,
            from_status=previous,
            to_status=invitee.response,
            data={"seminar": invitee.seminar_id},
        )
    return invitee


def _require_seminar_day(seminar, what):
    """Attendance and the collegial opinion record a seminar that took place: not before its day."""
    day = timezone.localdate(seminar.starts_at)
    if day > timezone.localdate():
        raise TransitionNotAllowed(
            _("研讨会定于 %(day)s 召开，会议当天或之后才能%(what)s。") % {"day": date_format(day), "what": what},
            code="not_yet",
        )


def _allowed_now(seminar, target):
    """The declared map's refusal (naming the current state) before the day and form checks."""
    check_transition(Seminar.TRANSITIONS, seminar.status, target, labels=dict(Seminar.Status.choices))


def seminar_record_attendance(*, seminar: Seminar, by: User, present_ids) -> Seminar:
    """On the day: who attended. Moves the seminar to 'held'."""
    require(can_run_seminar(by, seminar), STAFF_ONLY)
    present = {int(pk) for pk in present_ids}
    with transaction.atomic():
        seminar = Seminar.objects.select_for_update().get(pk=seminar.pk)
        _allowed_now(seminar, Seminar.Status.HELD)
        _require_seminar_day(seminar, _("登记出席情况"))
        invitees = list(seminar.invitees.select_for_update())
        if not any(i.pk in present and i.kind == SeminarInvitee.Kind.EXPERT for i in invitees):
            raise ValidationError(_("至少应有一位专家出席，才能记录为已召开。"), code="attendance")
        for invitee in invitees:
            invitee.attended = invitee.pk in present
        SeminarInvitee.objects.bulk_update(invitees, ["attended"])
        return transition(
            seminar,
            Seminar.Status.HELD,
            by=by,
            permission=can_run_seminar,
            denied_message=STAFF_ONLY,
            action="experts.seminar.held",
            scope=seminar.case,
            note=_("出席%(n)d人") % {"n": len(present & {i.pk for i in invitees})},
        )


def seminar_record_view(*, invitee: SeminarInvitee, by: User, view: str) -> SeminarInvitee:
    """An expert's view at the seminar, recorded by the expert or by staff."""
    require(can_record_view(by, invitee), OWN_SEAT)
    view = (view or "").strip()
    if not view:
        raise ValidationError(_("请填写观点。"), code="view")
    with transaction.atomic():
        invitee = _lock_seat(invitee)
        if invitee.kind != SeminarInvitee.Kind.EXPERT:
            raise ValidationError(_("只有专家需要记录观点。"), code="kind")
        if invitee.seminar.status not in {Seminar.Status.CONVENED, Seminar.Status.HELD}:
            raise TransitionNotAllowed(
                _("研讨会当前状态为“%(status)s”，不能再修改观点。") % {"status": invitee.seminar.get_status_display()},
                code="seminar_closed",
            )
        invitee.view = view
        invitee.view_recorded_at = timezone.now()
        invitee.save(update_fields=["view", "view_recorded_at"])
        log(
            invitee,
            "experts.seminar_invitee.view_recorded",
            by=by,
            case=invitee.seminar.case,
            expert=invitee.expert,
            data={"seminar": invitee.seminar_id},
        )
    return invitee


def seminar_conclude(
    *,
    seminar: Seminar,
    by: User,
    analysis: str,
    recommendations: str,
    agreement: str,
    risks: str = "",
    references: str = "",
    positions: dict | None = None,
) -> Seminar:
    """Record the collegial opinion (合议意见) with each attending expert's agreement or dissent,
    and queue the minutes PDF. `positions` maps invitee id to (position, dissent text)."""
    require(can_run_seminar(by, seminar), STAFF_ONLY)
    positions = positions or {}
    if not (analysis or "").strip() or not (recommendations or "").strip():
        raise ValidationError(_("合议分析和应对建议必须填写。"), code="required")
    with transaction.atomic():
        seminar = Seminar.objects.select_for_update(of=("self",)).select_related("case__application").get(pk=seminar.pk)
        _allowed_now(seminar, Seminar.Status.CONCLUDED)
        _require_seminar_day(seminar, _("记录合议意见和会议纪要"))
        invitees = list(seminar.invitees.select_related("expert", "agency", "user"))
        experts_present = [i for i in invitees if i.kind == SeminarInvitee.Kind.EXPERT and i.attended]
        for invitee in experts_present:
            position, dissent = positions.get(invitee.pk, (SeminarInvitee.Position.AGREE, ""))
            if position not in SeminarInvitee.Position.values:
                position = SeminarInvitee.Position.ABSTAIN
            if position == SeminarInvitee.Position.DISSENT and not (dissent or "").strip():
                raise ValidationError(
                    _("%(name)s保留不同意见，请记录其具体意见。") % {"name": invitee.display_name}, code="dissent"
                )
            invitee.position = position
            invitee.dissent = (dissent or "").strip() if position == SeminarInvitee.Position.DISSENT else ""
        SeminarInvitee.objects.bulk_update(experts_present, ["position", "dissent"])
        seminar.collegial_analysis = analysis.strip()
        seminar.collegial_recommendations = recommendations.strip()
        seminar.collegial_risks = (risks or "").strip()
        seminar.collegial_references = (references or "").strip()
        seminar.agreement = (agreement or "").strip()
        seminar.concluded_at = timezone.now()
        number = allocate_number(Document.Kind.SEMINAR_MINUTES)
        seminar.minutes = document_request(
            kind=Document.Kind.SEMINAR_MINUTES,
            subject=seminar,
            template="pdf/seminar_minutes.html",
            context=_minutes_context(seminar, invitees, number),
            title=_("%(title)s会议纪要") % {"title": seminar.title},
            by=by,
            number=number,
            case=seminar.case,
            # The attending experts receive the minutes (staff see every document).
            recipients=[i.expert.user for i in experts_present if i.expert.user_id],
        )
        return transition(
            seminar,
            Seminar.Status.CONCLUDED,
            by=by,
            permission=can_run_seminar,
            denied_message=STAFF_ONLY,
            action="experts.seminar.concluded",
            scope=seminar.case,
            public_note=_("指导中心已召开专家研讨会，形成合议意见。"),
            update_fields=(
                "collegial_analysis",
                "collegial_recommendations",
                "collegial_risks",
                "collegial_references",
                "agreement",
                "concluded_at",
                "minutes",
            ),
        )


# The red header of a seminar's minutes (纪要格式).
MINUTES_MASTHEAD = gettext_lazy("专家研讨会纪要")


def _minutes_context(seminar, invitees, number):
    config = SiteConfiguration.get()

    def row(invitee):
        return {
            "name": invitee.display_name,
            "kind": str(invitee.get_kind_display()),
            "organisation": invitee.expert.organisation if invitee.expert_id else "",
            "attended": bool(invitee.attended),
            "view": invitee.view,
            "position": str(invitee.get_position_display()) if invitee.position else "",
            "dissent": invitee.dissent,
        }

    def listed(invitee):
        """An entry of the 出席/请假/列席 lists: 王明（某大学）, 省商务厅, 李华."""
        entry = row(invitee)
        return f"{entry['name']}（{entry['organisation']}）" if entry["organisation"] else entry["name"]

    experts = [i for i in invitees if i.kind == SeminarInvitee.Kind.EXPERT]
    others = [i for i in invitees if i.kind != SeminarInvitee.Kind.EXPERT]
    return {
        "masthead": str(MINUTES_MASTHEAD),
        "issuer": config.center_name,
        "number": number,
        "title": seminar.title,
        "case_number": seminar.case.number,
        "held_on": chinese_datetime(seminar.starts_at),
        "place": seminar.location or seminar.online_link,
        "agenda": seminar.agenda,
        "present": [row(i) for i in invitees if i.attended],
        "absent": [row(i) for i in invitees if not i.attended],
        # The lists at the end of the minutes: the experts are the members of the seminar;
        # agency representatives and the center's staff attend without a voice in the opinion (列席).
        "attending": [listed(i) for i in experts if i.attended],
        "excused": [listed(i) for i in experts if not i.attended],
        "observers": [listed(i) for i in others if i.attended],
        "experts": [row(i) for i in experts if i.attended],
        "analysis": seminar.collegial_analysis,
        "recommendations": seminar.collegial_recommendations,
        "risks": seminar.collegial_risks,
        "references": seminar.collegial_references,
        "agreement": seminar.agreement,
        "dissents": [row(i) for i in experts if i.position == SeminarInvitee.Position.DISSENT],
        "center_name": config.center_name,
        "copy_to": "，".join(i.agency.name for i in invitees if i.kind == SeminarInvitee.Kind.AGENCY),
        "issued_on": chinese_date(timezone.localdate(seminar.concluded_at)),
    }


def seminar_cancel(*, seminar: Seminar, by: User, note: str = "") -> Seminar:
    require(can_run_seminar(by, seminar), STAFF_ONLY)
    with transaction.atomic():
        seminar = Seminar.objects.select_for_update().get(pk=seminar.pk)
        return transition(
            seminar,
            Seminar.Status.CANCELLED,
            by=by,
            permission=can_run_seminar,
            denied_message=STAFF_ONLY,
            action="experts.seminar.cancelled",
            scope=seminar.case,
            note=note,
        )
