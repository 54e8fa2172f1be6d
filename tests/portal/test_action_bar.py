"""A list's pieces kept in the process are, to the character, what Django's tags render for the same
page, and follow what they show: the action bar ({% portal_admin_actions %}: top and bottom bar
alike, the words of the language, the rows counted, the actions the person may take), the search
bar ({% portal_search_form %}: the search, the counts, the filters kept) and the add button
({% portal_change_list_object_tools %}: the filters kept in its link, the person's permission); a
model's own template of a piece is rendered instead."""

import pytest
from django.contrib import admin
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import resolve
from django.utils import translation

from portal.models import PartnerAgency

pytestmark = pytest.mark.django_db

BOTH_BARS = "{% load admin_list %}{% admin_actions %}<hr>{% admin_actions %}"
KEPT_BARS = "{% load portal_admin_list %}{% portal_admin_actions %}<hr>{% portal_admin_actions %}"


def _agency(number):
    return PartnerAgency.objects.create(
        name=f"机构{number}", short_name=f"机构{number}", code=f"bar-{number}", kind=PartnerAgency.Kind.values[0]
    )


SEARCH = ("{% load admin_list %}{% search_form cl %}", "{% load portal_admin_list %}{% portal_search_form cl %}")
ADD_BUTTON = (
    "{% load admin_list %}{% change_list_object_tools %}",
    "{% load portal_admin_list %}{% portal_change_list_object_tools %}",
)


def _bars(user, template, query=None):
    request = RequestFactory().get("/admin/portal/partneragency/", query or {})
    request.resolver_match = resolve(request.path)  # the list's filters are kept in its links
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


def _pieces(user, templates, query=None):
    """Django's piece, then the kept one made and served from the process."""
    djangos, kept = templates
    return _bars(user, djangos, query), _bars(user, kept, query), _bars(user, kept, query)


@pytest.mark.parametrize("query", [None, {"q": "机构1"}, {"kind": PartnerAgency.Kind.values[0]}, {"q": "无此机构"}])
def test_the_kept_search_bar_is_djangos_and_follows_the_search(admin_user, query):
    for number in range(3):
        _agency(number)
    djangos, made, kept = _pieces(admin_user, SEARCH, query)
    assert made == djangos == kept
    assert 'id="searchbar"' in made
    if query and "q" in query:
        assert f'value="{query["q"]}"' in made
        assert ("1 条结果" if query["q"] == "机构1" else "0 条结果") in made
    with translation.override("en"):
        djangos, made, kept = _pieces(admin_user, SEARCH, query)
    assert made == djangos == kept and 'value="Search"' in made


@pytest.mark.parametrize("query", [None, {"kind": PartnerAgency.Kind.values[0]}])
def test_the_kept_add_button_is_djangos_and_follows_the_filters_and_the_permission(admin_user, monkeypatch, query):
    _agency(0)
    djangos, made, kept = _pieces(admin_user, ADD_BUTTON, query)
    assert made == djangos == kept and 'class="addlink"' in made
    if query:
        assert "_changelist_filters=kind" in made
    with translation.override("en"):
        djangos, made, kept = _pieces(admin_user, ADD_BUTTON, query)
    assert made == djangos == kept and "Add " in made
    monkeypatch.setattr(admin.site._registry[PartnerAgency], "has_add_permission", lambda request: False)
    djangos, made, kept = _pieces(admin_user, ADD_BUTTON, query)
    assert made == djangos == kept and "addlink" not in made


def test_a_models_own_template_of_a_piece_is_rendered_instead_of_the_kept_one(admin_user, settings, tmp_path):
    """As Django's tags do, a template of the model's own (admin/portal/partneragency/search_form.html)
    is rendered instead of the kept piece; the lookup follows the templates' settings."""
    _agency(1)
    own = tmp_path / "admin" / "portal" / "partneragency"
    own.mkdir(parents=True)
    (own / "search_form.html").write_text('<div id="own-search">{{ cl.result_count }}</div>', encoding="utf-8")
    assert "own-search" not in _bars(admin_user, SEARCH[1])  # looked up, and none found, before

    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    assert _bars(admin_user, SEARCH[1]) == _bars(admin_user, SEARCH[0]) == '<div id="own-search">1</div>'
