"""Each endpoint: what it answers, and a clear 400/404 with a JSON body for bad input."""

import types

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from api import views
from cases.models import Case
from consultations.models import Consultation
from documents.models import Document
from knowledge.models import Law, TypicalCase
from reporting import selectors
from tests.api.coverage import covers
from tests.api.factories import bearer, issue_token, make_record_case

pytestmark = pytest.mark.django_db

YEAR_2025 = "period=year&year=2025"


@pytest.fixture
def cases(db):
    return [
        make_record_case(
            "AJ-2025-0001",
            opened="2025-03-03",
            first_contact="2025-03-05",
            countries=["US", "DE"],
            level="major",
        ),
        make_record_case("AJ-2025-0002", opened="2025-07-01", countries=["JP"], status="closed", closed="2025-09-30"),
        # Ended before 2025: not handled in 2025.
        make_record_case("AJ-2024-0009", opened="2024-02-01", status="closed", closed="2024-12-30"),
        # Opened in 2024, still open: handled in 2025.
        make_record_case("AJ-2024-0010", opened="2024-11-20", countries=["US"]),
    ]


@covers("cases_list")
def test_case_records_are_those_handled_in_the_period_anonymised(api, cases):
    key, _token = issue_token("cases:read")
    response = api.get(f"/api/v1/cases/?{YEAR_2025}", **bearer(key))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [row["case_number"] for row in body["results"]] == ["AJ-2024-0010", "AJ-2025-0001", "AJ-2025-0002"]
    first = body["results"][1]
    assert first["countries"] == ["US", "DE"] and first["level"] == "major"
    assert first["accepted_on"] == "2025-03-03" and first["first_contact_on"] == "2025-03-05"
    assert first["applicant_region"] == "14" and first["applicant_region_name"] == "山西省"
    assert len(first["applicant_pseudonym"]) == 16
    text = response.content.decode()
    for case in cases:
        application = case.application
        for personal in (application.applicant_name, application.credit_code, application.contact_email):
            assert personal not in text
    assert body["results"][2]["closed_on"] == "2025-09-30" and body["results"][2]["status"] == "closed"


@covers("cases_list")
def test_case_records_filter_order_and_paginate(api, cases):
    key, _token = issue_token("cases:read")

    def numbers(query):
        response = api.get(f"/api/v1/cases/?{YEAR_2025}&{query}", **bearer(key))
        assert response.status_code == 200, response.content
        return [row["case_number"] for row in response.json()["results"]]

    assert numbers("country=us") == ["AJ-2024-0010", "AJ-2025-0001"]
    assert numbers("level=major") == ["AJ-2025-0001"]
    assert numbers("applicant_category=enterprise&ordering=-case_number") == [
        "AJ-2025-0002",
        "AJ-2025-0001",
        "AJ-2024-0010",
    ]
    assert numbers("ordering=-accepted_on&page_size=1&page=2") == ["AJ-2025-0001"]
    page = api.get(f"/api/v1/cases/?{YEAR_2025}&page_size=2", **bearer(key)).json()
    assert page["count"] == 3 and page["next"] and page["previous"] is None


@covers("cases_list")
@pytest.mark.parametrize(
    "query, field",
    [
        ("period=custom&start=2025-05-01&end=2025-04-01", "end"),
        ("period=decade", "period"),
        ("period=year&year=abc", "year"),
        ("page_size=501", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=x", "page_size"),
        ("country=XX", "country"),
        ("level=huge", "level"),
        ("ordering=applicant_name", "ordering"),
        ("colour=red", "colour"),
        ("service_point=999999", "service_point"),
    ],
)
def test_bad_case_queries_are_400_naming_the_parameter(api, query, field):
    key, _token = issue_token("cases:read")
    response = api.get(f"/api/v1/cases/?{query}", **bearer(key))
    assert response.status_code == 400
    assert field in response.json()
    assert response.json()[field][0]


@covers("cases_list")
def test_a_page_beyond_the_list_is_a_json_404(api, cases):
    key, _token = issue_token("cases:read")
    response = api.get(f"/api/v1/cases/?{YEAR_2025}&page=99", **bearer(key))
    assert response.status_code == 404 and "detail" in response.json()


@pytest.fixture
def fake_figures(monkeypatch):
    calls = []

    def figures(period, *, service_point_ids=None, today=None):
        calls.append((period, service_point_ids))
        return {
            "period": {"kind": period.kind, "first": period.first.isoformat(), "last": period.last.isoformat()},
            "service_point_ids": service_point_ids,
            "cases": {"opened": 2},
            "dimensions": {"country": [{"key": "US", "label": "美国", "count": 2}], "level": []},
        }

    module = types.SimpleNamespace(DIMENSIONS={"country": "国家/地区", "level": "级别"}, figures=figures)
    monkeypatch.setattr(views, "_figures_module", lambda: module)
    return calls


@covers("statistics_read")
def test_statistics_are_the_figures_of_the_period(api, fake_figures):
    key, _token = issue_token("statistics:read")
    response = api.get("/api/v1/statistics/?period=quarter&year=2025&quarter=3", **bearer(key))
    assert response.status_code == 200
    assert response.json()["period"] == {"kind": "quarter", "first": "2025-07-01", "last": "2025-09-30"}
    assert response.json()["cases"] == {"opened": 2}
    only = api.get("/api/v1/statistics/?period=year&year=2025&dimension=country", **bearer(key)).json()
    assert only["dimensions"] == {"country": [{"key": "US", "label": "美国", "count": 2}]}


@covers("statistics_read")
@pytest.mark.parametrize(
    "query, field",
    [
        ("period=custom&start=2025-05-01&end=2025-04-01", "end"),
        ("period=custom&start=2025-05-01", "end"),
        ("period=month&month=13", "month"),
        ("dimension=colour", "dimension"),
        ("service_point=abc", "service_point"),
        ("foo=1", "foo"),
    ],
)
def test_bad_statistics_queries_are_400(api, fake_figures, query, field):
    key, _token = issue_token("statistics:read")
    response = api.get(f"/api/v1/statistics/?{query}", **bearer(key))
    assert response.status_code == 400
    assert field in response.json()
    assert not fake_figures


@covers("statistics_read")
def test_statistics_read_the_real_figures_when_they_exist(api):
    key, _token = issue_token("statistics:read")
    response = api.get("/api/v1/statistics/?period=year&year=2025", **bearer(key))
    assert response.status_code == 200
    assert set(response.json()["dimensions"]) == set(selectors.DIMENSIONS)


@pytest.fixture
def knowledge(db):
    now = timezone.now()
    case = TypicalCase.objects.create(
        status="published",
        published_at=now,
        title="美国 337 调查应诉成功案例",
        ip_type="patent",
        country="US",
        forum="itc_337",
        facts="案情",
        response="应对",
        outcome="结果",
        lessons="启示",
    )
    law = Law.objects.create(
        status="published",
        published_at=now - timezone.timedelta(days=1),
        country="DE",
        ip_type="patent",
        doc_type=Law.DocType.values[0],
        title_zh="德国专利法",
    )
    draft = TypicalCase.objects.create(
        status="draft",
        title="未发布的案例",
        ip_type="patent",
        country="US",
        forum="itc_337",
        facts="案情",
        response="应对",
        outcome="结果",
        lessons="启示",
    )
    return case, law, draft


@covers("knowledge_list")
def test_knowledge_lists_only_published_items_filtered_by_type_and_country(api, knowledge):
    case, law, _draft = knowledge
    key, _token = issue_token("knowledge:read")

    def items(query=""):
        response = api.get(f"/api/v1/knowledge/?{query}", **bearer(key))
        assert response.status_code == 200, response.content
        return [(row["type"], row["id"], row["title"]) for row in response.json()["results"]]

    assert items() == [("case", case.pk, case.title), ("law", law.pk, "德国专利法")]
    assert items("type=law") == [("law", law.pk, "德国专利法")]
    assert items("country=us") == [("case", case.pk, case.title)]
    assert items("type=warning") == []
    for query, field in [("type=novel", "type"), ("country=Mars", "country"), ("page_size=1000", "page_size")]:
        response = api.get(f"/api/v1/knowledge/?{query}", **bearer(key))
        assert response.status_code == 400 and field in response.json()


@covers("knowledge_detail")
def test_knowledge_detail_of_a_published_item_and_404_otherwise(api, knowledge):
    case, law, draft = knowledge
    key, _token = issue_token("knowledge:read")
    body = api.get(f"/api/v1/knowledge/case/{case.pk}/", **bearer(key)).json()
    assert body["title"] == case.title and body["content"]["facts"] == "案情"
    assert "consent_token" not in body["content"] and "status" not in body["content"]
    assert api.get(f"/api/v1/knowledge/law/{law.pk}/", **bearer(key)).json()["country"] == "DE"
    for url in [f"/api/v1/knowledge/case/{draft.pk}/", f"/api/v1/knowledge/law/{case.pk + law.pk + 99}/"]:
        response = api.get(url, **bearer(key))
        assert response.status_code == 404 and "detail" in response.json()
    assert api.get(f"/api/v1/knowledge/novel/{case.pk}/", **bearer(key)).status_code == 404


@covers("consultations_create")
def test_a_consultation_is_logged_by_the_clients_account(api, staff):
    key, _token = issue_token("consultations:write", acts_as=staff)
    response = api.post(
        "/api/v1/consultations/",
        {
            "person_name": "李四",
            "phone": "13800000000",
            "organisation_name": "太原某机械有限公司",
            "countries": ["US"],
            "question": "收到美国律师函，如何应对？",
        },
        format="json",
        **bearer(key),
    )
    assert response.status_code == 201, response.content
    consultation = Consultation.objects.get(pk=response.json()["id"])
    assert consultation.number == response.json()["number"]
    assert consultation.handled_by == staff and consultation.channel == Consultation.Channel.OTHER
    assert consultation.countries == ["US"] and consultation.status == "open"


@covers("consultations_create")
def test_bad_consultations_are_400_and_a_client_without_an_account_403(api, staff):
    key, _token = issue_token("consultations:write", acts_as=staff)
    response = api.post("/api/v1/consultations/", {"countries": ["XX"]}, format="json", **bearer(key))
    assert response.status_code == 400
    assert {"person_name", "question", "countries"} <= set(response.json())
    response = api.post(
        "/api/v1/consultations/",
        {"person_name": "李四", "question": "?", "credit_code": "123"},
        format="json",
        **bearer(key),
    )
    assert response.status_code == 400 and "credit_code" in response.json()
    response = api.post("/api/v1/consultations/", "not json", content_type="application/json", **bearer(key))
    assert response.status_code == 400 and "detail" in response.json()
    key, _token = issue_token("consultations:write")
    response = api.post(
        "/api/v1/consultations/", {"person_name": "李四", "question": "?"}, format="json", **bearer(key)
    )
    assert response.status_code == 403 and "接待人" in response.json()["detail"]
    assert not Consultation.objects.exists()


@covers("documents_verify")
def test_document_verification_gives_the_public_facts(api, staff, cases):
    document = Document.objects.create(
        kind=Document.Kind.values[0],
        title="指导意见书",
        template="pdf/x.html",
        number="晋知指〔2025〕7号",
        status=Document.Status.READY,
        issued_on=timezone.localdate(),
        subject_type=ContentType.objects.get_for_model(Case),
        subject_id=cases[0].pk,
        context={"secret": "申请人的秘密"},
    )
    key, _token = issue_token("documents:verify")
    code = document.verification_code
    spaced = f"{code[:4]}-{code[4:]}".lower()
    response = api.get(f"/api/v1/documents/verify/{spaced}/", **bearer(key))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == "晋知指〔2025〕7号" and body["code"] == code
    assert body["superseded_by"] is None and body["verification_url"].endswith(document.verify_path)
    assert "申请人的秘密" not in response.content.decode()
    response = api.get("/api/v1/documents/verify/NOPE0000/", **bearer(key))
    assert response.status_code == 404 and "detail" in response.json()


def test_an_address_outside_the_api_is_a_json_404_and_a_page_404_elsewhere(client):
    response = client.get("/api/v1/knowledge/law/not-a-number/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "/api/v1/docs/" in response.json()["detail"]
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
