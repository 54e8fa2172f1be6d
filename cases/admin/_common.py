"""What the case admin pages share: status badges and the way a refusal reads."""

from django.core.exceptions import ValidationError
from django.utils.html import format_html

from cases.models import (
    Case,
)

STATUS_COLOURS = {
    Case.Status.ACCEPTED: "#6c757d",
    Case.Status.IN_PROGRESS: "#0d6efd",
    Case.Status.AWAITING_INPUT: "#6f42c1",
    Case.Status.OPINION_DRAFTED: "#fd7e14",
    Case.Status.OPINION_ISSUED: "#198754",
    Case.Status.FOLLOW_UP: "#20c997",
    Case.Status.CLOSED: "#495057",
    Case.Status.TERMINATED: "#adb5bd",
}


def badge(text, colour):
    return format_html(
        '<span class="case-badge" style="background:{};color:#fff;padding:1px 6px;border-radius:8px;'
        'white-space:nowrap">{}</span>',
        colour,
        text,
    )


def _error_text(exc):
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _add_errors(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
