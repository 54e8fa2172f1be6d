"""Who may see which case, letter and answer. Center staff see everything; a partner
agency only the signed letters addressed to it (and their cases' summaries); an applicant
its own organisation's cases; a workstation's staff, read-only, the cases of the applications or
applicants of their workstation and those under it. Views fetch through these querysets, so a
wrong id is a 404."""

from django.db.models import Q

from applications.selectors import applicant_of
from cases.models import AnswerAttachment, AssistanceLetter, Case, ExtensionRequest, LetterRecipient, UpwardReport
from portal.models import ServicePoint
from portal.roles import Role, can_sign, has_role, is_center_member

DELIVERED = [AssistanceLetter.Status.SIGNED, AssistanceLetter.Status.SETTLED]


def service_point_scope(user):
    """The workstation ids whose cases a workstation user may read (its own and those under it),
    kept on the user object for the request; None for anyone who is not workstation staff."""
    if not getattr(user, "is_authenticated", False) or not has_role(user, Role.SERVICE_POINT):
        return None
    scope = getattr(user, "_service_point_scope", None)
    if scope is None:
        scope = ServicePoint.scope_ids(user.service_point_id)
        user._service_point_scope = scope
    return scope


def is_service_point_user(user):
    return service_point_scope(user) is not None


def visible_cases(user):
    if not user.is_authenticated:
        return Case.objects.none()
    if is_center_member(user):
        return Case.objects.all()
    scope = service_point_scope(user)
    if scope is not None:
        # Read-only: every decision below (handle, sign, route, decide) stays with the center.
        return Case.objects.filter(
            Q(application__service_point_id__in=scope) | Q(application__applicant__service_point_id__in=scope)
        )
    if has_role(user, Role.AGENCY) and user.agency_id:
        return Case.objects.filter(
            pk__in=LetterRecipient.objects.filter(agency_id=user.agency_id, letter__status__in=DELIVERED).values(
                "letter__case_id"
            )
        )
    applicant = applicant_of(user) if has_role(user, Role.APPLICANT) else None
    if applicant is not None:
        return Case.objects.filter(application__applicant=applicant)
    return Case.objects.none()


def visible_letters(user):
    if not user.is_authenticated:
        return AssistanceLetter.objects.none()
    if is_center_member(user):
        return AssistanceLetter.objects.all()
    if has_role(user, Role.AGENCY) and user.agency_id:
        return AssistanceLetter.objects.filter(status__in=DELIVERED, recipients__agency_id=user.agency_id)
    return AssistanceLetter.objects.none()


def visible_recipients(user):
    """The agency's own copies of letters (its acknowledgement and answer)."""
    if not user.is_authenticated:
        return LetterRecipient.objects.none()
    if is_center_member(user):
        return LetterRecipient.objects.all()
    if has_role(user, Role.AGENCY) and user.agency_id:
        return LetterRecipient.objects.filter(agency_id=user.agency_id, letter__status__in=DELIVERED)
    return LetterRecipient.objects.none()


def visible_answer_attachments(user):
    if not user.is_authenticated:
        return AnswerAttachment.objects.none()
    if is_center_member(user):
        return AnswerAttachment.objects.all()
    if has_role(user, Role.AGENCY) and user.agency_id:
        return AnswerAttachment.objects.filter(recipient__agency_id=user.agency_id)
    return AnswerAttachment.objects.none()


# --- Decisions on an object the user can see ------------------------------------------------


def can_read_case_in_admin(user):
    """Open the case list and the case page in the admin: the center, and (read-only) workstation
    staff. Which cases is for visible_cases to say."""
    return is_center_member(user) or is_service_point_user(user)


def can_handle_case(user, case):
    """Assign, move, pause, regrade, annotate, terminate a case; draft its letters and reports."""
    return is_center_member(user)


def can_resume_case(user, case):
    """End a pause for the applicant's input: staff, or the applicant whose case it is."""
    return is_center_member(user) or (
        has_role(user, Role.APPLICANT)
        and (applicant := applicant_of(user)) is not None
        and applicant.pk == case.application.applicant_id
    )


def can_edit_letter(user, letter):
    """Draft, edit, submit and withdraw an assistance letter."""
    return is_center_member(user)


def can_sign_letter(user, letter):
    """签发 or send back a letter awaiting signature: the director or a deputy director only."""
    return can_sign(user)


def can_act_for_recipient(user, recipient):
    """Acknowledge, answer or ask more time for a letter: the addressed agency's liaison only."""
    return has_role(user, Role.AGENCY) and user.agency_id is not None and user.agency_id == recipient.agency_id


def can_decide_extension(user, extension):
    return is_center_member(user)


def can_handle_report(user, report):
    """Draft an upward report, submit it for signature and record the higher authority's answer."""
    return is_center_member(user)


def can_sign_report(user, report):
    """签发 or send back an upward report: the director or a deputy director only, never staff."""
    return can_sign(user)


def visible_extensions(user):
    if not user.is_authenticated:
        return ExtensionRequest.objects.none()
    if is_center_member(user):
        return ExtensionRequest.objects.all()
    if has_role(user, Role.AGENCY) and user.agency_id:
        return ExtensionRequest.objects.filter(recipient__agency_id=user.agency_id)
    return ExtensionRequest.objects.none()


def visible_reports(user):
    """Upward reports are internal to the center."""
    if user.is_authenticated and is_center_member(user):
        return UpwardReport.objects.all()
    return UpwardReport.objects.none()
