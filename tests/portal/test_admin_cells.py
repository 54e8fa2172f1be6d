"""A list column made once per page (portal.admin_cells) gives what the plain admin method gives
row by row, and its links are format_html's, escaping included."""

import pytest
from django.contrib import admin
from django.urls import reverse, set_script_prefix
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from portal.admin_cells import html_link, per_page
from portal.admin_lists import row_urls


@pytest.mark.parametrize(
    "url, text",
    [
        ("/documents/5/download/", "下载 PDF"),
        ('/a?x=1&y="2"', "<script>alert(1)</script> & 'quotes'"),
        ("/b/", mark_safe("<b>safe</b>")),
        ("/c/", gettext_lazy("Yes")),
    ],
)
def test_a_link_is_format_htmls(url, text):
    with override("en"):
        assert html_link(url, text) == format_html('<a href="{}">{}</a>', url, text)


def test_row_urls_are_the_reversed_urls_under_any_prefix():
    one, two = row_urls("documents:download"), row_urls("applications:attachment_download", 2)
    for key in (1, 98765, 987654320123):
        assert one(key) == reverse("documents:download", args=[key])
    assert two(12, 34) == reverse("applications:attachment_download", args=[12, 34])
    try:
        set_script_prefix("/portal/")
        assert (
            row_urls("documents:download")(5) == "/portal" + reverse("documents:download", args=[5])[len("/portal") :]
        )
        assert row_urls("documents:download")(5) == reverse("documents:download", args=[5])
    finally:
        set_script_prefix("/")


class LinksAdmin:
    made = 0

    @admin.display(description="link")
    @per_page
    def link(self):
        LinksAdmin.made += 1
        label = gettext_lazy("Yes")
        return lambda key: html_link(row_urls("documents:download")(key), label)


def test_the_method_and_the_function_made_once_give_the_same_cells_in_each_language():
    model_admin = LinksAdmin()
    assert model_admin.link.short_description == "link"
    for language in ("zh-hans", "en"):
        with override(language):
            LinksAdmin.made = 0
            row_by_row = [model_admin.link(key) for key in (1, 2, 3)]
            assert LinksAdmin.made == 3
            once = model_admin.link.per_page(model_admin)
            assert [once(key) for key in (1, 2, 3)] == row_by_row
            assert LinksAdmin.made == 4
    assert "Yes" in row_by_row[0] and reverse("documents:download", args=[3]) in row_by_row[2]
