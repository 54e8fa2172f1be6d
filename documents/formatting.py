"""Formatting rules of official documents (GB/T 9704-2012)."""

import datetime
import re


def chinese_date(day):
    """成文日期: Arabic numerals with 年月日, no leading zeros (2026年11月2日)."""
    return f"{day.year}年{day.month}月{day.day}日"


def person_name(user):
    """How a person is named in an official document: the name alone (李明), never the
    login e-mail or a role; the post, where one is printed, comes separately."""
    return (getattr(user, "full_name", "") or "").strip() if user is not None else ""


def name_with_post(name, post):
    """A signer as a reader expects: 孙红（副主任）."""
    return f"{name}（{post}）" if name and post else (name or post or "")


def chinese_datetime(moment):
    """A moment as documents print it, in local time: 2026年11月2日10:05 (no space inside)."""
    from django.utils import timezone

    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{chinese_date(local)}{local:%H:%M}"


_SPACED_CHINESE_MOMENT = re.compile(r"^(\d{4}年\d{1,2}月\d{1,2}日)\s+(\d{1,2}:\d{2})$")
_ISO_MOMENT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?$")


def document_date(value):
    """Any date a document prints, as Chinese text: a date, a datetime, or the ISO text frozen in
    the data of documents issued before: 2026-11-02 → 2026年11月2日; 2026-11-02 10:05 and
    2026年11月2日 10:05 → 2026年11月2日10:05.
    Anything else (already Chinese, empty, '—') is returned unchanged."""
    if isinstance(value, datetime.datetime):
        return chinese_datetime(value)
    if isinstance(value, datetime.date):
        return chinese_date(value)
    text = str(value or "").strip()
    spaced = _SPACED_CHINESE_MOMENT.match(text)
    if spaced:
        return "".join(spaced.groups())
    match = _ISO_MOMENT.match(text)
    if not match:
        return value
    year, month, day, hour, minute = match.groups()
    text = f"{int(year)}年{int(month)}月{int(day)}日"
    return f"{text}{hour}:{minute}" if hour else text
