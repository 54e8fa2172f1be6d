"""Each role is a Django group (portal.roles); the roles that work in the admin hold model permissions.

They are set after every `migrate` (a post_migrate receiver in portal.apps), so that a production
database gets the same groups and permissions as the demo, and a new model's permissions reach the
roles with the migration that creates it. Object-level rules (each app's permissions.py) still narrow
what each person sees."""

from django.contrib.auth.models import Group, Permission

from portal.roles import Role

# The apps whose models the center's roles work on in the admin.
CENTER_APPS = [
    "portal",
    "applications",
    "cases",
    "experts",
    "meetings",
    "documents",
    "consultations",
    "knowledge",
    "enterprises",
    "reporting",
    "api",
]

# What a workstation's staff may do in the admin, by model permission (app label, codename). The
# object-level rules of each app's permissions.py narrow every list to the workstation's scope.
SERVICE_POINT_PERMISSIONS = [
    ("applications", "view_applicant"),
    ("applications", "view_application"),
    ("cases", "view_case"),
    ("consultations", "add_consultation"),
    ("consultations", "change_consultation"),
    ("consultations", "view_consultation"),
    ("enterprises", "view_keyenterprise"),
]


def ensure_groups():
    for role in Role:
        Group.objects.get_or_create(name=role.value)


def grant_center_permissions():
    """Center staff, the director and deputies work in the admin: give their groups the model
    permissions of the portal's own apps (accounts and numbering are for administrators)."""
    perms = Permission.objects.filter(content_type__app_label__in=CENTER_APPS).exclude(
        content_type__model__in=["user", "sequence"]
    )
    # Only those a group lacks are added: `add` would write every one of some 300 again (as an
    # INSERT that ignores the rows already there), which made this cost 50 ms when nothing changed.
    keys = list(perms.values_list("pk", flat=True))
    for role in (Role.STAFF, Role.DIRECTOR, Role.DEPUTY):
        group = Group.objects.get_or_create(name=role)[0]
        held = set(group.permissions.values_list("pk", flat=True))
        missing = [key for key in keys if key not in held]
        if missing:
            group.permissions.add(*missing)
    # Which key signs in a signer's name is for the director and deputies to decide, not for staff.
    signer_keys = perms.filter(content_type__model="signercertificate").values_list("pk", flat=True)
    Group.objects.get(name=Role.STAFF).permissions.remove(*signer_keys)


def grant_service_point_permissions():
    """Give the workstation group its model permissions (idempotent; returns the codenames granted
    as "app.codename"). Added, not set, so that a permission granted by hand stays."""
    group, _created = Group.objects.get_or_create(name=Role.SERVICE_POINT)
    wanted = [
        permission
        for app_label, codename in SERVICE_POINT_PERMISSIONS
        for permission in Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    ]
    group.permissions.add(*wanted)
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in wanted)


def set_up_roles():
    """After migrate, once every app's permissions exist: the groups of every role and their
    permissions."""
    ensure_groups()
    grant_center_permissions()
    grant_service_point_permissions()
