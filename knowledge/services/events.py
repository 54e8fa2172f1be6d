"""Training sessions, salons and trade fairs: registrations, attendance, materials and the
on-site service desk of a fair.

Who may see what: every published event is public; anything else answers 404. A registration is
reached by its token (the personal link in the confirmation e-mail), so an enterprise needs no
account to see or cancel it. Staff (the center's roles) record attendance, upload materials and
handle the desk's requests, in the admin.

Places: an event's capacity counts the attendees of every registration that is not cancelled
(a registration for three people takes three places). `registration_create` locks the event's row
before counting, so two registrations for the last place cannot both succeed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applications.models import Applicant, ApplicantAccount
from applications.selectors import members_of
from applications.services import application_start_for
from consultations.models import Consultation
from consultations.services import consultation_log
from knowledge.calendar import absolute
from knowledge.models import Event, EventMaterial, FairHelpRequest, Registration
from knowledge.permissions import can_review, published
from portal.access import require
from portal.audit import log_action
from portal.models import SiteConfiguration, User
from portal.notifications import notify, notify_staff, queue_email
from portal.transitions import transition
from portal.uploads import check_upload

R = Registration.Status
H = FairHelpRequest.Status

STAFF_ONLY = _("只有中心工作人员可以办理。")


# --- Access ---------------------------------------------------------------------------------


def visible_events(user=None):
    """The events anybody may see: the published ones (staff work on the others in the admin)."""
    return published(Event)


def can_manage_events(user):
    """Record attendance, upload materials, export the list, handle the fair desk: the reviewers
    (center staff, the director and deputies)."""
    return bool(can_review(user))


def materials_visible(event, *, now=None):
    """Materials are published with the session: once it has started, and only for a published event."""
    return event.status == Event.Status.PUBLISHED and (now or timezone.now()) >= event.starts_at


def visible_materials(event, *, now=None):
    if not materials_visible(event, now=now):
        return EventMaterial.objects.none()
    return event.materials.all()


# --- Places ---------------------------------------------------------------------------------


def places_taken(event) -> int:
    """Attendees of the registrations that still hold their places (not cancelled)."""
    total = event.registrations.exclude(status=R.CANCELLED).aggregate(n=Sum("attendees"))["n"]
    return total or 0


def places_taken_column():
    """places_taken of each event as a column of a list's query: a subquery per row, so that the
    database sorts and cuts the events to the page first and sums only the page's registrations. A
    join grouped by event summed every event's first: with 100,000 registrations over 300 events,
    the admin's first page took 115 ms in the database that way and 13.6 ms this way."""
    return Coalesce(
        Subquery(
            Registration.objects.filter(event=OuterRef("pk"))
            .exclude(status=R.CANCELLED)
            .order_by()
            .values("event")
            .annotate(n=Sum("attendees"))
            .values("n")[:1]
        ),
        0,
    )


def places_left(event, *, taken=None) -> int | None:
    """Places still free; None for an event without a limit."""
    if event.capacity is None:
        return None
    taken = places_taken(event) if taken is None else taken
    return max(event.capacity - taken, 0)


def takes_registrations(event) -> bool:
    return event.kind in {Event.Kind.TRAINING, Event.Kind.SALON}


def registration_closed_reason(event, *, now=None, taken=None) -> str:
    """Why a visitor cannot register now ("" when they can)."""
    now = now or timezone.now()
    if not takes_registrations(event):
        return _("展会服务无需报名。")
    if event.status != Event.Status.PUBLISHED:
        return _("该活动未发布，不接受报名。")
    if now >= event.starts_at:
        return _("活动已开始或已结束，报名已截止。")
    if event.registration_closes_at and now >= event.registration_closes_at:
        return _("报名已于 %(when)s 截止。") % {
            "when": timezone.localtime(event.registration_closes_at).strftime("%Y-%m-%d %H:%M")
        }
    if places_left(event, taken=taken) == 0:
        return _("名额已满，报名已关闭。")
    return ""


# --- E-mail ---------------------------------------------------------------------------------


def _mail(addresses, *, subject, template, context):
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(template, {"center": SiteConfiguration.get(), **context})
    queue_email([a for a in addresses if a], subject=subject, text=text)


def registration_links(registration):
    return {
        "registration_url": absolute(reverse("knowledge:registration", args=[registration.token])),
        "ics_url": absolute(reverse("knowledge:registration_ics", args=[registration.token])),
        "event_url": absolute(reverse("knowledge:event", args=[registration.event_id])),
    }


# --- Registration ---------------------------------------------------------------------------


def _normalise_email(value):
    return (value or "").strip().lower()


def registration_create(*, event: Event, data: dict, by: User | None) -> Registration:
    """Register an organisation for a training session or a salon.

    `data` holds organisation, contact_name, email, phone and attendees (already validated by the
    form). Locks the event's row, so that places are counted by one registration at a time; one
    active registration per e-mail address and event. Sends the confirmation with the personal link
    (see, cancel, calendar file)."""
    user = by if by is not None and getattr(by, "is_authenticated", False) else None
    email = _normalise_email(data["email"])
    attendees = int(data.get("attendees") or 1)
    if attendees < 1:
        raise ValidationError(_("参加人数至少为 1 人。"), code="attendees")
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        taken = places_taken(locked)
        reason = registration_closed_reason(locked, taken=taken)
        if reason:
            raise ValidationError(reason, code="closed")
        if locked.registrations.exclude(status=R.CANCELLED).filter(email__iexact=email).exists():
            raise ValidationError(
                _("邮箱 %(email)s 已报名本次活动。如需修改人数，请先通过确认邮件中的链接取消原报名，再重新报名。")
                % {"email": email},
                code="duplicate",
            )
        left = places_left(locked, taken=taken)
        if left is not None and attendees > left:
            raise ValidationError(
                _("剩余名额为 %(left)s 个，不足 %(n)s 人，请减少参加人数。") % {"left": left, "n": attendees},
                code="full",
            )
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    event=locked,
                    user=user,
                    organisation=data["organisation"].strip(),
                    contact_name=data["contact_name"].strip(),
                    email=email,
                    phone=data["phone"].strip(),
                    attendees=attendees,
                )
        except IntegrityError as exc:  # the unique constraint, should a race get past the lock
            raise ValidationError(_("邮箱 %(email)s 已报名本次活动。") % {"email": email}, code="duplicate") from exc
        log_action(
            registration,
            "knowledge.registration.created",
            by=user,
            scope=locked,
            to_status=R.REGISTERED,
            data={"attendees": attendees},
        )
        _mail(
            [email],
            subject=_("报名确认：%(title)s") % {"title": locked.title},
            template="knowledge/email/events/registration_confirmed.txt",
            context={"registration": registration, "event": locked, **registration_links(registration)},
        )
    return registration


def registration_cancel(*, registration: Registration, by: User | None) -> Registration:
    """The registrant cancels (through the personal link): the places are free again."""
    event = registration.event
    if timezone.now() >= event.starts_at:
        raise ValidationError(_("活动已开始，不能再取消报名。"), code="started")
    with transaction.atomic():
        transition(
            registration,
            R.CANCELLED,
            by=by if by is not None and by.is_authenticated else None,
            action="knowledge.registration.cancelled",
            scope=event,
        )
        _mail(
            [registration.email],
            subject=_("已取消报名：%(title)s") % {"title": event.title},
            template="knowledge/email/events/registration_cancelled.txt",
            context={"registration": registration, "event": event, **registration_links(registration)},
        )
    return registration


def registration_attendance(*, registration: Registration, attended: bool, by: User) -> Registration:
    """Staff record whether a registrant came (after the session has started)."""
    require(can_manage_events(by), STAFF_ONLY)
    if timezone.now() < registration.event.starts_at:
        raise ValidationError(_("活动尚未开始，不能登记出席情况。"), code="not_started")
    target = R.ATTENDED if attended else R.ABSENT
    if registration.status == target:
        return registration
    return transition(
        registration,
        target,
        by=by,
        permission=lambda user, obj: can_manage_events(user),
        denied_message=STAFF_ONLY,
        action="knowledge.registration.attended" if attended else "knowledge.registration.absent",
        scope=registration.event,
    )


# --- Materials ------------------------------------------------------------------------------


def material_add(*, event: Event, title: str, upload, by: User) -> EventMaterial:
    """Staff upload a handout or slides; checked like evidence (type by content, size)."""
    require(can_manage_events(by), STAFF_ONLY)
    checked = check_upload(upload)
    with transaction.atomic():
        material = EventMaterial(event=event, title=title.strip() or checked.name)
        material.file.save(checked.name, upload, save=False)
        material.save()
        log_action(
            material,
            "knowledge.material.added",
            by=by,
            scope=event,
            data={"name": checked.name, "sha256": checked.sha256, "size": checked.size},
        )
    return material


def material_remove(*, material: EventMaterial, by: User) -> None:
    require(can_manage_events(by), STAFF_ONLY)
    with transaction.atomic():
        log_action(material.event, "knowledge.material.removed", by=by, data={"title": material.title})
        stored = material.file
        material.delete()
        transaction.on_commit(lambda: stored.storage.delete(stored.name))


# --- The fair's on-site service desk --------------------------------------------------------


def help_accepted_reason(event, *, now=None) -> str:
    """Why the desk takes no request now ("" when it does): a published fair that has not ended."""
    now = now or timezone.now()
    if event.kind != Event.Kind.TRADE_FAIR or event.status != Event.Status.PUBLISHED:
        return _("该活动没有现场服务站。")
    if now > event.ends_at:
        return _("展会已结束，现场服务站已关闭。展会后的纠纷请通过“纠纷应对指导申请”提出，或拨打服务热线。")
    return ""


def help_request_create(*, event: Event, data: dict, by: User | None) -> FairHelpRequest:
    """An exhibitor asks the desk for help (anonymous allowed; a phone number is required).
    Staff are told at once, urgent requests with 【紧急】 in the subject."""
    user = by if by is not None and getattr(by, "is_authenticated", False) else None
    reason = help_accepted_reason(event)
    if reason:
        raise ValidationError(reason, code="closed")
    with transaction.atomic():
        request = FairHelpRequest.objects.create(
            event=event,
            user=user,
            organisation=data["organisation"].strip(),
            contact_name=data["contact_name"].strip(),
            phone=data["phone"].strip(),
            email=_normalise_email(data.get("email")),
            booth=(data.get("booth") or "").strip(),
            question=data["question"].strip(),
            urgent=bool(data.get("urgent")),
        )
        log_action(request, "knowledge.fair_help.created", by=user, scope=event, to_status=H.NEW)
        prefix = _("【紧急】") if request.urgent else ""
        notify_staff(
            subject=_("%(prefix)s展会现场求助：%(org)s（%(fair)s）")
            % {"prefix": prefix, "org": request.organisation, "fair": event.title},
            body=_(
                "展会：%(fair)s\n参展单位：%(org)s\n展位号：%(booth)s\n联系人：%(name)s，电话：%(phone)s\n\n遇到的问题：\n%(question)s"
            )
            % {
                "fair": event.title,
                "org": request.organisation,
                "booth": request.booth or "—",
                "name": request.contact_name,
                "phone": request.phone,
                "question": request.question,
            },
            link=reverse("admin:knowledge_fairhelprequest_change", args=[request.pk]),
        )
    return request


def help_request_answer(*, help_request: FairHelpRequest, answer: str, by: User) -> FairHelpRequest:
    """Staff answer a request; the exhibitor gets the answer by e-mail when it left an address."""
    require(can_manage_events(by), STAFF_ONLY)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError(_("请填写答复内容。"), code="empty")
    help_request.answer = answer
    help_request.handled_by = by
    with transaction.atomic():
        transition(
            help_request,
            H.HANDLED,
            by=by,
            permission=lambda user, obj: can_manage_events(user),
            denied_message=STAFF_ONLY,
            action="knowledge.fair_help.answered",
            scope=help_request.event,
            update_fields=("answer", "handled_by"),
        )
        help_request_record_consultation(help_request=help_request, by=by)
        address = help_request.email or (help_request.user.email if help_request.user else "")
        if address:
            _mail(
                [address],
                subject=_("展会现场求助的答复：%(fair)s") % {"fair": help_request.event.title},
                template="knowledge/email/events/help_answered.txt",
                context={"help_request": help_request, "event": help_request.event},
            )
    return help_request


def help_request_record_consultation(*, help_request: FairHelpRequest, by: User, application=None) -> Consultation:
    """The desk's request, once handled, counts as a consultation (channel: the fair's desk, with the
    fair's name), recorded through the consultations app in the caller's transaction; an escalation
    that started an application records the consultation as turned into it."""
    applicant = requester_applicant(help_request)
    return consultation_log(
        data={
            "channel": Consultation.Channel.FAIR_DESK,
            "received_at": help_request.created_at,
            "fair_name": help_request.event.title[:200],
            "person_name": help_request.contact_name,
            "phone": help_request.phone,
            "email": help_request.email,
            "applicant": applicant,
            "organisation_name": help_request.organisation,
            "countries": [help_request.event.country] if help_request.event.country else [],
            "question": help_request.question,
            "answer": help_request.answer,
        },
        by=by,
        application=application,
    )


def requester_applicant(help_request) -> Applicant | None:
    """The organisation the requester acts for, when it was logged in as an applicant user."""
    if help_request.user_id is None:
        return None
    account = ApplicantAccount.objects.filter(user_id=help_request.user_id).select_related("applicant").first()
    return account.applicant if account else None


def _draft_text(help_request):
    event = help_request.event
    urgent = _("【紧急】展会现场求助，请优先处理。") if help_request.urgent else ""
    return _(
        "%(urgent)s本申请由展会现场服务站的求助转来，请补充完善后提交。\n"
        "展会：%(fair)s（%(place)s，%(start)s—%(end)s）\n"
        "展位号：%(booth)s\n"
        "现场反映的问题：\n%(question)s"
    ) % {
        "urgent": urgent,
        "fair": event.title,
        "place": event.place,
        "start": timezone.localtime(event.starts_at).strftime("%Y-%m-%d"),
        "end": timezone.localtime(event.ends_at).strftime("%Y-%m-%d"),
        "booth": help_request.booth or "—",
        "question": help_request.question,
    }


def help_request_escalate(*, help_request: FairHelpRequest, by: User, note: str = "") -> FairHelpRequest:
    """Turn a desk request into an application for dispute guidance.

    A requester logged in as an applicant user gets a draft application for its organisation,
    filled in from the request (the fair as the place, the question as the matter, urgency said in
    the text: the application form has no urgency field; the dispute level stays for the applicant to
    choose), recorded on the request, and is told to complete and submit it. An exhibitor without
    an account gets an e-mail inviting it to register and apply, with the request's details; without
    an e-mail address, staff must call (refused here with the number to call)."""
    require(can_manage_events(by), STAFF_ONLY)
    event = help_request.event
    applicant = requester_applicant(help_request)
    if applicant is None and not help_request.email:
        raise ValidationError(
            _("该参展单位未登录门户且未留电子邮箱，无法发送申请邀请；请电话联系 %(phone)s。")
            % {"phone": help_request.phone},
            code="no_contact",
        )
    with transaction.atomic():
        locked = FairHelpRequest.objects.select_for_update().get(pk=help_request.pk)
        if locked.status == H.ESCALATED:
            raise ValidationError(_("该求助已转为申请。"), code="escalated")
        # A request answered before already has its consultation record; one escalated at once gets it now.
        first_handling = locked.status == H.NEW
        application = None
        if applicant is not None:
            requester = help_request.user
            application = application_start_for(
                applicant=applicant,
                requester=requester,
                by=by,
                answers={
                    "contact_name": help_request.contact_name or requester.full_name,
                    "contact_email": help_request.email or requester.email,
                    "contact_phone": help_request.phone or requester.phone,
                    "countries": [event.country] if event.country else [],
                    "technical_fields": [event.industry] if event.industry else [],
                    "request": _draft_text(help_request),
                    "other_requests": _("展会现场紧急求助，请尽快受理。") if help_request.urgent else "",
                },
                note=_("由展会现场求助转来（%(fair)s）") % {"fair": event.title},
                data={"fair_help_request": help_request.pk},
            )
            help_request.application = application
        help_request.handled_by = by
        if note:
            help_request.answer = "\n".join(part for part in (help_request.answer, note.strip()) if part)
        transition(
            help_request,
            H.ESCALATED,
            by=by,
            permission=lambda user, obj: can_manage_events(user),
            denied_message=STAFF_ONLY,
            action="knowledge.fair_help.escalated",
            scope=event,
            note=note,
            data={"application": application.pk if application else None},
            update_fields=("application", "handled_by", "answer"),
        )
        if first_handling:
            help_request_record_consultation(help_request=help_request, by=by, application=application)
        if application is not None:
            link = reverse("applications:edit", args=[application.pk])
            notify(
                members_of(applicant),
                subject=_("展会现场求助已转为申请草稿：%(fair)s") % {"fair": event.title},
                body=_(
                    "您在%(fair)s现场服务站提出的求助已由中心转为纠纷应对指导申请草稿，请补充纠纷情况和证明材料后提交。"
                )
                % {"fair": event.title},
                link=link,
            )
        else:
            _mail(
                [help_request.email],
                subject=_("请注册并提交纠纷应对指导申请：%(fair)s") % {"fair": event.title},
                template="knowledge/email/events/help_invitation.txt",
                context={
                    "help_request": help_request,
                    "event": event,
                    "register_url": absolute(reverse("applications:register")),
                },
            )
    return help_request


# --- Reading --------------------------------------------------------------------------------


def upcoming_and_past(*, now=None):
    """Published events split at now: upcoming (soonest first, with the places taken) and past."""
    now = now or timezone.now()
    events = visible_events().annotate(taken=places_taken_column())
    upcoming = list(events.filter(ends_at__gte=now).order_by("starts_at"))
    past = list(events.filter(ends_at__lt=now).order_by("-starts_at").prefetch_related("materials")[:50])
    for event in upcoming + past:
        event.left = places_left(event, taken=event.taken)
    return upcoming, past
