"""State changes of applications, one module per entity. Callers keep `from applications import services`.

Every public service checks who acts first (applications.permissions, portal.access.Forbidden),
runs in one transaction, locks the row it changes, moves the status only through
portal.transitions.transition (the map is Application.TRANSITIONS) and writes the audit log.
Work of the layers above (opening the case, resuming it on an answer) follows the signals in
applications.signals.
"""

from applications.services._common import (
    EDITABLE,
    REMIND_WORKING_DAYS_BEFORE,
    admin_link,
    applicant_users,
    application_number,
    detail_link,
    tell_applicant,
)
from applications.services.accounts import applicant_register, membership_decide, membership_request
from applications.services.deadlines import application_deadlines_remind, review_deadline_state
from applications.services.decisions import (
    application_accept,
    application_close_lapsed,
    application_decline,
    application_return,
    lapse_reason,
)
from applications.services.drafting import (
    application_create,
    application_save_draft,
    application_start_for,
    attachment_add,
    attachment_downloaded,
    attachment_remove,
)
from applications.services.entry import application_enter, application_first_check
from applications.services.invitations import (
    invitation_accept,
    invitation_for_token,
    invitation_resend,
    invitation_send,
    invitation_state,
)
from applications.services.submission import (
    application_submit,
    application_withdraw,
    receipt_context,
    snapshot,
    submission_problems,
)
from applications.services.thread import feedback_submit, message_file_downloaded, message_post

__all__ = [
    "EDITABLE",
    "REMIND_WORKING_DAYS_BEFORE",
    "admin_link",
    "applicant_register",
    "applicant_users",
    "application_accept",
    "application_close_lapsed",
    "application_create",
    "application_deadlines_remind",
    "application_decline",
    "application_enter",
    "application_first_check",
    "application_number",
    "application_return",
    "application_save_draft",
    "application_start_for",
    "application_submit",
    "application_withdraw",
    "attachment_add",
    "attachment_downloaded",
    "attachment_remove",
    "detail_link",
    "feedback_submit",
    "invitation_accept",
    "invitation_for_token",
    "invitation_resend",
    "invitation_send",
    "invitation_state",
    "lapse_reason",
    "membership_decide",
    "membership_request",
    "message_file_downloaded",
    "message_post",
    "receipt_context",
    "review_deadline_state",
    "snapshot",
    "submission_problems",
    "tell_applicant",
]
