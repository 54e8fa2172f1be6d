"""The public directory of workstations: the active ones by region and level, with address, hotline
and hours; linked from the directory of service institutions and the home page."""

import re

import pytest
from django.urls import reverse

from portal.models import ServicePoint

pytestmark = pytest.mark.django_db
URL = "/knowledge/service-points/"


@pytest.fixture
def network(db):
    city = ServicePoint.objects.create(
        name="许昌市工作站",
        level="city",
        region="许昌市",
        address="许昌市魏都区八一东路市民之家",
        hotline="0374-2961234",
        office_hours="工作日 8:30–17:30",
    )
    jianan = ServicePoint.objects.create(
        name="建安区工作站",
        level="district",
        parent=city,
        region="建安区",
        address="许由路 168 号",
        hotline="0374-8123578",
    )
    park = ServicePoint.objects.create(
        name="中原电气谷工作站", level="park", parent=jianan, region="建安区", address="尚德路科创中心"
    )
    closed = ServicePoint.objects.create(
        name="已撤销的工作站", level="district", parent=city, region="禹州市", address="旧址", active=False
    )
    return {"city": city, "jianan": jianan, "park": park, "closed": closed}


def _sections(page):
    """[(region, [names])] in page order."""
    result = []
    for block in re.findall(r'data-testid="service-point-region".*?</section>', page, re.S):
        region = re.search(r"<h2[^>]*>(.*?)</h2>", block).group(1)
        names = re.findall(r"<h3[^>]*>(.*?)</h3>", block)
        result.append((region, names))
    return result


def test_the_url_name():
    assert reverse("knowledge:service_points") == URL


def test_a_visitor_sees_the_active_workstations_by_region_and_level(client, network, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert _sections(page) == [("许昌市", ["许昌市工作站"]), ("建安区", ["建安区工作站", "中原电气谷工作站"])]
    assert "已撤销的工作站" not in page
    for text in (
        "许昌市魏都区八一东路市民之家",
        "0374-2961234",
        "工作日 8:30–17:30",
        "县（区）级工作站",
        "园区工作站",
        "隶属 建安区工作站",
    ):
        assert text in page
    assert 'href="tel:0374-8123578"' in page
    assert "地图" not in page  # an address list, no map


def test_an_empty_network_says_so(client, db):
    page = client.get(URL).content.decode()
    assert 'data-testid="service-points-empty"' in page


def test_the_page_answers_304_until_a_workstation_changes(client, network):
    first = client.get(URL)
    etag = first.headers["ETag"]
    assert client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 304
    ServicePoint.objects.filter(pk=network["park"].pk).update(hotline="0374-8168899")
    again = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and "0374-8168899" in again.content.decode()
    assert "private" in again.headers["Cache-Control"]


def test_only_reading_is_allowed(client, network):
    assert client.post(URL).status_code == 405


def test_the_directory_of_institutions_and_the_home_page_link_to_it(client, network):
    institutions = client.get(reverse("knowledge:institutions")).content.decode()
    assert f'href="{URL}"' in institutions
    home = client.get("/").content.decode()
    assert re.search(rf'href="{URL}" data-testid="home-service-points"', home)
