"""Front-end pages of the joint meetings: the calendar, a meeting's page with the answer
to the invitation, proposing an agenda item, and the agency's action items."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.permissions import visible_documents
from experts.models import Seminar
from experts.permissions import visible_seminars
from meetings import ics, services
from meetings.forms import ActionItemUpdateForm, InvitationAnswerForm, ProposeItemForm
from meetings.models import ActionItem, AgendaItem, Invitation, JointMeeting
from meetings.permissions import can_propose_items, visible_action_items, visible_meetings
from meetings.selectors import agency_action_items, calendar_meetings_for
from portal.audit import entries_for
from portal.roles import Role, has_role, is_center_member


def _error_text(exc):
    return " ".join(exc.messages)


def _visible_seminars(user):
    """Experts' seminars, by the experts app's own rule (center: all; an expert: those
    they are invited to; anybody else: none)."""
    return visible_seminars(user).exclude(status=Seminar.Status.CANCELLED).order_by("-starts_at")


def _planned_moment(meeting):
    """Where a meeting without a date yet sorts: its planned day (see JointMeeting.date)."""
    return timezone.make_aware(datetime.datetime.combine(meeting.date, datetime.time(9)))


@login_required
def calendar(request):
    meetings = list(calendar_meetings_for(request.user)[:100])
    seminars = list(_visible_seminars(request.user)[:100])
    now = timezone.now()
    events = sorted(
        [{"kind": "meeting", "obj": m, "starts_at": m.starts_at or _planned_moment(m)} for m in meetings]
        + [{"kind": "seminar", "obj": s, "starts_at": s.starts_at} for s in seminars],
        key=lambda e: e["starts_at"],
    )
    return render(
        request,
        "meetings/calendar.html",
        {
            "upcoming": [e for e in events if e["starts_at"] >= now],
            "past": list(reversed([e for e in events if e["starts_at"] < now])),
            "can_propose": can_propose_items(request.user),
        },
    )


@login_required
def meeting_ics(request, pk):
    meeting = get_object_or_404(visible_meetings(request.user).filter(starts_at__isnull=False), pk=pk)
    response = HttpResponse(ics.meeting_ics(meeting, request), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


def _own_invitation(meeting, user):
    if has_role(user, Role.AGENCY) and user.agency_id:
        return meeting.invitations.filter(agency_id=user.agency_id).first()
    return meeting.invitations.filter(agency__isnull=True, user=user).first()


@login_required
def meeting_detail(request, pk):
    meeting = get_object_or_404(visible_meetings(request.user).select_related("chair__user", "convened_by"), pk=pk)
    invitation = _own_invitation(meeting, request.user)
    is_agency = bool(invitation and invitation.agency_id)
    form = None
    if invitation and meeting.status == JointMeeting.Status.CONVENED:
        initial = {
            "answer": invitation.answer if invitation.answer != Invitation.Answer.PENDING else None,
            "representative_name": invitation.representative_name,
            "representative_title": invitation.representative_title,
            "note": invitation.answer_note,
        }
        form = InvitationAnswerForm(request.POST or None, initial=initial, agency=is_agency)
        if request.method == "POST" and form.is_valid():
            try:
                services.invitation_answer(
                    invitation=invitation,
                    by=request.user,
                    answer=form.cleaned_data["answer"],
                    representative_name=form.cleaned_data.get("representative_name", ""),
                    representative_title=form.cleaned_data.get("representative_title", ""),
                    note=form.cleaned_data.get("note", ""),
                )
            except ValidationError as exc:
                form.add_error(None, _error_text(exc))
            else:
                messages.success(request, _("已提交参会答复。"))
                return redirect("meetings:detail", pk=meeting.pk)
    elif request.method == "POST":
        raise Http404
    items = meeting.agenda_items.select_related("proposing_agency")
    if not is_center_member(request.user):
        if meeting.agenda_approved:
            items = items.filter(status=AgendaItem.Status.ACCEPTED)
        else:
            # Before the chair approves the agenda an agency sees only its own proposals.
            items = items.filter(proposing_agency_id=request.user.agency_id) if request.user.agency_id else items.none()
    minutes = meeting.current_minutes()
    document = None
    if minutes and minutes.is_frozen and minutes.document_id:
        document = visible_documents(request.user).filter(pk=minutes.document_id).first()
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "invitation": invitation,
            "form": form,
            "items": items,
            "minutes": minutes if minutes and minutes.is_frozen else None,
            "document": document,
            "can_propose": can_propose_items(request.user)
            and meeting.status in {JointMeeting.Status.PLANNED, JointMeeting.Status.CONVENED}
            and not meeting.agenda_approved
            and (not meeting.proposal_deadline or timezone.now() <= meeting.proposal_deadline),
        },
    )


@login_required
def propose_item(request, pk):
    if not can_propose_items(request.user):
        raise Http404
    meeting = get_object_or_404(visible_meetings(request.user), pk=pk)
    form = ProposeItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_propose(
                meeting=meeting,
                by=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("议题已提交，由会议主持人审定是否列入议程。"))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/propose_item.html", {"meeting": meeting, "form": form})


@login_required
def agency_actions(request):
    if not has_role(request.user, Role.AGENCY) and not is_center_member(request.user):
        raise Http404
    items = (
        agency_action_items(request.user)
        .filter(minutes__status__in=["approved", "superseded"])
        .order_by("status", "due_date", "pk")
    )
    items = list(items)
    today = timezone.localdate()
    return render(
        request,
        "meetings/agency_actions.html",
        {
            "open_items": [i for i in items if i.status == ActionItem.Status.OPEN],
            "closed_items": [i for i in items if i.status != ActionItem.Status.OPEN],
            "today": today,
            "agency": request.user.agency,
        },
    )


@login_required
def action_update(request, pk):
    item = get_object_or_404(
        visible_action_items(request.user)
        .filter(minutes__status__in=["approved", "superseded"])
        .select_related("meeting", "assignee_agency"),
        pk=pk,
    )
    form = ActionItemUpdateForm(
        request.POST or None,
        initial={"status": item.status, "revision": item.revision},
        can_cancel=is_center_member(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_item_update(
                item=item,
                by=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                seen_revision=form.cleaned_data["revision"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("已更新办理情况。"))
            return redirect("meetings:agency_actions")
    return render(
        request,
        "meetings/action_update.html",
        {"item": item, "form": form, "entries": entries_for(item).select_related("content_type")},
    )
