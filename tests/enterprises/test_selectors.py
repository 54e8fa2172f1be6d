"""What the enterprise's page lists, and that a workstation sees there only what its scope allows."""

import pytest

from consultations.models import Consultation
from enterprises.selectors import (
    enterprise_applications,
    enterprise_consultations,
    enterprise_registrations,
)
from knowledge.models import Registration
from tests.factories import ApplicantFactory, ApplicationFactory, UserFactory
from tests.knowledge.conftest import EventFactory

pytestmark = pytest.mark.django_db


def consultation(enterprise, staff, point, question):
    return Consultation.objects.create(
        channel=Consultation.Channel.HOTLINE,
        person_name="张敏",
        organisation_name=enterprise.name,
        credit_code=enterprise.credit_code,
        question=question,
        handled_by=staff,
        service_point=point,
    )


def test_a_workstation_sees_on_the_page_only_the_consultations_and_applications_of_its_scope(
    enterprise, staff, district_user, park_point, other_point
):
    ours = consultation(enterprise, staff, park_point, "园区工作站接待的咨询")
    theirs = consultation(enterprise, staff, other_point, "禹州工作站接待的咨询")
    at_center = consultation(enterprise, staff, None, "中心热线接待的咨询")
    assert set(enterprise_consultations(enterprise, user=staff)) == {ours, theirs, at_center}
    assert list(enterprise_consultations(enterprise, user=district_user)) == [ours]

    applicant = ApplicantFactory(credit_code=enterprise.credit_code, service_point=other_point)
    elsewhere = ApplicationFactory(applicant=applicant, service_point=other_point)
    assert list(enterprise_applications(enterprise, user=staff)) == [elsewhere]
    assert not enterprise_applications(enterprise, user=district_user).exists()


def test_training_is_found_by_name_by_the_applicants_account_or_by_an_officers_address(enterprise):
    applicant = ApplicantFactory(credit_code=enterprise.credit_code)
    enterprise.applicant = applicant
    enterprise.save()
    account = UserFactory(applicant=applicant)
    officer = enterprise.liaison_officers.get()

    def register(title, **fields):
        values = {"contact_name": "某", "email": f"{title}@example.cn", "phone": "1", "organisation": "写法不同的名称"}
        values.update(fields)
        return Registration.objects.create(event=EventFactory(title=title), **values)

    by_name = register("按名称", organisation=enterprise.name)
    by_account = register("按账号", user=account)
    by_officer = register("按联络员邮箱", email=officer.email)
    register("别人的报名")
    cancelled = register("已取消", organisation=enterprise.name)
    Registration.objects.filter(pk=cancelled.pk).update(status=Registration.Status.CANCELLED)
    assert set(enterprise_registrations(enterprise)) == {by_name, by_account, by_officer}
