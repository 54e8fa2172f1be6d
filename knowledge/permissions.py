"""Who may see and change what on the knowledge platform: the one place that decides.

- The public sees only published items (`published(model)`); anything else is a 404.
- A partner agency's user sees its own agency's submissions, of every state, and nothing of another
  agency's that is not published (`visible_submissions`); it may submit (`can_submit`) and correct
  its own drafts and returned items (`can_edit_submission`).
- Center staff, the director and deputies see everything and review (`can_review`): publish, return,
  decline, withdraw, edit, import, turn a closed case into a typical case.

Views and the admin fetch objects through these querysets, so a wrong id answers 404.
"""

from django.http import Http404

from knowledge.models import Event, Law, Publication, ServiceInstitution, TypicalCase, Warning
from portal.roles import Role, has_role, is_center_member

# The kinds an agency submits, by the name used in its addresses.
SUBMISSION_KINDS = {
    "law": Law,
    "case": TypicalCase,
    "warning": Warning,
    "institution": ServiceInstitution,
    "training": Event,
}
KIND_OF_MODEL = {model: kind for kind, model in SUBMISSION_KINDS.items()}
PUBLICATION_MODELS = tuple(SUBMISSION_KINDS.values())

S = Publication.Status
# States in which the submitting agency may still change its item.
AGENCY_EDITABLE = (S.DRAFT, S.RETURNED)


def model_of_kind(kind):
    """The model behind a kind in an address; 404 for an unknown kind."""
    try:
        return SUBMISSION_KINDS[kind]
    except KeyError:
        raise Http404 from None


def published(model):
    """What the public may see of `model`."""
    return model._default_manager.filter(status=S.PUBLISHED)


def _agency_user(user):
    return (
        getattr(user, "is_authenticated", False)
        and has_role(user, Role.AGENCY)
        and getattr(user, "agency_id", None) is not None
    )


def visible_submissions(user, model):
    """The items of `model` a signed-in user may see in the workspace or the admin, whatever their state."""
    if not getattr(user, "is_authenticated", False):
        return model._default_manager.none()
    if is_center_member(user):
        return model._default_manager.all()
    if _agency_user(user):
        return model._default_manager.filter(agency_id=user.agency_id)
    return model._default_manager.none()


def can_submit(user):
    """Send an item to the center: a partner agency's liaison whose agency is known and active."""
    return bool(_agency_user(user) and getattr(user.agency, "active", True))


def can_edit_submission(user, obj):
    """Change and (re)submit an item: its own agency's user while it is a draft or was returned."""
    return bool(
        can_submit(user)
        and obj.agency_id is not None
        and obj.agency_id == user.agency_id
        and obj.status in AGENCY_EDITABLE
    )


def can_review(user, obj=None):
    """Publish, return, decline, withdraw and edit: center staff, the director and deputies."""
    return getattr(user, "is_authenticated", False) and is_center_member(user)


def can_manage_law_versions(user, law=None):
    """Record an amendment (a new version) or a repeal."""
    return can_review(user, law)


def can_draft_typical_case(user, case=None):
    """Turn a closed case into a typical case and ask the applicant's consent."""
    return can_review(user)
