"""What the audit log's action types of the joint meetings read as."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    # The meeting itself (the verbs of its former event table, kept as they were).
    "meetings.meeting.create": _("创建会议"),
    "meetings.meeting.chair": _("确定主持人"),
    "meetings.meeting.convene": _("发出会议通知"),
    "meetings.meeting.answer": _("答复参会"),
    "meetings.meeting.attendance": _("登记出席"),
    "meetings.meeting.agenda_refresh": _("更新议程"),
    "meetings.meeting.propose": _("提出议题"),
    "meetings.meeting.agenda_approve": _("批准议程"),
    "meetings.meeting.cancel": _("取消会议"),
    "meetings.meeting.hold": _("会议召开"),
    "meetings.meeting.minutes_start": _("起草纪要"),
    "meetings.meeting.minutes_approve": _("批准纪要"),
    "meetings.meeting.minutes_correct": _("更正纪要"),
    "meetings.meeting.transition": _("会议状态变更"),
    # The chair's decision on each proposed item.
    "meetings.agenda_item.accepted": _("列入议程"),
    "meetings.agenda_item.deferred": _("未列入议程"),
    # Versions of the minutes.
    "meetings.minutes.approved": _("纪要版本批准"),
    "meetings.minutes.superseded": _("纪要版本被更正版本取代"),
    # Action items.
    "meetings.action_item.created": _("登记议定事项"),
    "meetings.action_item.progress": _("更新办理情况"),
    "meetings.action_item.done": _("办结议定事项"),
    "meetings.action_item.reopened": _("重新办理议定事项"),
    "meetings.action_item.cancelled": _("撤销议定事项"),
    "meetings.action_item.transition": _("议定事项状态变更"),
}
