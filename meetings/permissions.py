"""Who may see which meeting and action item, and who may do what with them.

Center members (staff, director, deputies) see every meeting and action item. A partner
agency's users see the meetings their agency is invited to (once the notice is out) and
only the action items assigned to their agency or to them in person. Anyone else sees
nothing; a wrong id is a 404.

The director plans, convenes and cancels, and may name a chair other than the rotation's;
the chair of a meeting approves its agenda and its minutes; center members record
attendance, write the minutes and register action items; an invitee answers its own
invitation (an agency's users answer for their agency); the assignee reports progress on
its action items, and only the center cancels one or revives a cancelled one.
"""

from django.db.models import Q

from meetings.models import ActionItem, JointMeeting
from portal.roles import Role, has_role, is_center_member


def visible_meetings(user):
    if not user.is_authenticated:
        return JointMeeting.objects.none()
    if is_center_member(user):
        return JointMeeting.objects.all()
    condition = Q(pk__in=[])
    if has_role(user, Role.AGENCY) and user.agency_id:
        condition |= Q(invitations__agency_id=user.agency_id)
    condition |= Q(invitations__user=user)
    return (
        JointMeeting.objects.filter(condition)
        .exclude(status__in=[JointMeeting.Status.PLANNED, JointMeeting.Status.CANCELLED])
        .distinct()
    )


def visible_action_items(user):
    if not user.is_authenticated:
        return ActionItem.objects.none()
    if is_center_member(user):
        return ActionItem.objects.all()
    condition = Q(assignee_user=user)
    if has_role(user, Role.AGENCY) and user.agency_id:
        condition |= Q(assignee_agency_id=user.agency_id)
    return ActionItem.objects.filter(condition)


def _is_director(user):
    return user.is_authenticated and has_role(user, Role.DIRECTOR)


def _is_center(user):
    return user.is_authenticated and is_center_member(user)


def _is_chair(user, meeting):
    return user.is_authenticated and meeting.chair_id is not None and meeting.chair.user_id == user.pk


# --- The series and convening ------------------------------------------------------------


def can_create_meeting(user):
    return _is_center(user)


def can_convene(user, meeting):
    return _is_director(user)


def can_cancel(user, meeting):
    return _is_director(user)


def can_assign_chair(user, meeting):
    """Apply the rotation (anyone of the center); naming a chair is `can_override_chair`."""
    return _is_center(user)


def can_override_chair(user, meeting):
    return _is_director(user)


def can_answer_invitation(user, invitation):
    if invitation.agency_id:
        own_agency = has_role(user, Role.AGENCY) and user.agency_id == invitation.agency_id
        return user.is_authenticated and (own_agency or is_center_member(user))
    return user.is_authenticated and invitation.user_id == user.pk


def can_record_attendance(user, meeting):
    return _is_center(user)


# --- The agenda ---------------------------------------------------------------------------


def can_propose_items(user):
    """May propose items at all (the calendar shows the button)."""
    return _is_center(user) or (has_role(user, Role.AGENCY) and bool(user.agency_id))


def can_propose_item(user, meeting):
    """The center, or an agency invited to this meeting."""
    if _is_center(user):
        return True
    return (
        has_role(user, Role.AGENCY)
        and bool(user.agency_id)
        and meeting.invitations.filter(agency_id=user.agency_id).exists()
    )


def can_refresh_agenda(user, meeting):
    return _is_center(user)


def can_approve_agenda(user, meeting):
    return _is_chair(user, meeting)


# --- Minutes and action items -------------------------------------------------------------


def can_write_minutes(user, meeting):
    """Start, write and correct the minutes, and register the action items they decide."""
    return _is_center(user)


def can_approve_minutes(user, minutes):
    return _is_chair(user, minutes.meeting)


def can_update_action_item(user, item):
    return visible_action_items(user).filter(pk=item.pk).exists()


def can_cancel_action_item(user, item):
    """Cancel an item or revive a cancelled one: the center only."""
    return _is_center(user)
