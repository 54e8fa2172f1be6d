"""The expert work log (ExpertEvent) moves into the one audit log without losing a row, and back:
same count, and each line reads the same (who, when, what, from → to, note)."""

import datetime

import pytest
from django.utils import timezone

from applications.choices import DisputeLevel
from experts import services
from experts.models import ExpertAssignment, ExpertInvitation, ExpertNomination, Seminar, SeminarInvitee
from portal.audit import action_label
from portal.history import status_change
from portal.models import LogEntry
from tests.experts.factories import ExpertFactory, expert_with_login, make_case
from tests.factories import PartnerAgencyFactory
from tests.schema_migrations import migrate, migrate_to_newest, newest_schema_afterwards  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("newest_schema_afterwards")

BEFORE = [("experts", "0004_unavailability_conflict_until")]
AFTER = [("experts", "0006_delete_expertevent")]

# What the work log read as before (the labels of the former ExpertEvent.ACTIONS).
OLD_LABELS = {
    "account_open": "开通登录账号",
    "nomination_approve": "推荐专家入库",
    "nomination_decline": "推荐专家未入库",
    "matching_run": "专家匹配",
    "invite": "邀请专家",
    "invitation_accept": "接受邀请",
    "invitation_decline": "谢绝邀请",
    "invitation_expire": "邀请逾期",
    "invitation_withdraw": "撤回邀请",
    "invitation_remind": "提醒答复邀请",
    "declare_no_conflict": "声明无利益冲突",
    "declare_conflict": "声明存在利益冲突",
    "assignment_withdraw": "撤销指派",
    "assign_for_seminar": "指派参加研讨会",
    "opinion_submit": "提交专家意见",
    "rate": "评价专家",
    "release_contact": "提供申请人联系方式",
    "seminar_convene": "召集研讨会",
    "seminar_respond": "答复研讨会邀请",
    "seminar_view": "记录研讨观点",
    "seminar_held": "研讨会召开",
    "seminar_conclude": "形成合议意见",
    "seminar_cancel": "取消研讨会",
    "unavailability_record": "登记不可参与期间",
    "unavailability_delete": "删除不可参与期间",
}
FILE_ACTIONS = ("experts.seminar_material.downloaded", "experts.opinion.viewed")


def _old_choices(action):
    """Which statuses an old row's from/to held (as ExpertEvent.status_choices said)."""
    if action.startswith("nomination_"):
        return ExpertNomination.Status.choices
    if action == "invite" or action.startswith("invitation_"):
        return ExpertInvitation.Status.choices
    if action == "seminar_respond":
        return SeminarInvitee.Response.choices
    if action.startswith("seminar_"):
        return Seminar.Status.choices
    return ExpertAssignment.Status.choices


def old_rows(apps):
    ExpertEvent = apps.get_model("experts", "ExpertEvent")
    return [
        (e.actor_id, e.at, e.action, e.case_id, e.expert_id, e.seminar_id, e.from_status, e.to_status, e.note)
        for e in ExpertEvent.objects.order_by("at", "pk")
    ]


class _Row:
    def __init__(self, from_status, to_status):
        self.from_status, self.to_status = from_status, to_status


def old_lines(rows):
    """The timeline as staff read it before: who, when, what, from → to, note."""
    return [
        (actor, at, OLD_LABELS[action], status_change(_Row(before, after), _old_choices(action)), note)
        for actor, at, action, _case, _expert, _seminar, before, after, note in rows
        if action in OLD_LABELS
    ]


def new_entries():
    return list(
        LogEntry.objects.filter(action_type__startswith="experts.")
        .exclude(action_type__in=FILE_ACTIONS)
        .order_by("created", "pk")
    )


def new_lines(entries):
    return [
        (e.actor_id, e.created, action_label(e.action_type), e.status_change, e.note)
        for e in entries
        if e.action_type != "experts.expert.transition"
    ]


def _work(staff, agency, monkeypatch):
    """A case's expert work through the services, as the portal records it today."""
    case = make_case(level=DisputeLevel.MAJOR)
    wu, zhou = expert_with_login(name="吴志远"), expert_with_login(name="周佳怡")
    by_phone = ExpertFactory(name="郑老师", email="zheng@example.cn")
    run = services.matching_run(case=case, by=staff)
    deadline = timezone.now() + timezone.timedelta(days=3)
    accepted = services.invitation_accept(
        invitation=services.expert_invite(case=case, expert=wu, by=staff, deadline=deadline, matching=run),
        by=wu.user,
    )
    services.assignment_declare(assignment=accepted, by=wu.user, no_conflict=True)
    services.assignment_release_contact(assignment=accepted, by=staff)
    services.opinion_submit(assignment=accepted, by=wu.user, analysis="分析", recommendations="建议")
    services.assignment_rate(assignment=accepted, by=staff, rating=5)
    declined = services.expert_invite(case=case, expert=zhou, by=staff, deadline=deadline)
    services.invitation_decline(invitation=declined, by=zhou.user, reason="近期出差")
    services.invitation_withdraw(
        invitation=services.expert_invite(case=case, expert=by_phone, by=staff, deadline=deadline), by=staff
    )
    services.expert_account_open(expert=by_phone, by=staff)
    services.unavailability_record(
        expert=zhou, by=zhou.user, starts_on=timezone.localdate(), ends_on=timezone.localdate(), reason="出差"
    )
    seminar = services.seminar_convene(
        case=case,
        by=staff,
        title="研讨会",
        starts_at=timezone.now() + timezone.timedelta(days=1),
        location="会议室",
        experts=[wu, zhou],
        agencies=[agency],
    )
    seats = {s.kind if s.expert_id is None else s.expert_id: s for s in seminar.invitees.all()}
    services.seminar_respond(invitee=seats[wu.pk], by=wu.user, attend=True)
    services.seminar_respond(invitee=seats[SeminarInvitee.Kind.AGENCY], by=staff, attend=True)
    services.seminar_record_view(invitee=seats[wu.pk], by=wu.user, view="建议应诉")
    services.seminar_cancel(seminar=seminar, by=staff, note="改期")
    for name, agency_code in (("甲", "ipo"), ("乙", "ipo2")):
        ExpertNomination.objects.create(
            case=case, agency=PartnerAgencyFactory(code=agency_code), nominated_by=staff, name=f"{name}推荐"
        )
    first, second = ExpertNomination.objects.order_by("pk")
    services.nomination_approve(nomination=first, by=staff)
    services.nomination_decline(nomination=second, by=staff, reason="专业不符")
    # A file opened: stays in the audit log whichever way the migration runs.
    services.opinion_viewed(opinion=accepted.opinion, by=staff)
    return case, seminar


def test_every_work_log_row_moves_into_the_audit_log_and_back(staff, agency, monkeypatch):
    case, seminar = _work(staff, agency, monkeypatch)
    made_by_services = new_lines(new_entries())
    assert len(made_by_services) == 21
    files_before = LogEntry.objects.filter(action_type__in=FILE_ACTIONS).count()

    # Back to the work-log table: every entry of the workflow is a row again, reading the same.
    apps = migrate(BEFORE)
    rows = old_rows(apps)
    assert old_lines(rows) == made_by_services
    assert not new_entries()

    # Rows of the kind the demo data and older versions wrote: an agency's answer staff recorded,
    # and an action this version does not know.
    ExpertEvent = apps.get_model("experts", "ExpertEvent")
    SeatModel = apps.get_model("experts", "SeminarInvitee")
    agency_seat = SeatModel.objects.get(seminar_id=seminar.pk, agency__isnull=False)
    at = timezone.make_aware(datetime.datetime(2026, 6, 1, 9, 30))
    SeatModel.objects.filter(pk=agency_seat.pk).update(responded_at=at)
    for action, before, after, note in [
        ("seminar_respond", "confirmed", "declined", "电话告知不能参加"),
        ("legacy_import", "", "", "2024 年纸质档案导入"),
    ]:
        row = ExpertEvent.objects.create(
            actor_id=staff.pk,
            action=action,
            case_id=case.pk if action != "legacy_import" else None,
            seminar_id=seminar.pk if action != "legacy_import" else None,
            from_status=before,
            to_status=after,
            note=note,
        )
        ExpertEvent.objects.filter(pk=row.pk).update(at=at)
    rows = old_rows(apps)
    assert len(rows) == 23

    # Forward: one entry per row, the same line for each, scoped to the case.
    migrate(AFTER)
    entries = new_entries()
    assert len(entries) == len(rows)
    assert new_lines(entries) == old_lines(rows)
    by_action = {e.action_type: e for e in entries}
    by_phone = next(e for e in entries if e.note == "电话告知不能参加")
    assert by_phone.action_type == "experts.seminar_invitee.responded" and by_phone.scope == case
    assert by_phone.content_object == SeminarInvitee.objects.get(pk=agency_seat.pk)
    assert by_phone.status_change == "确认参加 → 不能参加"
    assert by_action["experts.invitation.declined"].content_object.expert.name == "周佳怡"
    assert by_action["experts.nomination.declined"].content_object.name == "乙推荐"
    assert by_action["experts.matching.run"].content_object.case == case
    assert by_action["experts.assignment.opinion_submitted"].scope == case
    assert by_action["experts.expert.transition"].data["expert_event"]["action"] == "legacy_import"
    assert LogEntry.objects.filter(action_type__in=FILE_ACTIONS).count() == files_before

    # And back again: exactly the rows there were.
    apps = migrate(BEFORE)
    assert old_rows(apps) == rows
    migrate_to_newest()
    assert len(new_entries()) == len(rows)
