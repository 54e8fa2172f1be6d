"""A list's action bar kept in the process ({% portal_admin_actions %}) is, to the character, what
Django's {% admin_actions %} renders for the same page, top and bottom bar alike, and follows what
it shows: the words of the language, the rows counted, the actions the person may take."""

import pytest
from django.contrib import admin
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from portal.models import PartnerAgency

pytestmark = pytest.mark.django_db

BOTH_BARS = "{% load admin_list %}{% admin_actions %}<hr>{% admin_actions %}"
KEPT_BARS = "{% load portal_admin_list %}{% portal_admin_actions %}<hr>{% portal_admin_actions %}"


def _agency(number):
    return PartnerAgency.objects.create(
        name=f"机构{number}", short_name=f"机构{number}", code=f"bar-{number}", kind=PartnerAgency.Kind.values[0]
    )


def _bars(user, template):
    request = RequestFactory().get("/admin/portal/partneragency/")
    request.user = user
    response = admin.site._registry[PartnerAgency].changelist_view(request)
    return Template(template).render(Context(response.context_data))


def _both_ways(user):
    djangos = _bars(user, BOTH_BARS)
    return djangos, _bars(user, KEPT_BARS), _bars(user, KEPT_BARS)


def test_the_kept_bars_are_djangos_and_follow_the_rows_and_the_language(admin_user):
    for number in range(3):
        _agency(number)
    djangos, made, kept = _both_ways(admin_user)
    assert made == djangos == kept
    assert 'name="index" value="0"' in made and 'name="index" value="1"' in made
    assert 'data-actions-icnt="3"' in made

    _agency(3)
    djangos, made, kept = _both_ways(admin_user)
    assert made == djangos == kept and 'data-actions-icnt="4"' in made

    with translation.override("en"):
        djangos, made, kept = _both_ways(admin_user)
    assert made == djangos == kept and "0 of 4 selected" in made


def test_other_actions_offered_make_another_bar(admin_user, monkeypatch):
    """The actions offered follow the person's permissions: a bar is kept for the actions it offers."""
    _agency(0)
    _first, made, _kept = _both_ways(admin_user)
    model_admin = admin.site._registry[PartnerAgency]
    offered = model_admin.get_action_choices
    monkeypatch.setattr(
        model_admin, "get_action_choices", lambda request: [*offered(request), ("archive", "归档所选机构")]
    )
    djangos, other, kept = _both_ways(admin_user)
    assert other == djangos == kept
    assert "归档所选机构" in other and "归档所选机构" not in made
