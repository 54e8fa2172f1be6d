"""The admin's navigation is kept a minute per person and language, never shared between people,
and each page marks itself in it."""

import re

from django.contrib.auth.models import Permission
from django.core.cache import cache

from portal.cache import cache_delete
from tests.factories import PartnerAgencyFactory, UserFactory


def _sidebar_links(page):
    return page.count('class="model-')


def test_a_second_page_reads_the_navigation_kept_for_the_person(client, staff):
    client.force_login(staff)
    first = client.get("/admin/cases/case/").content.decode()
    key = f"admin-app-list:{staff.pk}:zh-hans"
    kept = cache.get(key)
    assert kept and _sidebar_links(first) > 0
    kept.value[0]["name"] = "只在缓存里的名称"
    cache_delete(key)  # and this process's copy: the next page reads the shared cache, as another process does
    cache.set(key, kept, 60)
    assert "只在缓存里的名称" in client.get("/admin/cases/case/").content.decode()


def test_people_with_other_permissions_get_their_own_navigation(client, staff):
    client.force_login(staff)
    staff_links = _sidebar_links(client.get("/admin/").content.decode())
    narrow = UserFactory(full_name="周一", is_staff=True)
    narrow.user_permissions.add(Permission.objects.get(codename="view_partneragency"))
    client.force_login(narrow)
    page = client.get("/admin/").content.decode()
    assert 0 < _sidebar_links(page) < staff_links
    assert "/admin/portal/partneragency/" in page and "/admin/cases/case/" not in page


def test_the_navigation_follows_the_language(client, staff):
    client.force_login(staff)
    chinese = client.get("/admin/cases/case/").content.decode()
    english = client.get("/admin/cases/case/", headers={"accept-language": "en"}).content.decode()
    assert "案件办理" in chinese
    assert "案件办理" not in english.split('id="nav-sidebar"')[1].split("</nav>")[0]


def _sidebar(response):
    return response.content.decode().split('id="nav-sidebar"')[1].split("</nav>")[0]


def test_the_kept_navigation_marks_the_page_it_is_on(client, staff):
    # The sidebar's HTML is kept (portal.templatetags.portal_admin_nav), but each page marks its own list.
    client.force_login(staff)
    for _visit in range(2):
        cases = _sidebar(client.get("/admin/cases/case/"))
        applications = _sidebar(client.get("/admin/applications/application/"))
        assert "model-case current-model" in cases and "model-application current-model" not in cases
        assert "model-application current-model" in applications and "model-case current-model" not in applications
        assert 'href="/admin/cases/case/" aria-current="page"' in cases


def test_every_list_writes_the_row_checkbox_as_django_renders_it(staff):
    from django.contrib import admin as django_admin
    from django.utils import translation

    from portal.models import PartnerAgency

    agency = PartnerAgency.objects.first() or PartnerAgency.objects.create(name="测试单位", short_name="测试")
    model_admin = django_admin.site._registry[PartnerAgency]
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert model_admin.action_checkbox(agency) == django_admin.ModelAdmin.action_checkbox(model_admin, agency)
    slow = [
        model._meta.label
        for model, registered in django_admin.site._registry.items()
        if getattr(registered.action_checkbox, "__func__", None) is django_admin.ModelAdmin.action_checkbox
    ]
    assert slow == []


def test_every_list_with_fields_to_edit_in_place_writes_them_directly(rf, staff, client):
    """The rows' forms take the direct renderer (the registry walk compares their rows with Django's
    widget templates), and the agencies' list shows its display order as a field to edit."""
    from django.contrib import admin as django_admin

    from portal.form_renderer import direct_widget_renderer
    from portal.models import PartnerAgency

    request = rf.get("/admin/")
    request.user = staff
    editable = {
        model._meta.label: model_admin.get_changelist_formset(request).renderer
        for model, model_admin in django_admin.site._registry.items()
        if model_admin.list_editable
    }
    assert "portal.PartnerAgency" in editable
    assert all(renderer is direct_widget_renderer for renderer in editable.values()), editable

    agency = PartnerAgency.objects.create(name="测试单位", short_name="测试", display_order=7)
    client.force_login(staff)
    page = client.get("/admin/portal/partneragency/").content.decode()
    assert re.search(r'<input type="number" name="form-\d+-display_order" value="7"[^>]* class="vIntegerField"', page)
    assert re.search(rf'<input type="hidden" name="form-\d+-id" value="{agency.pk}" id="id_form-\d+-id">', page)


def _list_save(rows):
    """The save button of a list with fields to edit in place, with its formset's management form."""
    count = str(rows)
    return {
        "form-TOTAL_FORMS": count,
        "form-INITIAL_FORMS": count,
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "保存",
    }


def test_a_field_edited_in_place_is_saved_and_a_wrong_one_is_shown_with_its_error(client, staff):
    from portal.models import PartnerAgency

    PartnerAgency.objects.create(name="测试单位", short_name="测试", display_order=7)
    client.force_login(staff)
    url = "/admin/portal/partneragency/"
    forms = client.get(url).context["cl"].formset.forms
    data = _list_save(rows=len(forms))
    for index, form in enumerate(forms):
        data[f"form-{index}-id"] = str(form.instance.pk)
        data[f"form-{index}-display_order"] = str(form.instance.display_order)
    target = forms[0].instance
    original = target.display_order

    wrong = client.post(url, {**data, "form-0-display_order": "第二"})
    page = wrong.content.decode()
    assert wrong.status_code == 200
    assert 'class="errorlist"' in page and 'name="form-0-display_order" value="第二"' in page  # kept, with its error
    target.refresh_from_db()
    assert target.display_order == original  # nothing saved

    saved = client.post(url, {**data, "form-0-display_order": "42"})
    assert saved.status_code == 302
    target.refresh_from_db()
    assert target.display_order == 42
    assert re.search(r'name="form-\d+-display_order" value="42"', client.get(url).content.decode())


def test_the_rows_key_fields_share_one_queryset_and_still_refuse_a_key_naming_no_row(client, staff):
    from portal.admin_site import ChangeListFormSet
    from portal.models import PartnerAgency

    PartnerAgencyFactory.create_batch(3, display_order=1)
    client.force_login(staff)
    url = "/admin/portal/partneragency/"
    formset = client.get(url).context["cl"].formset
    assert isinstance(formset, ChangeListFormSet)
    keys = [form.fields["id"] for form in formset.forms]
    assert len(keys) >= 3 and len({id(key.queryset) for key in keys}) == 1
    assert [key.initial for key in keys] == [form.instance.pk for form in formset.forms]

    refused = client.post(url, {**_list_save(rows=1), "form-0-id": "99999999", "form-0-display_order": "5"})
    assert refused.status_code == 200
    assert refused.context["cl"].formset.forms[0].errors["id"]  # as Django's own key field refuses it
    assert not PartnerAgency.objects.filter(display_order=5).exists()


def test_the_rows_share_one_copy_of_their_fields_and_keep_their_own_values_and_errors(client, staff):
    from portal.admin_site import PageOfRowsFields
    from portal.models import PartnerAgency

    agencies = PartnerAgencyFactory.create_batch(3)
    client.force_login(staff)
    url = "/admin/portal/partneragency/"
    formset = client.get(url).context["cl"].formset
    forms = formset.forms
    assert isinstance(formset.form.base_fields, PageOfRowsFields)
    # One copy for the page, not the class's own fields (another page changing its copy leaves them).
    shared = forms[0].fields["display_order"]
    assert shared is not formset.form.base_fields["display_order"]
    assert all(form.fields["display_order"] is shared for form in forms)
    assert len({id(form.fields) for form in forms}) == len(forms)  # each row's key field in a dict of its own

    data = _list_save(rows=len(forms))
    for index, form in enumerate(forms):
        data[f"form-{index}-id"] = str(form.instance.pk)
        data[f"form-{index}-display_order"] = str(form.instance.display_order)
    wrong = client.post(url, {**data, "form-1-display_order": "三", "form-2-display_order": "17"})
    rows = wrong.context["cl"].formset.forms
    assert [bool(row.errors) for row in rows[:3]] == [False, True, False]  # the error stays on its row
    assert rows[2].cleaned_data["display_order"] == 17
    before = {agency.pk: agency.display_order for agency in agencies}
    assert {agency.pk: agency.display_order for agency in PartnerAgency.objects.filter(pk__in=before)} == before


def test_a_row_field_with_a_queryset_is_copied_for_each_row_and_narrowed_once():
    """A ModelForm narrows a relation's queryset to its limit_choices_to in place: each row has a
    copy of its own, narrowed once, not a shared one narrowed once per row."""
    from django.forms import modelform_factory, modelformset_factory

    from documents.models import SignerCertificate
    from portal.admin_site import ChangeListFormSet

    FormSet = modelformset_factory(
        SignerCertificate, fields=["signer", "key_label"], formset=ChangeListFormSet, extra=3
    )
    forms = FormSet(queryset=SignerCertificate.objects.none()).forms
    signers = [form.fields["signer"] for form in forms]
    assert len({id(field) for field in signers}) == 3
    assert len({id(field.queryset) for field in signers}) == 3
    narrowed_once = str(modelform_factory(SignerCertificate, fields=["signer"])().fields["signer"].queryset.query)
    assert all(str(field.queryset.query) == narrowed_once for field in signers)
    assert all(form.fields["key_label"] is forms[0].fields["key_label"] for form in forms)


def test_the_actions_are_written_directly_as_djangos_templates_write_them(rf, staff):
    from django.contrib import admin as django_admin
    from django.contrib.admin import helpers

    from portal.admin_site import DirectActionForm
    from portal.models import PartnerAgency

    request = rf.get("/admin/portal/partneragency/")
    request.user = staff
    model_admin = django_admin.site._registry[PartnerAgency]
    assert model_admin.action_form is DirectActionForm
    forms = []
    for form_class in (DirectActionForm, helpers.ActionForm):
        form = form_class(auto_id=None)
        form.fields["action"].choices = model_admin.get_action_choices(request)
        forms.append("".join(str(field) for field in form))
    assert forms[0] == forms[1]
    assert '<select name="action" required>' in forms[0] and 'name="select_across"' in forms[0]
