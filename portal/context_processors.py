from portal.models import SiteConfiguration
from portal.roles import Role, roles_of


def portal(request):
    user = getattr(request, "user", None)
    awaiting_second_factor = getattr(request, "awaiting_second_factor", False)
    roles = roles_of(user) if user is not None and not awaiting_second_factor else frozenset()
    signed_in = bool(user and user.is_authenticated and not awaiting_second_factor)
    return {
        # Logged in with the password but not yet with the second factor: no menu, no counts.
        "awaiting_second_factor": awaiting_second_factor,
        "center": SiteConfiguration.get(),
        "user_roles": {role.value for role in roles},
        "Role": Role,
        "unread_notifications": (user.notifications.filter(read_at__isnull=True).count() if signed_in else 0),
    }
