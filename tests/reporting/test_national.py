"""The national platform export: the known rows in XLSX and JSON, nothing personal anywhere in the
files, the documented columns, the job that writes them and the page that starts it."""

import io
import json
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from knowledge.models import TypicalCase
from portal import jobs
from portal.models import Job
from reporting.national import write_json, write_xlsx
from reporting.national_registration import KIND
from reporting.periods import Period
from reporting.records import FIELD_KEYS, FIELDS, case_records, pseudonym
from tests.api.factories import at, make_record_case
from tests.factories import ApplicantFactory

pytestmark = pytest.mark.django_db

YEAR = Period.year(2025)
PERSON_ID = "140105198001011234"


@pytest.fixture
def world(db):
    company = ApplicantFactory(name="山西绝密机械有限公司")
    person = ApplicantFactory(category="individual", name="王五", credit_code=None)
    cases = [
        make_record_case(
            "AJ-2025-0001",
            opened="2025-03-03",
            first_contact="2025-03-05",
            applicant=company,
            countries=["US", "DE"],
            contact_email="secret.contact@example.cn",
            contact_phone="13999990000",
            contact_name="赵六",
        ),
        make_record_case(
            "AJ-2025-0002",
            opened="2025-07-01",
            status="closed",
            closed="2025-09-30",
            applicant=company,
            contact_email="secret.contact@example.cn",
            contact_phone="13999990000",
            contact_name="赵六",
        ),
        make_record_case(
            "AJ-2025-0003",
            opened="2025-08-08",
            applicant=person,
            applicant_category="individual",
            applicant_name="王五",
            credit_code="",
            id_type="resident_id",
            id_number=PERSON_ID,
            contact_email="wangwu@example.cn",
            contact_phone="13700001111",
            contact_name="王五",
        ),
        make_record_case("AJ-2024-0001", opened="2024-01-01", status="closed", closed="2024-06-30", applicant=company),
    ]
    typical = TypicalCase.objects.create(
        status="published",
        published_at=at("2025-05-05"),
        title="德国展会临时禁令应对",
        ip_type="patent",
        country="DE",
        forum="court",
        facts="案情",
        response="应对",
        outcome="结果",
        lessons="启示",
    )
    TypicalCase.objects.create(
        status="published",
        published_at=at("2024-05-05"),
        title="去年的案例",
        ip_type="patent",
        country="DE",
        forum="court",
        facts="案情",
        response="应对",
        outcome="结果",
        lessons="启示",
    )
    return {"company": company, "person": person, "cases": cases, "typical": typical}


def personal_values(world):
    company = world["company"]
    values = [company.name, company.credit_code, "secret.contact@example.cn", "13999990000", "赵六"]
    values += ["王五", PERSON_ID, "wangwu@example.cn", "13700001111"]
    for case in world["cases"]:
        values += [case.application.request, case.application.opponent_name, case.application.impact]
    return values


def test_records_are_the_cases_handled_in_the_period_with_a_stable_pseudonym(world):
    records = list(case_records(YEAR))
    assert [r["case_number"] for r in records] == ["AJ-2025-0001", "AJ-2025-0002", "AJ-2025-0003"]
    first, second, third = records
    assert first["applicant_pseudonym"] == second["applicant_pseudonym"] != third["applicant_pseudonym"]
    assert first["applicant_pseudonym"] == pseudonym(world["company"].credit_code)
    assert first["applicant_region"] == "14" and third["applicant_region"] == "14"
    assert third["applicant_category"] == "individual"
    assert first["countries"] == ["US", "DE"] and first["first_contact_on"] == "2025-03-05"
    assert second["closed_on"] == "2025-09-30" and second["status"] == "closed"
    assert set(first) == set(FIELD_KEYS)


def test_the_xlsx_has_the_known_rows_the_typical_cases_and_the_column_documentation(world):
    content = write_xlsx(YEAR)
    book = load_workbook(io.BytesIO(content), read_only=True)
    assert book.sheetnames == ["案件信息", "典型案例", "字段说明"]
    rows = list(book["案件信息"].iter_rows(values_only=True))
    assert list(rows[0]) == [str(label) for _key, label, _d in FIELDS]
    number = FIELD_KEYS.index("case_number")
    assert [row[number] for row in rows[1:]] == ["AJ-2025-0001", "AJ-2025-0002", "AJ-2025-0003"]
    assert rows[1][FIELD_KEYS.index("countries")] == "US|DE"
    typical = list(book["典型案例"].iter_rows(values_only=True))
    assert [row[1] for row in typical[1:]] == ["德国展会临时禁令应对"]
    documented = [row[1] for row in book["字段说明"].iter_rows(values_only=True) if row and row[0] == "案件信息"]
    assert documented == FIELD_KEYS

    text = "".join(
        zipfile.ZipFile(io.BytesIO(content)).read(name).decode()
        for name in zipfile.ZipFile(io.BytesIO(content)).namelist()
    )
    for value in personal_values(world):
        assert value not in text, value


def test_the_json_envelope_has_the_known_rows_and_nothing_personal(world):
    content = write_json(YEAR)
    body = json.loads(content)
    assert body["schema"] == "ipportal.national-export" and body["schema_version"] == 1
    assert body["period"] == {"kind": "year", "first": "2025-01-01", "last": "2025-12-31", "label": "2025年"}
    assert body["center"]["name"]
    assert [field["key"] for field in body["fields"]] == FIELD_KEYS
    assert [case["case_number"] for case in body["cases"]] == ["AJ-2025-0001", "AJ-2025-0002", "AJ-2025-0003"]
    assert body["cases"][0]["countries"] == ["US", "DE"]
    assert [case["title"] for case in body["typical_cases"]] == ["德国展会临时禁令应对"]
    text = content.decode()
    for value in personal_values(world):
        assert value not in text, value


def test_the_export_job_writes_the_file_with_progress(world, staff):
    job = Job.objects.create(kind=KIND, label="x", params={**YEAR.as_params(), "format": "json"}, created_by=staff)
    assert jobs.run(job.pk) == "succeeded"
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.total == 3 and job.done == 3
    assert job.result_name == "national-export-2025-01-01-2025-12-31.json"
    with job.result_file.open("rb") as handle:
        assert len(json.loads(handle.read())["cases"]) == 3


def test_an_export_job_with_a_bad_format_fails_saying_so(staff):
    job = Job.objects.create(kind=KIND, label="x", params={**YEAR.as_params(), "format": "pdf"}, created_by=staff)
    assert jobs.run(job.pk) == "failed"
    job.refresh_from_db()
    assert "pdf" in job.last_error


URL = "/statistics/national/"


def test_the_page_shows_the_period_and_its_typical_cases_to_the_center(client, staff, world):
    assert reverse("reporting:national") == URL
    client.force_login(staff)
    response = client.get(URL, {"period": "year", "year": "2025"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "德国展会临时禁令应对" in html and "去年的案例" not in html
    assert response.context["case_count"] == 3


def test_an_export_button_starts_the_job_and_opens_its_page(client, director, world):
    client.force_login(director)
    response = client.post(URL, {"period": "quarter", "year": "2025", "quarter": "3", "format": "xlsx"})
    job = Job.objects.get(kind=KIND)
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.params == {"period": "quarter", "year": "2025", "quarter": "3", "format": "xlsx"}
    assert job.created_by == director
    page = client.get(URL).content.decode()
    assert job.label in page


def test_a_bad_period_is_shown_at_its_field_with_the_values_kept(client, staff):
    client.force_login(staff)
    response = client.post(URL, {"period": "custom", "start": "2025-05-01", "end": "2025-04-01", "format": "json"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "结束日期不能早于开始日期" in html and 'value="2025-05-01"' in html and 'value="2025-04-01"' in html
    assert not Job.objects.exists()
    response = client.post(URL, {"period": "year", "year": "2025", "format": "pdf"})
    assert response.status_code == 400 and "XLSX" in response.content.decode()


def test_only_the_center_opens_the_page(client, applicant, agency_user):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for user in (applicant, agency_user):
        client.force_login(user)
        assert client.get(URL).status_code == 404
        assert client.post(URL, {"format": "json"}).status_code == 404


def test_no_case_is_read_one_query_at_a_time(world, django_assert_max_num_queries):
    for n in range(20):
        make_record_case(f"AJ-2025-1{n:03d}", opened="2025-10-01")
    with django_assert_max_num_queries(4):
        assert len(list(case_records(YEAR))) == 23
