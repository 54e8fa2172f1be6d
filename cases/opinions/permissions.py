"""Who may see and act on guidance opinions and case files. Opinions are internal work of the
center: outside it nobody sees one (the applicant reads the signed document, not the draft).
Inside it, the case handler reviews, and only the director or a deputy signs or reopens a signed
opinion for correction."""

from cases.models import Case
from cases.opinions.models import GuidanceOpinion
from portal.roles import can_sign, is_center_member

S = GuidanceOpinion.Status


def _member(user):
    return getattr(user, "is_authenticated", False) and is_center_member(user)


def visible_opinions(user):
    """Opinions in the admin: center members only."""
    if _member(user):
        return GuidanceOpinion.objects.all()
    return GuidanceOpinion.objects.none()


def case_file_cases(user):
    """Cases whose whole record a user may export: center members, every case."""
    if _member(user):
        return Case.objects.all()
    return Case.objects.none()


def can_draft_opinion(user, case):
    return _member(user)


def can_edit_opinion(user, opinion):
    """Write the draft, quote the experts, submit it for review: any center member."""
    return _member(user)


def can_review_opinion(user, opinion):
    """The case handler reviews (the director and deputies may stand in); a case without a
    handler may be reviewed by any center member."""
    if not _member(user):
        return False
    if opinion.case.handler_id:
        return opinion.case.handler_id == user.pk or can_sign(user)
    return True


def can_sign_opinion(user, opinion):
    """签发: the director or a deputy director."""
    return _member(user) and can_sign(user)


def can_reopen_opinion(user, opinion):
    """A signed opinion is reopened for correction only by those who may sign it again; one
    approved but not yet signed may also be taken back by its reviewer."""
    if opinion.status == S.SIGNED:
        return can_sign_opinion(user, opinion)
    return can_review_opinion(user, opinion)


def can_export_case_file(user, case):
    return _member(user)
