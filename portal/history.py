"""How a recorded change reads wherever it is shown (admin inlines, lists, timelines): the
status labels people know (草稿 → 已提交), never the stored codes (draft → submitted)."""

from django.utils.translation import gettext as _


def status_label(value, choices):
    """The label of one stored status value; an unknown value is shown as it is."""
    if not value:
        return ""
    return str(dict(choices).get(value, value))


def status_change(event, choices=None):
    """The change as people read it ("草稿 → 已提交") for an event row with from_status and
    to_status fields; only the new status when there was none before, "" when the event did
    not change the status. `choices` defaults to those declared on the to_status field."""
    if choices is None:
        choices = event._meta.get_field("to_status").flatchoices
    before = status_label(event.from_status, choices)
    after = status_label(event.to_status, choices)
    if before and after and before != after:
        return _("%(before)s → %(after)s") % {"before": before, "after": after}
    return after or before


def event_title(subject, *parts):
    """The one-line title of an event: what it is about, then the non-empty parts."""
    return " ".join(str(part) for part in (subject, *parts) if part)
