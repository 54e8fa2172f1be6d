"""A workstation's staff see the applicants and applications of their workstation and those under it,
in the admin too: another workstation's ids are a 404. The admin's entry page, first check, and the
list's foreign deadline."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.choices import ApplicantCategory, Channel, EvidenceCategory, IdType
from applications.models import Applicant, Application
from applications.permissions import (
    can_decide,
    can_enter_application,
    can_first_check,
    visible_applicants,
    visible_applications,
    visible_attachments,
)
from tests.applications.factories import AttachmentFactory, upload
from tests.applications.test_entry import ANSWERS
from tests.applications.workstations import *  # noqa: F403 (the workstation fixtures)
from tests.factories import ApplicantFactory, ApplicationFactory, make_credit_code, submitted

pytestmark = pytest.mark.django_db
S = Application.Status
CHANGELIST = "admin:applications_application_changelist"


@pytest.fixture
def spread(city, park, other_city):
    """One application through each workstation, one helped by the park (applicant only), one of the center."""
    return {
        "city": ApplicationFactory(service_point=city, applicant_name="城市站企业"),
        "park_applicant": ApplicationFactory(
            applicant=ApplicantFactory(service_point=park), applicant_name="园区站企业"
        ),
        "other": ApplicationFactory(service_point=other_city, applicant_name="大同站企业"),
        "center": ApplicationFactory(applicant_name="中心直接企业"),
    }


def test_a_city_workstation_sees_its_own_and_the_parks_below_it(spread, city_user):
    seen = set(visible_applications(city_user))
    assert seen == {spread["city"], spread["park_applicant"]}
    applicants = set(visible_applicants(city_user))
    assert applicants == {spread["city"].applicant, spread["park_applicant"].applicant}


def test_a_park_does_not_see_its_parent_city(spread, park_user):
    assert set(visible_applications(park_user)) == {spread["park_applicant"]}


def test_workstations_enter_and_check_but_do_not_decide(spread, city_user, staff):
    assert can_enter_application(city_user) and can_enter_application(staff)
    assert can_enter_application(city_user, spread["city"].applicant)
    assert not can_enter_application(city_user, spread["other"].applicant)
    assert not can_decide(city_user, spread["city"])
    assert not can_first_check(city_user, spread["city"])  # an online draft is no entry of the workstation


def test_attachments_follow_the_scope(spread, city_user):
    mine = AttachmentFactory(application=spread["city"])
    theirs = AttachmentFactory(application=spread["other"])
    assert set(visible_attachments(city_user)) == {mine}
    assert theirs not in visible_attachments(city_user)


def test_the_admin_list_shows_only_the_scope(client, spread, city_user):
    for application in spread.values():
        submitted(application)
    client.force_login(city_user)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "城市站企业" in page and "园区站企业" in page
    assert "大同站企业" not in page and "中心直接企业" not in page
    assert "accept_selected" not in page  # decisions stay with the center
    assert reverse("admin:applications_application_enter") in page


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:applications_application_change",
        "admin:applications_application_history",
        "admin:applications_application_first_check",
    ],
)
def test_another_workstations_application_is_a_404_in_the_admin(client, spread, city_user, url_name):
    client.force_login(city_user)
    assert client.get(reverse(url_name, args=[spread["other"].pk])).status_code == 404
    assert client.get(reverse(url_name, args=[999999])).status_code == 404


def test_the_entry_page_answers_a_wrong_applicant_id_with_404(client, spread, city_user):
    client.force_login(city_user)
    url = reverse("admin:applications_application_enter")
    for raw in [str(spread["other"].applicant.pk), "9" * 30, "abc"]:
        assert client.get(url, {"applicant": raw}).status_code == 404
    assert client.get(url, {"applicant": str(spread["city"].applicant.pk)}).status_code == 200


@pytest.mark.parametrize("url_name", ["admin:applications_applicant_change", "admin:applications_applicant_history"])
def test_another_workstations_applicant_is_a_404_in_the_admin(client, spread, city_user, url_name):
    client.force_login(city_user)
    assert client.get(reverse(url_name, args=[spread["other"].applicant.pk])).status_code == 404
    assert client.get(reverse(url_name, args=[spread["city"].applicant.pk])).status_code == 200


def test_another_workstations_evidence_is_a_404(client, spread, city_user):
    theirs = AttachmentFactory(application=spread["other"])
    mine = AttachmentFactory(application=spread["city"])
    client.force_login(city_user)
    url = reverse("applications:attachment_download", args=[spread["other"].pk, theirs.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("applications:attachment_download", args=[spread["city"].pk, mine.pk])).status_code == 200


def test_the_decision_page_is_not_for_workstations(client, spread, city_user):
    application = submitted(spread["city"])
    client.force_login(city_user)
    url = reverse("admin:applications_application_decide", args=["accept"]) + f"?ids={application.pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, {"ids": str(application.pk), "reason": ""}).status_code == 404
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_the_applicant_list_masks_id_numbers(client, city, city_user, staff):
    ApplicantFactory(
        name="李四",
        category=ApplicantCategory.INDIVIDUAL,
        credit_code=None,
        id_type=IdType.RESIDENT_ID,
        id_number="11010519491231002X",
        service_point=city,
    )
    for user in (city_user, staff):
        client.force_login(user)
        page = client.get(reverse("admin:applications_applicant_changelist")).content.decode()
        assert "110***********002X" in page and "11010519491231002X" not in page
        found = client.get(reverse("admin:applications_applicant_changelist"), {"q": "11010519491231002x"})
        assert "李四" in found.content.decode()
    person = Applicant.objects.get(name="李四")
    application = ApplicationFactory(
        applicant=person,
        applicant_category=ApplicantCategory.INDIVIDUAL,
        credit_code="",
        id_type=IdType.RESIDENT_ID,
        id_number=person.id_number,
    )
    for url in (
        reverse("admin:applications_applicant_change", args=[person.pk]),
        reverse("admin:applications_application_change", args=[application.pk]),
    ):
        page = client.get(url).content.decode()
        assert "110***********002X" in page and "11010519491231002X" not in page


def entry_post(**extra):
    data = {
        "new": "1",
        "channel": Channel.PAPER,
        "paper_form": upload("申请书扫描件.pdf"),
        "standing_files": upload("营业执照.pdf"),
        "other_category": EvidenceCategory.IP_RIGHTS,
        "applicant_category": ANSWERS["applicant_category"],
        "applicant_name": ANSWERS["applicant_name"],
        "credit_code": ANSWERS["credit_code"],
        "contact_name": ANSWERS["contact_name"],
        "contact_email": ANSWERS["contact_email"],
        "contact_phone": ANSWERS["contact_phone"],
        "contact_address": ANSWERS["contact_address"],
        "dispute_types": ["infringement"],
        "right_types": ["invention"],
        "countries": ["US"],
        "opponent_types": ["competitor"],
        "technical_fields": ["mechanical"],
        "request": ANSWERS["request"],
        "impact": ANSWERS["impact"],
        "level": "ordinary",
        "foreign_deadline": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
        "foreign_deadline_what": "337 调查答辩",
    }
    return data | extra


def test_a_workstation_enters_a_paper_form_in_the_admin_and_forwards_it(client, city, city_user):
    client.force_login(city_user)
    url = reverse("admin:applications_application_enter")
    assert "登记新申请人" in client.get(url).content.decode()
    assert "二、纠纷基本情况" in client.get(url, {"new": "1"}).content.decode()
    response = client.post(url, entry_post())
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.status == S.DRAFT and application.service_point == city
    assert application.attachments.filter(category=EvidenceCategory.PAPER_FORM).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert 'id="first-check"' in page and "纸质申请书" in page
    assert "申请书扫描件.pdf" in page and "营业执照.pdf" in page  # the evidence, readable by the workstation
    check = reverse("admin:applications_application_first_check", args=[application.pk])
    response = client.post(check, {"complete": "on", "note": "", "more_category": "standing"})
    assert response.status_code == 200 and "初审未通过时必填" in response.content.decode()
    response = client.post(
        check, {"complete": "on", "standing_verified": "on", "note": "已核对原件", "more_category": "standing"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.SUBMITTED and application.first_checked_by == city_user


def test_a_duplicate_organisation_is_named_at_the_field_and_nothing_typed_is_lost(client, staff):
    ApplicantFactory(name="早已登记的公司", credit_code=ANSWERS["credit_code"])
    client.force_login(staff)
    response = client.post(reverse("admin:applications_application_enter"), entry_post())
    assert response.status_code == 200
    assert "早已登记的公司" in str(response.context["answers_form"].errors["credit_code"])
    content = response.content.decode()
    assert ANSWERS["request"] in content and ANSWERS["contact_name"] in content
    assert "文件需重新选择" in content
    assert Application.objects.count() == 0 and Applicant.objects.count() == 1


def test_center_staff_enter_for_an_existing_applicant_found_by_credit_code(client, staff):
    existing = ApplicantFactory(name="检索到的公司", credit_code=make_credit_code(777))
    client.force_login(staff)
    url = reverse("admin:applications_application_enter")
    found = client.get(url, {"q": existing.credit_code}).content.decode()
    assert "检索到的公司" in found and f"?applicant={existing.pk}" in found
    data = entry_post(applicant=str(existing.pk), applicant_name="检索到的公司", credit_code=existing.credit_code)
    del data["new"]
    response = client.post(url, data)
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.applicant == existing and application.status == S.SUBMITTED
    assert application.entered_by == staff


def test_the_list_badges_and_filters_the_foreign_deadline(client, staff):
    today = timezone.localdate()
    near = submitted(ApplicationFactory(foreign_deadline=today + datetime.timedelta(days=2), urgent=True))
    far = submitted(ApplicationFactory(foreign_deadline=today + datetime.timedelta(days=90)))
    passed = submitted(ApplicationFactory(foreign_deadline=today - datetime.timedelta(days=1)))
    client.force_login(staff)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "foreign-deadline-alert" in page and "foreign-deadline-passed" in page and "badge-urgent" in page
    filtered = client.get(reverse(CHANGELIST), {"foreign_deadline": "alert"}).content.decode()
    assert near.number in filtered and far.number not in filtered and passed.number not in filtered
    ordered = client.get(reverse(CHANGELIST), {"o": "6"}).content.decode()  # the 境外期限 column, ascending
    assert ordered.index(passed.number) < ordered.index(near.number) < ordered.index(far.number)


def test_invitations_are_listed_and_resent_in_the_scope(client, city, city_user, other_city_user):
    applicant = ApplicantFactory(service_point=city)
    invitation = services.invitation_send(applicant=applicant, email="a@b.cn", full_name="甲", by=city_user)
    client.force_login(other_city_user)
    assert client.get(reverse("admin:applications_invitation_change", args=[invitation.pk])).status_code == 404
    client.force_login(city_user)
    response = client.post(
        reverse("admin:applications_invitation_changelist"), {"action": "resend", "_selected_action": [invitation.pk]}
    )
    assert response.status_code == 302
    assert applicant.invitations.count() == 2


def test_staff_invite_a_person_from_the_applicants_page(client, city, city_user, other_city_user):
    applicant = ApplicantFactory(service_point=city)
    application = ApplicationFactory(applicant=applicant)
    url = reverse("admin:applications_applicant_invite", args=[applicant.pk])
    client.force_login(other_city_user)
    assert client.get(url).status_code == 404
    client.force_login(city_user)
    change = client.get(reverse("admin:applications_applicant_change", args=[applicant.pk])).content.decode()
    assert url in change
    response = client.post(url, {"full_name": "乙", "email": "not-an-address", "application": application.pk})
    assert response.status_code == 200 and 'value="乙"' in response.content.decode()
    response = client.post(url, {"full_name": "乙", "email": "yi@b.cn", "application": application.pk})
    assert response.status_code == 302
    invitation = applicant.invitations.get()
    assert invitation.application == application and invitation.sent_by == city_user


def test_a_workstation_corrects_the_answers_of_its_draft_before_the_check(client, city_user, other_city_user):
    client.force_login(city_user)
    client.post(reverse("admin:applications_application_enter"), entry_post(impact=""))
    application = Application.objects.get()
    url = reverse("admin:applications_application_answers", args=[application.pk])
    assert url in client.get(reverse("admin:applications_application_change", args=[application.pk])).content.decode()
    page = client.get(url).content.decode()
    assert ANSWERS["request"] in page
    data = {key: value for key, value in entry_post(impact="影响出口约 300 万元。").items() if "files" not in key}
    data.pop("paper_form")
    data["revision"] = str(application.revision)
    data["contact_phone"] = "12"  # malformed: kept out, the rest saved
    response = client.post(url, data)
    assert response.status_code == 200 and "contact_phone" in response.context["answers_form"].errors
    application.refresh_from_db()
    assert application.impact == "影响出口约 300 万元。" and application.contact_phone == ANSWERS["contact_phone"]
    client.force_login(other_city_user)
    assert client.get(url).status_code == 404
