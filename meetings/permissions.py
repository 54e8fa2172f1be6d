"""Who may see which meeting and action item.

Center members (staff, director, deputies) see every meeting and action item. A partner
agency's users see the meetings their agency is invited to (once the notice is out) and
only the action items assigned to their agency or to them in person. Anyone else sees
nothing; a wrong id is a 404.
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


def can_propose_items(user):
    return is_center_member(user) or (has_role(user, Role.AGENCY) and bool(user.agency_id))
