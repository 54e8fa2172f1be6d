"""Who may see which case, letter and answer. Center staff see everything; a partner
agency only the signed letters addressed to it (and their cases' summaries); an applicant
its own organisation's cases. Views fetch through these querysets, so a wrong id is a 404."""

from applications.selectors import applicant_of
from cases.models import AnswerAttachment, AssistanceLetter, Case, LetterRecipient
from portal.roles import Role, has_role, is_center_member

DELIVERED = [AssistanceLetter.Status.SIGNED, AssistanceLetter.Status.SETTLED]


def visible_cases(user):
    if not user.is_authenticated:
        return Case.objects.none()
    if is_center_member(user):
        return Case.objects.all()
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
