"""The admin's rows made once per page (portal.templatetags.portal_admin_list) are Django's own, to
the character, for the values that take its quick paths and those that do not: blank and empty
texts, missing dates, choices, an admin method's text, lazy text, safe HTML, nothing, a number, a
date, a related row that is gone, a column made once per page (portal.admin_cells.per_page)."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import results
from django.core.exceptions import ObjectDoesNotExist
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from portal.admin_cells import html_link, per_page
from portal.admin_lists import row_urls
from portal.models import EmailDelivery
from portal.templatetags.portal_admin_list import rows

pytestmark = pytest.mark.django_db

METHOD_VALUES = {
    0: "",
    1: "   ",
    2: gettext_lazy("Yes"),
    3: format_html("<b>{}</b>", "<safe & sound>"),
    4: None,
    5: 12345,
    6: datetime.date(2026, 2, 16),
    7: "<script>",
}


class EdgeAdmin(admin.ModelAdmin):
    list_display = [
        "to",
        "subject",
        "status",
        "attempts",
        "last_error",
        "sent_at",
        "created_at",
        "method_value",
        "quiet_empty",
        "gone",
        "flag",
        "link_made_per_page",
    ]
    list_per_page = 100

    @admin.display(description="value")
    def method_value(self, delivery):
        return METHOD_VALUES[delivery.attempts % len(METHOD_VALUES)]

    @admin.display(description="quiet", empty_value="·")
    def quiet_empty(self, delivery):
        return "" if delivery.attempts % 2 else "x"

    @admin.display(description="gone")
    def gone(self, delivery):
        if delivery.attempts % 3 == 0:
            raise ObjectDoesNotExist
        return "there"

    @admin.display(description="flag", boolean=True)
    def flag(self, delivery):
        return [True, False, None, 1, 0][delivery.attempts % 5]  # 1 and 0: Django shows them as such

    @admin.display(description="link")
    @per_page
    def link_made_per_page(self):
        url_of, label = row_urls("documents:download"), gettext_lazy("Yes")
        return lambda delivery: html_link(url_of(delivery.pk), label) if delivery.attempts % 3 else "   "


def ours_and_djangos(model_admin, user, url="/admin/"):
    """The rows of the admin's first page, as made here and as Django's results() makes them, for a
    list without fields to edit (changelist_view sets its formset to None)."""
    request = RequestFactory().get(url)
    request.user = user
    cl = model_admin.get_changelist_instance(request)
    cl.formset = None
    return [row[0] for row in rows(cl)], ["".join(cells) for cells in results(cl)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_kind_of_cell_is_djangos(language, admin_user):
    moment = timezone.now()
    for attempts in range(16):
        EmailDelivery.objects.create(
            to=f"a{attempts}@example.cn",
            subject=["", "  ", "标题 <1> & 2", "plain"][attempts % 4],
            body="body",
            attempts=attempts,
            last_error=["", "失败：\"quoted\" 'single'"][attempts % 2],
            sent_at=None if attempts % 2 else moment - datetime.timedelta(days=attempts),
            status=EmailDelivery.Status.values[attempts % len(EmailDelivery.Status.values)],
        )
    with translation.override(language):
        ours, djangos = ours_and_djangos(EdgeAdmin(EmailDelivery, admin.site), admin_user)
    assert len(ours) == 16
    assert ours == djangos


@pytest.mark.parametrize("order", ["", "-2.3", "3"])
@pytest.mark.parametrize("editable", [False, True])
def test_the_rows_and_hidden_keys_given_as_one_piece_are_djangos_results_template(editable, order, admin_user):
    """The results table with its rows and hidden key fields written at once is, to the character,
    what Django's admin/change_list_results.html renders for the same list: a list with fields to
    edit in place (the partner agencies' order, written without making the rows' forms; their
    yes/no column) and one without (the e-mail deliveries); the headers with their sort links, with
    the list sorted by its own order, by two columns (one of them backwards), by one."""
    from django.contrib.admin.templatetags.admin_list import result_list
    from django.forms.renderers import get_default_renderer
    from django.template.loader import render_to_string

    from portal.models import PartnerAgency
    from portal.templatetags.portal_admin_list import portal_result_list

    model = PartnerAgency if editable else EmailDelivery
    for number in range(3):
        if editable:
            PartnerAgency.objects.create(
                name=f"机构{number} <&>",
                short_name=f"机构{number}",
                code=f"test-{number}",
                kind=PartnerAgency.Kind.values[0],
                display_order=number,
                active=number != 1,  # a yes/no column showing both icons
            )
        else:
            EmailDelivery.objects.create(to=f"a{number}@example.cn", subject=f"<标题{number}>", body="b")
    request = RequestFactory().get(f"/admin/portal/{model._meta.model_name}/", {"o": order} if order else {})
    request.user = admin_user
    model_admin = admin.site._registry[model]
    cl = model_admin.get_changelist_instance(request)
    cl.formset = model_admin.get_changelist_formset(request)(queryset=cl.result_list) if editable else None
    context = portal_result_list(cl)
    assert bool(context["rows_html"]) and bool(context["hidden_html"]) is editable
    ours = render_to_string("admin/portal_change_list_results.html", context)
    if editable:  # written from the rows' values: the rows' forms were not made, nor for the page's media
        media = str(cl.formset.media)
        assert "forms" not in vars(cl.formset)
        assert media == str(cl.formset.forms[0].media)
    for form in cl.formset.forms if editable else ():
        form.renderer = get_default_renderer()
    djangos = render_to_string("admin/change_list_results.html", result_list(cl))
    assert ours == djangos
    assert ours.count("<tr>") == 1 + len(cl.result_list) >= 4  # the header's and a row each
    if editable:
        assert "icon-yes.svg" in ours and "icon-no.svg" in ours
    if order:  # two columns sorted: each shows its priority; one column: none does
        assert ours.count('class="sortpriority"') == (2 if order == "-2.3" else 0)
        assert ours.count('class="toggle descending"') == (1 if order == "-2.3" else 0)
    if editable:  # Django's own formset, whose key fields are not written directly: Django renders them
        from django.forms import BaseModelFormSet

        from portal.templatetags.portal_admin_list import hidden_keys

        cl.formset = model_admin.get_changelist_formset(request, formset=BaseModelFormSet)(queryset=cl.result_list)
        assert hidden_keys(cl) == context["hidden_html"]


def test_a_row_form_of_the_admins_own_renders_each_rows_fields_itself(admin_user):
    """Fields to edit in place are rendered once per value in their column, unless the admin's form
    sets its fields up per row: here the agency coded "test-1" may not be moved, though every row
    shows the same order."""
    from django import forms
    from django.forms.renderers import get_default_renderer

    from portal.admin_site import ChangeListFormSet
    from portal.form_renderer import direct_widget_renderer
    from portal.models import PartnerAgency

    class OneLocked(forms.ModelForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.instance.code == "test-1":
                self.fields["display_order"].disabled = True

    for number in range(3):
        PartnerAgency.objects.create(
            name=f"机构{number}",
            short_name=f"机构{number}",
            code=f"test-{number}",
            kind=PartnerAgency.Kind.values[0],
            display_order=5,
        )
    request = RequestFactory().get("/admin/portal/partneragency/")
    request.user = admin_user
    model_admin = admin.site._registry[PartnerAgency]
    cl = model_admin.get_changelist_instance(request)
    formset_class = forms.modelformset_factory(
        PartnerAgency,
        form=OneLocked,
        formset=ChangeListFormSet,
        fields=model_admin.list_editable,
        extra=0,
        renderer=direct_widget_renderer,
    )
    cl.formset = formset_class(queryset=cl.result_list)
    ours = [row[0] for row in rows(cl)]
    for form in cl.formset.forms:
        form.renderer = get_default_renderer()
    assert ours == ["".join(cells) for cells in results(cl)]
    assert sum("disabled" in row for row in ours) == 1


class RelatedRowsAdmin(admin.ModelAdmin):
    list_display = ["full_name", "service_point", "email", "is_active"]
    list_select_related = ["service_point"]
    list_per_page = 100


def test_a_column_of_related_rows_is_djangos(admin_user):
    """A key to a related row shows the row's name, written once per related row the page names:
    staff of two workstations, and staff of none."""
    from portal.models import ServicePoint, User
    from tests.factories import UserFactory

    points = [
        ServicePoint.objects.create(
            name=f"工作站 <{number}> & 站", level=ServicePoint.Level.values[-1], region="韶关", address="地址"
        )
        for number in range(2)
    ]
    for number in range(6):
        UserFactory(full_name=f"职员{number}", service_point=None if number % 3 == 2 else points[number % 2])
    ours, djangos = ours_and_djangos(RelatedRowsAdmin(User, admin.site), admin_user)
    assert ours == djangos
    assert sum("工作站 &lt;0&gt; &amp; 站" in row for row in ours) == 2


def test_the_yes_no_icons_follow_the_static_files_settings(admin_user, settings):
    """A yes/no cell's icon is made once per process, until the static files' settings change."""
    from portal.models import User

    for static_url in ("/static/", "/assets/"):
        settings.STATIC_URL = static_url
        ours, djangos = ours_and_djangos(RelatedRowsAdmin(User, admin.site), admin_user)
        assert ours == djangos
        assert f'<img src="{static_url}admin/img/icon-yes.svg" alt="True">' in ours[0]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_login_records_attempts_left_are_axes_own(language, admin_user, settings):
    """The attempts-left column of the login records, worked out once per count on a page, shows
    what django-axes' own list shows on every row."""
    from axes.admin import AccessAttemptAdmin
    from axes.models import AccessAttempt

    for failures in range(settings.AXES_FAILURE_LIMIT + 2):
        for copy in range(2):
            AccessAttempt.objects.create(
                username=f"user{failures}-{copy}@example.cn",
                ip_address="127.0.0.1",
                user_agent="agent",
                path_info="/login/",
                failures_since_start=failures,
                get_data="",
                post_data="",
                http_accept="*/*",
            )
    with translation.override(language):
        ours, _djangos = ours_and_djangos(admin.site._registry[AccessAttempt], admin_user)
        _ours, axes_own = ours_and_djangos(AccessAttemptAdmin(AccessAttempt, admin.site), admin_user)
    assert len(ours) == 2 * (settings.AXES_FAILURE_LIMIT + 2)
    assert ours == axes_own
    assert sum("Locked Out" in row for row in ours) == 4  # django-axes has no Chinese for it
    assert sum("3 Attempt Remaining" in row for row in ours) == 2


def test_a_list_keyed_by_uuid_links_its_rows_as_django_does(admin_user):
    """The jobs are keyed by a UUID: their first column's links are written once per page as for a
    number key, to the character of Django's own, a name with markup in it escaped."""
    from portal.models import Job

    for number in range(4):
        Job.objects.create(kind="tests.rows", label=f"导出 <{number}> & 统计", params={}, created_by=admin_user)
    Job.objects.create(kind="tests.rows", label="   ", params={}, created_by=admin_user)  # blank: Django's path
    ours, djangos = ours_and_djangos(admin.site._registry[Job], admin_user)
    assert ours == djangos
    job = Job.objects.exclude(label="   ").first()
    assert f'<a href="/admin/portal/job/{job.pk}/change/">' in "".join(ours)
    assert sum("导出 &lt;" in row for row in ours) == 4
