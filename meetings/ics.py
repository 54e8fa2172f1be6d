"""One meeting as an iCalendar file (RFC 5545), written by hand: a single VEVENT."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _


def _escape(text):
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line):
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        limit = 75 if not out else 74
        if len(current) + len(encoded) > limit:
            out.append(current)
            current = b""
        current += encoded
    out.append(current)
    return b"\r\n ".join(out).decode("utf-8")


def _utc(value):
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_ics(meeting, request=None):
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "portal"
    starts = meeting.starts_at
    ends = meeting.ends_at or starts + datetime.timedelta(hours=2)
    link = reverse("meetings:detail", args=[meeting.pk])
    url = request.build_absolute_uri(link) if request is not None else f"{settings.SITE_URL}{link}"
    location = meeting.location or meeting.online_link
    description_parts = [meeting.title]
    if meeting.chair_id:
        description_parts.append(_("主持人：%(name)s") % {"name": meeting.chair.user})
    if meeting.online_link:
        description_parts.append(_("线上会议：%(link)s") % {"link": meeting.online_link})
    description_parts.append(url)
    cancelled = meeting.status == meeting.Status.CANCELLED
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Overseas IP Dispute Guidance Portal//Joint meetings//ZH",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'PUBLISH'}",
        "BEGIN:VEVENT",
        f"UID:joint-meeting-{meeting.pk}@{host}",
        f"SEQUENCE:{meeting.revision}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(starts)}",
        f"DTEND:{_utc(ends)}",
        f"SUMMARY:{_escape(meeting.title)}",
        f"LOCATION:{_escape(location)}",
        f"DESCRIPTION:{_escape(chr(10).join(description_parts))}",
        f"URL:{url}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
