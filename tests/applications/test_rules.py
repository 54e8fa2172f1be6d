"""The rules of applications that must not drift: a status changes only through its declared
transitions, every service checks who acts, every change is in the audit log, the applicant reads
only what is meant for it, and the user's organisation is asked in one place."""

import pytest
from django.urls import reverse

from applications import services
from applications.audit_labels import LABELS
from applications.models import ApplicantAccount, Application, MembershipRequest
from applications.selectors import applicant_of, timeline
from cases.models import Case
from documents.models import Document
from portal.access import Forbidden
from portal.audit import entries_for, log_action
from portal.models import LogEntry
from portal.transitions import DirectStatusWrite, TransitionNotAllowed
from tests.applications.factories import complete_draft
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = Application.Status


def test_a_direct_status_write_fails(applicant):
    application = complete_draft(applicant)
    with pytest.raises(DirectStatusWrite):
        application.status = S.ACCEPTED
    request = MembershipRequest.objects.create(applicant=applicant_of(applicant), user=UserFactory())
    with pytest.raises(DirectStatusWrite):
        request.status = MembershipRequest.Status.APPROVED
    application.refresh_from_db()
    assert application.status == S.DRAFT


def test_a_decision_from_the_wrong_state_names_the_state_the_application_is_in(applicant, staff):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    services.application_accept(application=application, by=staff)
    with pytest.raises(TransitionNotAllowed, match="当前状态为“已受理”"):
        services.application_return(application=application, by=staff, reason="补充材料")


def test_an_applicant_cannot_decide_and_another_organisation_cannot_touch_a_draft(applicant, other_applicant, staff):
    draft = complete_draft(applicant)
    for service, argument in [
        (services.application_save_draft, {"data": {"request": "改写"}}),
        (services.application_submit, {}),
        (services.application_withdraw, {}),
    ]:
        with pytest.raises(Forbidden, match="只有本单位的申请人账号"):
            service(application=draft, by=other_applicant, **argument)
    with pytest.raises(Forbidden, match="只有本单位的申请人账号"):
        services.application_save_draft(application=draft, data={"request": "改写"}, by=staff)
    with pytest.raises(Forbidden, match="只能为本单位填写申请"):
        services.application_create(applicant=applicant_of(applicant), by=other_applicant)
    submitted = services.application_submit(application=draft, by=applicant)
    with pytest.raises(Forbidden, match="只有指导中心工作人员"):
        services.application_accept(application=submitted, by=applicant)
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    assert not Case.objects.exists()


def test_a_forbidden_action_on_a_visible_application_is_a_403_with_its_reason(client, applicant, staff):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    client.force_login(staff)  # staff see every application but do not withdraw one for the applicant
    response = client.post(reverse("applications:withdraw", args=[application.pk]))
    assert response.status_code == 403
    assert "只有本单位的申请人账号可以修改这份申请" in response.content.decode()
    response = client.post(reverse("applications:feedback_create", args=[application.pk]), {"satisfaction": 5})
    assert response.status_code == 403
    assert "只有本单位的申请人账号可以评价" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_another_organisation_gets_404_not_403(client, applicant, other_applicant):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    client.force_login(other_applicant)
    assert client.post(reverse("applications:withdraw", args=[application.pk])).status_code == 404
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 404


def test_accepting_opens_the_case_through_the_signal_and_the_notice_names_it(applicant, staff):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    services.application_accept(application=application, by=staff, note="材料齐全")
    case = Case.objects.get(application=application)
    entry = entries_for(application).get(action_type="applications.application.accepted")
    assert (entry.actor, entry.from_status, entry.to_status, entry.public_note) == (
        staff,
        S.SUBMITTED,
        S.ACCEPTED,
        "材料齐全",
    )
    notice = Document.objects.get(kind=Document.Kind.ACCEPTANCE_NOTICE)
    assert notice.context["case_number"] == case.number


def test_the_applicant_timeline_shows_public_notes_and_never_internal_ones(applicant, staff):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    services.application_return(application=application, by=staff, reason="请补充对方来函的译文")
    log_action(application, "applications.application.transition", by=staff, note="内部：该企业曾两次申请")
    steps = timeline(application)
    assert [step.title for step in steps] == ["申请已提交，等待中心审查", "申请需要补正"]
    assert steps[-1].note == "请补充对方来函的译文"
    assert all("内部" not in step.note for step in steps)


def test_staff_see_the_whole_history_in_the_admin(admin_client_staff, applicant, staff):
    client = admin_client_staff
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    services.application_return(application=application, by=staff, reason="请补充对方来函的译文")
    page = client.get(reverse("admin:applications_application_change", args=[application.pk])).content.decode()
    assert "流转记录" in page and "退回补正" in page and "已提交 → 退回补正" in page
    assert "请补充对方来函的译文" in page


@pytest.fixture
def admin_client_staff(client, staff):
    client.force_login(staff)
    return client


def test_opening_evidence_is_recorded_with_who_opened_it(client, applicant, staff):
    application = complete_draft(applicant)
    attachment = application.attachments.get()
    client.force_login(staff)
    url = reverse("applications:attachment_download", args=[application.pk, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    entry = LogEntry.objects.get(action_type="applications.attachment.downloaded")
    assert entry.actor == staff and entry.data["file"] == attachment.original_name


def test_every_action_type_of_applications_has_a_label(applicant, staff):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    services.message_post(application=application, by=staff, body="请补充")
    services.application_decline(application=application, by=staff, reason="不属于受理范围")
    used = set(LogEntry.objects.filter(action_type__startswith="applications.").values_list("action_type", flat=True))
    assert used and used <= set(LABELS)


def test_the_users_organisation_is_asked_in_one_place(applicant, staff, django_assert_num_queries):
    user = type(applicant).objects.get(pk=applicant.pk)
    organisation_id = ApplicantAccount.objects.get(user=applicant).applicant_id
    with django_assert_num_queries(1):
        assert applicant_of(user).pk == organisation_id
        assert applicant_of(user) is applicant_of(user)  # asked once, kept on the user
    assert applicant_of(staff) is None


def test_a_join_request_is_decided_by_a_member_only(applicant, other_applicant):
    newcomer = UserFactory(full_name="新同事")
    request = services.membership_request(user=newcomer, applicant=applicant_of(applicant), by=newcomer)
    with pytest.raises(Forbidden):
        services.membership_request(user=UserFactory(), applicant=applicant_of(applicant), by=newcomer)
    with pytest.raises(Forbidden, match="您无权审核该申请"):
        services.membership_decide(request=request, by=newcomer, approve=True)
    services.membership_decide(request=request, by=applicant, approve=True)
    with pytest.raises(TransitionNotAllowed, match="当前状态为“已同意”"):
        services.membership_decide(request=request, by=applicant, approve=False)
    assert [e.action_type for e in entries_for(request)] == [
        "applications.membership_request.created",
        "applications.membership_request.approved",
    ]
