"""A list filter's choices read from the table are kept a minute per scope of user and language,
as text: a lazy label (a country's name) took a tenth of a millisecond each to read back from the
cache, and a label kept for a Chinese page must not reach an English one."""

import pickle

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.admin_lists import Choices
from portal.cache import cache_delete
from tests.factories import PartnerAgencyFactory
from tests.knowledge.conftest import LawFactory

LAWS = "/admin/knowledge/law/"
# The staff's scope (portal.admin_lists._scope_key): not a superuser, no service point or agency, staff.
COUNTRIES = "admin-choices:knowledge.Law:knowledge.admin.publications.PresentChoicesFilter:country:0:None:None:1:{}"
AGENCIES = "admin-choices:knowledge.Law:related-only:agency:0:None:None:1:{}"


def _filter_panel(response):
    return response.content.decode().split('id="changelist-filter"')[1].split("</nav>")[0]


def test_a_country_filter_keeps_its_labels_as_text_per_language(client, staff):
    LawFactory(country="DE", title_zh="德国专利法")
    client.force_login(staff)

    chinese = _filter_panel(client.get(LAWS))
    english = _filter_panel(client.get(LAWS, headers={"accept-language": "en"}))

    assert "德国" in chinese and "Germany" not in chinese
    assert "Germany" in english and "德国" not in english
    kept = cache.get(COUNTRIES.format("zh-hans")).value
    assert isinstance(kept, Choices) and kept == [("DE", "德国")] and type(kept[0][1]) is str
    assert b"_lazy_proxy_unpickle" not in pickle.dumps(kept)
    assert cache.get(COUNTRIES.format("en")).value == [("DE", "Germany")]


def test_the_filter_panel_follows_the_kept_choices(client, staff, made_each_time):
    # The panel is kept under a digest of the choices: new choices a minute later, a new panel.
    LawFactory(country="DE", title_zh="德国专利法")
    client.force_login(staff)
    assert "德国" in _filter_panel(client.get(LAWS))

    LawFactory(country="FR", title_zh="法国知识产权法典")
    assert "法国" not in _filter_panel(client.get(LAWS)), "the choices are kept a minute"
    cache_delete(COUNTRIES.format("zh-hans"))  # as a minute later
    panel = _filter_panel(client.get(LAWS))
    assert "法国" in panel and "德国" in panel


def test_a_page_reads_at_most_one_filters_choices_afresh(client, staff, made_each_time):
    """The laws' countries and agencies are read together, so they run out together: the first page
    after that reads one list afresh and shows the other as it was; the next page reads the other."""
    first, second = PartnerAgencyFactory(name="甲局"), PartnerAgencyFactory(name="乙局")
    LawFactory(country="DE", title_zh="德国专利法", agency=first)
    client.force_login(staff)
    client.get(LAWS)
    with CaptureQueriesContext(connection) as warm:
        client.get(LAWS)

    LawFactory(country="FR", title_zh="法国知识产权法典", agency=second)
    for key in (COUNTRIES, AGENCIES):
        cache_delete(key.format("zh-hans"))  # as a minute later: both run out
    pages = []
    for _page in range(3):
        with CaptureQueriesContext(connection) as read:
            panel = _filter_panel(client.get(LAWS))
        pages.append((len(read) - len(warm), "法国" in panel, "乙局" in panel))

    assert pages[0] in ((1, True, False), (1, False, True))  # one list afresh, the other as it was
    assert pages[1] == (1, True, True)
    assert pages[2] == (0, True, True)
