from portal.models import SiteConfiguration
from portal.roles import Role, roles_of


def portal(request):
    user = getattr(request, "user", None)
    roles = roles_of(user) if user is not None else frozenset()
    return {
        "center": SiteConfiguration.get(),
        "user_roles": {role.value for role in roles},
        "Role": Role,
        "unread_notifications": (
            user.notifications.filter(read_at__isnull=True).count() if user and user.is_authenticated else 0
        ),
    }
