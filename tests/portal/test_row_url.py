"""row_url gives what reverse gives, for one key and two, under any script prefix; row_uuid_urls the
same for a key that is a UUID."""

import uuid

import pytest
from django.urls import reverse, set_script_prefix

from portal.admin_lists import row_url, row_uuid_urls


def test_a_row_url_is_the_reversed_url():
    for key in (1, 7, 98765, 987654320123, 10**18):
        assert row_url("documents:download", key) == reverse("documents:download", args=[key])
    assert row_url("applications:attachment_download", 12, 34) == reverse(
        "applications:attachment_download", args=[12, 34]
    )


def test_a_row_url_follows_the_script_prefix():
    try:
        set_script_prefix("/portal/")
        assert row_url("documents:download", 5) == reverse("documents:download", args=[5])
        assert row_url("documents:download", 5).startswith("/portal/")
    finally:
        set_script_prefix("/")
    assert row_url("documents:download", 5) == reverse("documents:download", args=[5])


def test_a_row_url_of_a_uuid_key_is_the_reversed_url():
    url_of = row_uuid_urls("jobs:detail")
    for key in (uuid.uuid4(), uuid.UUID(int=0), uuid.UUID(int=987654320123)):
        assert url_of(key) == reverse("jobs:detail", args=[key])
        assert url_of(str(key)) == reverse("jobs:detail", args=[key])


def test_a_row_url_of_a_uuid_key_takes_nothing_but_a_uuid():
    url_of = row_uuid_urls("jobs:detail")
    for key in ("../admin/", "5", ""):
        with pytest.raises(ValueError):
            url_of(key)
