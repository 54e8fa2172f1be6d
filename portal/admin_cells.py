"""Columns of an admin list whose cells share what is the same on every row.

A column of links ("下载 PDF", "查看") gives each row the same translated label and the same URL
pattern with the row's key in it. Worked out for every row, the label's translation (the active
language's thread-local lookups), the URL's and ``format_html``'s machinery cost a 100-row list
a few milliseconds, more than Django's stock list spends on all its rows.

``@per_page`` lets an admin method work that out once per page: the rows of a list
(portal.templatetags.portal_admin_list) ask for the function of one row once and call it for each
row; called as a plain method (Django's own rows, a change page, a test), it is made for the row.
"""

import functools
from html import escape

from django.utils.safestring import SafeString

from portal.form_renderer import escaped


def per_page(make_row_function):
    """For an admin method of a list column, written as make_row_function(model_admin) giving the
    function of one row: the method, which the rows may call once per page (method.per_page)."""

    @functools.wraps(make_row_function)
    def method(model_admin, obj):
        return make_row_function(model_admin)(obj)

    method.per_page = make_row_function
    return method


def html_link(url, text):
    """format_html('<a href="{}">{}</a>', url, text) without its machinery: the URL escaped, the
    text escaped unless it is safe HTML already."""
    # Both escaped here; SafeString: mark_safe without its check for lazy text (once per row).
    return SafeString(f'<a href="{escape(url)}">{escaped(text)}</a>')
