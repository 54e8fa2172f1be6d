"""State changes of a case, its assistance letters, the agencies' extension requests and
upward reports, one module per entity. Callers keep `from cases import services`.

Every service runs in a transaction, locks the row it changes, checks the transition map,
saves with update_fields and writes the audit entry; PDFs and e-mails go out after commit.
"""

from cases.services._common import (
    CASE_TRANSITIONS,
    LETTER_TRANSITIONS,
    OPINION_STAGE,
    PAUSABLE,
    PUBLIC_STATUS_TEXT,
    REPORT_TRANSITIONS,
)
from cases.services.case import (
    case_add_note,
    case_assign,
    case_open,
    case_public_timeline,
    case_record_contact,
    case_regrade,
    case_request_input,
    case_resume,
    case_resume_on_answer,
    case_summary,
    case_terminate,
    case_transition,
)
from cases.services.extensions import extension_decide, extension_request
from cases.services.letters import (
    ANSWER_MAX_FILE_BYTES,
    ANSWER_MAX_FILES,
    check_answer_files,
    letter_context,
    letter_draft,
    letter_return,
    letter_sign,
    letter_submit,
    letter_update,
    letter_withdraw,
    recipient_acknowledge,
    recipient_answer,
)
from cases.services.reminders import deadlines_remind
from cases.services.reports import (
    report_draft,
    report_record_answer,
    report_return,
    report_sign,
    report_submit,
    report_summary,
    report_update,
)

__all__ = [
    "ANSWER_MAX_FILES",
    "ANSWER_MAX_FILE_BYTES",
    "CASE_TRANSITIONS",
    "LETTER_TRANSITIONS",
    "OPINION_STAGE",
    "PAUSABLE",
    "PUBLIC_STATUS_TEXT",
    "REPORT_TRANSITIONS",
    "case_add_note",
    "case_assign",
    "case_open",
    "case_public_timeline",
    "case_record_contact",
    "case_regrade",
    "case_request_input",
    "case_resume",
    "case_resume_on_answer",
    "case_summary",
    "case_terminate",
    "case_transition",
    "check_answer_files",
    "deadlines_remind",
    "extension_decide",
    "extension_request",
    "letter_context",
    "letter_draft",
    "letter_return",
    "letter_sign",
    "letter_submit",
    "letter_update",
    "letter_withdraw",
    "recipient_acknowledge",
    "recipient_answer",
    "report_draft",
    "report_record_answer",
    "report_return",
    "report_sign",
    "report_submit",
    "report_summary",
    "report_update",
]
