"""The center's side of joint meetings, in the admin: the director convenes, the chair
approves the agenda and the minutes, staff record attendance and write the minutes.
Every button calls a service in meetings.services."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meetings import services
from meetings.forms import ActionItemCreateForm, AdHocMeetingForm, ConveneForm, CorrectionForm
from meetings.models import ActionItem, AgendaItem, Invitation, JointMeeting, Minutes
from meetings.permissions import visible_action_items, visible_meetings
from meetings.rotation import chair_for_meeting
from portal.admin_cells import html_link, per_page
from portal.admin_filters import DateHierarchyGuardMixin
from portal.admin_lists import FastListMixin, cached_filter, row_urls, year_filter
from portal.audit import entries_for
from portal.converters import get_by_id_or_404
from portal.expressions import RelatedColumn
from portal.roles import Role, has_role


def _errors(exc):
    return " ".join(exc.messages)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class InvitationInline(ReadOnlyInline):
    model = Invitation
    fields = ["agency", "user", "answer", "representative_name", "answer_note", "attendance", "substitute_name"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("参会邀请与出席情况")


class AgendaItemInline(ReadOnlyInline):
    model = AgendaItem
    fields = ["position", "title", "source", "status", "proposing_agency", "proposed_by"]
    readonly_fields = fields


@admin.register(JointMeeting)
class JointMeetingAdmin(FastListMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "status", "starts_at", "chair_display", "agenda_approved_at", "buttons"]
    list_filter = ["kind", "status", cached_filter("year")]
    search_fields = ["title"]
    list_select_related = ["chair__user"]
    inlines = [AgendaItemInline, InvitationInline]
    fields = [
        "title",
        "kind",
        "year",
        "quarter",
        "reason",
        "status",
        "period_start",
        "period_end",
        "starts_at",
        "ends_at",
        "location",
        "online_link",
        "proposal_deadline",
        "chair",
        "chair_by_rotation",
        "chair_override_reason",
        "skipped_deputies",
        "convened_by",
        "agenda_approved_at",
        "agenda_approved_by",
    ]
    readonly_fields = fields
    change_form_template = "meetings/admin/meeting_change_form.html"
    change_list_template = "meetings/admin/meeting_change_list.html"

    def get_queryset(self, request):
        return visible_meetings(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("主持人"))
    def chair_display(self, obj):
        if not obj.chair_id:
            return "—"
        return str(obj.chair.user) if obj.chair_by_rotation else f"{obj.chair.user}（{_('主任指定')}）"

    @admin.display(description=gettext_lazy("办理"))
    @per_page
    def buttons(self):
        url_of, label = row_urls("admin:meetings_jointmeeting_change"), _("打开")
        return lambda obj: html_link(url_of(obj.pk), label)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("plan/", wrap(self.plan_view), name="meetings_jointmeeting_plan"),
            path("ad-hoc/", wrap(self.adhoc_view), name="meetings_jointmeeting_adhoc"),
            path("<id:pk>/convene/", wrap(self.convene_view), name="meetings_jointmeeting_convene"),
            path("<id:pk>/agenda/", wrap(self.agenda_view), name="meetings_jointmeeting_agenda"),
            path("<id:pk>/attendance/", wrap(self.attendance_view), name="meetings_jointmeeting_attendance"),
            path("<id:pk>/minutes/", wrap(self.minutes_view), name="meetings_jointmeeting_minutes"),
            path("<id:pk>/cancel/", wrap(self.cancel_view), name="meetings_jointmeeting_cancel"),
            *super().get_urls(),
        ]

    # --- helpers ---

    def _context(self, request, meeting, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "meeting": meeting,
            "original": meeting,
            "is_director": has_role(request.user, Role.DIRECTOR),
            "is_chair": bool(meeting and meeting.chair_id and meeting.chair.user_id == request.user.pk),
            **extra,
        }

    def _meeting(self, request, pk):
        return get_by_id_or_404(self.get_queryset(request).select_related("chair__user"), pk)

    def _back(self, meeting):
        return redirect("admin:meetings_jointmeeting_change", meeting.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        meeting = self._meeting(request, object_id)
        extra_context.update(
            {
                "is_director": has_role(request.user, Role.DIRECTOR),
                "is_chair": bool(meeting.chair_id and meeting.chair.user_id == request.user.pk),
                "minutes_versions": list(meeting.minutes.select_related("document")),
                # The meeting's history: its own entries and those of its agenda items,
                # minutes and action items.
                "history": list(entries_for(meeting, with_scope=True).select_related("content_type")),
            }
        )
        return super().change_view(request, object_id, form_url, extra_context)

    # --- views ---

    def plan_view(self, request):
        if request.method != "POST":
            return redirect("admin:meetings_jointmeeting_changelist")
        meeting, created = services.meeting_plan_quarter(by=request.user)
        if created:
            self.message_user(request, _("已创建本季度例会（筹备中）。"), messages.SUCCESS)
        else:
            self.message_user(request, _("本季度已有季度例会，未重复创建。"), messages.INFO)
        return self._back(meeting)

    def adhoc_view(self, request):
        form = AdHocMeetingForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                meeting = services.meeting_create(
                    kind=JointMeeting.Kind.AD_HOC,
                    by=request.user,
                    title=form.cleaned_data["title"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                self.message_user(request, _("已创建临时会议，请召集。"), messages.SUCCESS)
                return self._back(meeting)
        return TemplateResponse(
            request, "meetings/admin/form_page.html", self._context(request, None, _("新建临时会议"), form=form)
        )

    def convene_view(self, request, pk):
        meeting = self._meeting(request, pk)
        form = ConveneForm(
            request.POST or None,
            initial={
                "revision": meeting.revision,
                "starts_at": meeting.starts_at,
                "ends_at": meeting.ends_at,
                "location": meeting.location,
                "online_link": meeting.online_link,
                "proposal_deadline": meeting.proposal_deadline,
            },
        )
        proposed = None
        if meeting.status == JointMeeting.Status.PLANNED:
            try:
                proposed, _skipped = chair_for_meeting(meeting)
            except ValidationError as exc:
                proposed = _errors(exc)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.meeting_convene(
                    meeting=meeting,
                    by=request.user,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    location=data["location"],
                    online_link=data["online_link"],
                    proposal_deadline=data["proposal_deadline"],
                    absent=list(data["absent"]),
                    chair=data["chair"],
                    chair_reason=data["chair_reason"],
                    seen_revision=data["revision"],
                )
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                self.message_user(request, _("会议已召集，通知已发送。"), messages.SUCCESS)
                return self._back(meeting)
        return TemplateResponse(
            request,
            "meetings/admin/form_page.html",
            self._context(
                request,
                meeting,
                _("召集会议：%(title)s") % {"title": meeting.title},
                form=form,
                proposed_chair=proposed,
                submit_label=_("召集并发送通知"),
            ),
        )

    def agenda_view(self, request, pk):
        meeting = self._meeting(request, pk)
        error = None
        if request.method == "POST":
            action = request.POST.get("action")
            try:
                if action == "refresh":
                    services.agenda_refresh(meeting=meeting, by=request.user)
                    self.message_user(request, _("已按最新数据更新自动议题。"), messages.SUCCESS)
                elif action == "propose":
                    services.agenda_item_propose(
                        meeting=meeting,
                        by=request.user,
                        title=request.POST.get("title", ""),
                        description=request.POST.get("description", ""),
                    )
                    self.message_user(request, _("议题已加入待定议题。"), messages.SUCCESS)
                elif action == "approve":
                    chosen = []
                    for item in meeting.agenda_items.all():
                        if request.POST.get(f"include_{item.pk}"):
                            try:
                                position = int(request.POST.get(f"pos_{item.pk}") or 0)
                            except ValueError:
                                position = 0
                            chosen.append((position, item.pk))
                    services.agenda_approve(
                        meeting=meeting,
                        by=request.user,
                        order=[pk for _pos, pk in sorted(chosen)],
                        seen_revision=request.POST.get("revision"),
                    )
                    self.message_user(request, _("议程已批准并通知各参会单位。"), messages.SUCCESS)
                    return self._back(meeting)
                return redirect("admin:meetings_jointmeeting_agenda", meeting.pk)
            except ValidationError as exc:
                error = _errors(exc)
                meeting.refresh_from_db()
        return TemplateResponse(
            request,
            "meetings/admin/agenda.html",
            self._context(
                request,
                meeting,
                _("审定议程：%(title)s") % {"title": meeting.title},
                items=list(meeting.agenda_items.select_related("proposing_agency", "proposed_by")),
                error=error,
                posted=request.POST if request.method == "POST" else None,
            ),
        )

    def attendance_view(self, request, pk):
        meeting = self._meeting(request, pk)
        invitations = list(meeting.invitations.select_related("agency", "user"))
        errors = []
        if request.method == "POST":
            for invitation in invitations:
                attendance = request.POST.get(f"attendance_{invitation.pk}")
                substitute = request.POST.get(f"substitute_{invitation.pk}", "")
                if attendance is None or (
                    attendance == invitation.attendance and substitute.strip() == invitation.substitute_name
                ):
                    continue
                try:
                    services.attendance_record(
                        invitation=invitation, by=request.user, attendance=attendance, substitute_name=substitute
                    )
                except ValidationError as exc:
                    errors.append(f"{invitation.invitee_label}: {_errors(exc)}")
            if not errors:
                self.message_user(request, _("出席情况已保存。"), messages.SUCCESS)
                return self._back(meeting)
        return TemplateResponse(
            request,
            "meetings/admin/attendance.html",
            self._context(
                request,
                meeting,
                _("登记出席情况：%(title)s") % {"title": meeting.title},
                invitations=invitations,
                choices=Invitation.Attendance.choices,
                errors=errors,
                posted=request.POST if request.method == "POST" else None,
            ),
        )

    def minutes_view(self, request, pk):
        meeting = self._meeting(request, pk)
        minutes = meeting.minutes.filter(status=Minutes.Status.DRAFT).first() or meeting.current_minutes()
        errors = []
        action_form = ActionItemCreateForm(prefix="action", meeting=meeting)
        correction_form = CorrectionForm(prefix="correction")
        if request.method == "POST":
            action = request.POST.get("action")
            try:
                if action == "start":
                    services.minutes_start(meeting=meeting, by=request.user)
                    return redirect("admin:meetings_jointmeeting_minutes", meeting.pk)
                if action == "correct":
                    correction_form = CorrectionForm(request.POST, prefix="correction")
                    if correction_form.is_valid():
                        services.minutes_correct(
                            minutes=minutes, by=request.user, reason=correction_form.cleaned_data["reason"]
                        )
                        self.message_user(request, _("已生成更正版本，请修改后报主持人批准。"), messages.SUCCESS)
                        return redirect("admin:meetings_jointmeeting_minutes", meeting.pk)
                elif minutes is not None and action in {"save", "add_action", "approve"}:
                    # Whatever the button, what was typed is saved first.
                    if not minutes.is_frozen:
                        services.minutes_record(
                            minutes=minutes,
                            by=request.user,
                            summary=request.POST.get("summary", minutes.summary),
                            entries={
                                entry.pk: {
                                    "discussion": request.POST.get(f"discussion_{entry.pk}", entry.discussion),
                                    "decisions": request.POST.get(f"decisions_{entry.pk}", entry.decisions),
                                }
                                for entry in minutes.entries.all()
                            },
                            seen_revision=request.POST.get("revision"),
                        )
                    if action == "add_action":
                        action_form = ActionItemCreateForm(request.POST, prefix="action", meeting=meeting)
                        if action_form.is_valid():
                            data = action_form.cleaned_data
                            services.action_item_create(
                                minutes=minutes,
                                agenda_item=data["agenda_item"],
                                by=request.user,
                                title=data["title"],
                                due_date=data["due_date"],
                                assignee_agency=data["assignee_agency"],
                                assignee_user=data["assignee_user"],
                            )
                            self.message_user(request, _("已登记议定事项。"), messages.SUCCESS)
                            return redirect("admin:meetings_jointmeeting_minutes", meeting.pk)
                        errors.append(_("议定事项未登记，请修改下方表单中的问题。"))
                    elif action == "approve":
                        services.minutes_approve(minutes=minutes, by=request.user)
                        self.message_user(request, _("会议纪要已批准，正在生成 PDF 并发送。"), messages.SUCCESS)
                        return self._back(meeting)
                    else:
                        self.message_user(request, _("纪要已保存。"), messages.SUCCESS)
                        return redirect("admin:meetings_jointmeeting_minutes", meeting.pk)
            except ValidationError as exc:
                errors.append(_errors(exc))
        if minutes is not None:
            minutes.refresh_from_db()
        entries = list(minutes.entries.select_related("agenda_item")) if minutes else []
        posted = request.POST if request.method == "POST" and errors else None
        for entry in entries:
            if posted is not None:
                entry.discussion = posted.get(f"discussion_{entry.pk}", entry.discussion)
                entry.decisions = posted.get(f"decisions_{entry.pk}", entry.decisions)
        actions = (
            list(
                ActionItem.objects.filter(meeting=meeting).select_related(
                    "assignee_agency", "assignee_user", "agenda_item"
                )
            )
            if minutes
            else []
        )
        return TemplateResponse(
            request,
            "meetings/admin/minutes.html",
            self._context(
                request,
                meeting,
                _("会议纪要：%(title)s") % {"title": meeting.title},
                minutes=minutes,
                entries=entries,
                summary=posted.get("summary") if posted is not None else (minutes.summary if minutes else ""),
                actions=actions,
                action_form=action_form,
                correction_form=correction_form,
                errors=errors,
                versions=list(meeting.minutes.select_related("document")),
            ),
        )

    def cancel_view(self, request, pk):
        meeting = self._meeting(request, pk)
        form = CorrectionForm(request.POST or None)
        form.fields["reason"].label = _("取消理由")
        if request.method == "POST" and form.is_valid():
            try:
                services.meeting_cancel(meeting=meeting, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                self.message_user(request, _("会议已取消。"), messages.SUCCESS)
                return self._back(meeting)
        return TemplateResponse(
            request,
            "meetings/admin/form_page.html",
            self._context(
                request,
                meeting,
                _("取消会议：%(title)s") % {"title": meeting.title},
                form=form,
                submit_label=_("取消会议"),
            ),
        )


@admin.register(ActionItem)
class ActionItemAdmin(FastListMixin, DateHierarchyGuardMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "meeting",
        "assignee_agency",
        "assignee_user",
        "due_date",
        "status",
        "last_reminded_on",
        "update_link",
    ]
    list_filter = [
        year_filter("due_date", gettext_lazy("完成期限年度")),
        "status",
        cached_filter("assignee_agency"),
        cached_filter("meeting"),
    ]
    search_fields = ["title", "progress_note"]
    list_select_related = ["meeting", "assignee_agency", "assignee_user"]
    readonly_fields = [f.name for f in ActionItem._meta.fields]

    def get_queryset(self, request):
        # The minutes' status is all the list reads of them (update_link): one column, not a joined
        # row of minutes made for every item.
        minutes_status = RelatedColumn("minutes_id", Minutes._meta.get_field("status"))
        return visible_action_items(request.user).annotate(minutes_status=minutes_status)

    @admin.display(description=gettext_lazy("办理"))
    @per_page
    def update_link(self):
        url_of, label, unapproved = row_urls("meetings:action_update"), _("更新办理情况"), _("纪要未批准")

        def link(obj):
            return unapproved if obj.minutes_status == Minutes.Status.DRAFT else html_link(url_of(obj.pk), label)

        return link

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
