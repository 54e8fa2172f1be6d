"""State changes of the expert workflow, one module per entity. Each public service checks who
acts (experts.permissions, refusing with portal.access.Forbidden), runs in a transaction, changes
status only through the declared transitions of experts.models and writes the audit log, scoped
to the case. Callers use `from experts import services; services.invitation_accept(...)`."""

from experts.services.assignments import (
    assignment_rate,
    assignment_release_contact,
    assignment_withdraw,
    opinion_submit,
)
from experts.services.common import OPINION_MAX_BYTES, OPINION_MAX_FILES, CapacityExceeded, ConflictOfInterest
from experts.services.conflicts import assignment_declare
from experts.services.files import (
    evidence_downloaded,
    opinion_attachment_downloaded,
    opinion_viewed,
    seminar_material_downloaded,
)
from experts.services.invitations import (
    expert_invite,
    invitation_accept,
    invitation_decline,
    invitation_expire,
    invitation_remind,
    invitation_withdraw,
    matching_run,
)
from experts.services.nominations import nomination_approve, nomination_decline
from experts.services.pool import (
    UNAVAILABILITY_MAX_DAYS,
    expert_account_open,
    unavailability_delete,
    unavailability_record,
)
from experts.services.seminars import (
    seminar_cancel,
    seminar_conclude,
    seminar_convene,
    seminar_record_attendance,
    seminar_record_view,
    seminar_respond,
)

__all__ = [
    "OPINION_MAX_BYTES",
    "OPINION_MAX_FILES",
    "UNAVAILABILITY_MAX_DAYS",
    "CapacityExceeded",
    "ConflictOfInterest",
    "assignment_declare",
    "assignment_rate",
    "assignment_release_contact",
    "assignment_withdraw",
    "evidence_downloaded",
    "expert_account_open",
    "expert_invite",
    "invitation_accept",
    "invitation_decline",
    "invitation_expire",
    "invitation_remind",
    "invitation_withdraw",
    "matching_run",
    "nomination_approve",
    "nomination_decline",
    "opinion_attachment_downloaded",
    "opinion_submit",
    "opinion_viewed",
    "seminar_cancel",
    "seminar_conclude",
    "seminar_convene",
    "seminar_material_downloaded",
    "seminar_record_attendance",
    "seminar_record_view",
    "seminar_respond",
    "unavailability_delete",
    "unavailability_record",
]
