from portal.cache import cache_delete, cache_get, cache_set
from portal.models import SiteConfiguration
from portal.page_cache import depends_on
from portal.roles import Role, roles_of

# The number of unread notifications in the menu may be up to this many seconds late for a new
# notification; reading them (portal.views.notifications) clears it at once.
UNREAD_SECONDS = 60
UNREAD_KEY = "portal:unread-notifications:{pk}"


def unread_notifications(user):
    """The user's unread notifications, counted at most once a minute (through the cache)."""
    key = UNREAD_KEY.format(pk=user.pk)
    depends_on(user.notifications.model)
    count = cache_get(key)
    if count is None:
        count = user.notifications.filter(read_at__isnull=True).count()
        cache_set(key, count, UNREAD_SECONDS)
    return count


def forget_unread_notifications(user):
    cache_delete(UNREAD_KEY.format(pk=user.pk))


def _center():
    depends_on(SiteConfiguration)
    return SiteConfiguration.get()


def portal(request):
    user = getattr(request, "user", None)
    awaiting_second_factor = getattr(request, "awaiting_second_factor", False)
    roles = roles_of(user) if user is not None and not awaiting_second_factor else frozenset()
    signed_in = bool(user and user.is_authenticated and not awaiting_second_factor)
    return {
        # Logged in with the password but not yet with the second factor: no menu, no counts.
        "awaiting_second_factor": awaiting_second_factor,
        "center": _center(),
        "user_roles": {role.value for role in roles},
        "Role": Role,
        "unread_notifications": unread_notifications(user) if signed_in else 0,
    }
