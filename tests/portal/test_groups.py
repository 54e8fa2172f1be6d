"""The roles' groups and their admin permissions are set by `migrate`, not only by the demo."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal

from portal.roles import Role

pytestmark = pytest.mark.django_db


def _codenames(role):
    return set(Group.objects.get(name=role).permissions.values_list("content_type__app_label", "codename"))


def test_migrate_gives_every_role_its_group_and_the_admin_roles_their_permissions():
    Group.objects.all().delete()

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert set(Group.objects.values_list("name", flat=True)) == set(Role.values)
    staff = _codenames(Role.STAFF)
    assert {("consultations", "add_consultation"), ("enterprises", "change_keyenterprise")} <= staff
    assert ("documents", "change_signercertificate") not in staff
    assert ("documents", "change_signercertificate") in _codenames(Role.DIRECTOR)
    station = _codenames(Role.SERVICE_POINT)
    assert ("cases", "view_case") in station and ("consultations", "add_consultation") in station
    assert ("cases", "change_case") not in station
    assert _codenames(Role.APPLICANT) == set()


def test_migrate_gives_a_role_the_permissions_it_lacks_and_keeps_the_others():
    """As after a migration that adds a model: the group has all but the new permissions."""
    staff = Group.objects.get(name=Role.STAFF)
    before = _codenames(Role.STAFF)
    staff.permissions.remove(*staff.permissions.filter(content_type__app_label="meetings"))
    assert ("meetings", "view_meeting") not in _codenames(Role.STAFF)

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert _codenames(Role.STAFF) == before


@pytest.mark.parametrize("app_label", ["portal", "api"])  # the first and the last of the apps with models
def test_a_new_models_permissions_are_created_and_reach_the_roles_in_the_same_migrate(app_label):
    """As after a migration that adds a model: its permissions do not exist yet, Django creates them
    on its app's signal, and the roles hold them when migrate is done, whichever app it is in."""
    staff_before = _codenames(Role.STAFF)
    Permission.objects.filter(content_type__app_label=app_label).delete()
    assert not any(label == app_label for label, _codename in _codenames(Role.STAFF))

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert _codenames(Role.STAFF) == staff_before
    assert any(label == app_label for label, _codename in staff_before)
