"""Training sessions, salons and trade fairs as iCalendar files (RFC 5545).

Written with the `icalendar` package rather than by hand: it folds long lines at 75 octets without
splitting a UTF-8 character (Chinese titles and places are long in octets), escapes commas,
semicolons and new lines in text values, and writes the VTIMEZONE of the portal's time zone
(TIME_ZONE, Asia/Shanghai), so that a calendar shows the session at the local time it was announced
in, with the zone's rules in the file itself rather than left to the reader's guess.

One event gives one VEVENT whose UID is stable (the event's id and the portal's host), so that a
second download updates the entry instead of adding a copy; SEQUENCE follows the event's revision.
A cancelled registration's file says STATUS:CANCELLED with METHOD:CANCEL, which calendar programs
read as "remove it".
"""

import datetime
import zoneinfo

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

PRODID = "-//Overseas IP Dispute Guidance Portal//Training and fairs//ZH"


def _host():
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "portal"


def _local(value):
    return value.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def event_calendar(event, *, cancelled=False, attendee=None):
    """The event as a calendar file (bytes). `attendee` names the registrant in the description
    (a registration's own file); `cancelled` marks the entry cancelled."""
    url = absolute(reverse("knowledge:event", args=[event.pk]))
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")

    entry = icalendar.Event()
    entry.add("uid", f"knowledge-event-{event.pk}@{_host()}")
    entry.add("sequence", event.revision)
    entry.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    entry.add("dtstart", _local(event.starts_at))
    entry.add("dtend", _local(event.ends_at if event.ends_at > event.starts_at else event.starts_at))
    entry.add("summary", f"{event.get_kind_display()}：{event.title}")
    entry.add("location", event.place or event.online_link or "")
    lines = [event.description.strip()]
    if event.trainer:
        lines.append(_("主讲人：%(name)s") % {"name": event.trainer})
    if event.online_link:
        lines.append(_("线上参加：%(link)s") % {"link": event.online_link})
    if event.desk_location:
        lines.append(_("现场服务站：%(place)s %(hours)s") % {"place": event.desk_location, "hours": event.desk_hours})
    if attendee is not None:
        lines.append(_("报名单位：%(org)s，参加人数：%(n)s") % {"org": attendee.organisation, "n": attendee.attendees})
    lines.append(url)
    entry.add("description", "\n".join(line for line in lines if line))
    entry.add("url", url)
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()
