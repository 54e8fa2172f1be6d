"""The services of the applications app, called directly."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from applications import services
from applications.models import Application, Attachment, Feedback, MembershipRequest, Message
from applications.selectors import applicant_of, version_diff
from cases.models import Case
from documents.models import Document
from portal.access import Forbidden
from portal.audit import entries_for
from portal.models import Notification
from portal.roles import Role, has_role
from portal.transitions import StaleObject, TransitionNotAllowed
from tests.applications.factories import PDF_BYTES, close_case, complete_draft, upload
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Application.Status


def submit(application, user, capture=None):
    return services.application_submit(application=application, by=user)


def test_create_starts_a_draft_filled_from_the_organisation_and_user(applicant):
    application = services.application_create(applicant=applicant_of(applicant), by=applicant)
    assert application.status == S.DRAFT
    assert application.applicant_name == applicant_of(applicant).name
    assert application.credit_code == applicant_of(applicant).credit_code
    assert application.contact_email == applicant.email
    assert entries_for(application).get().to_status == S.DRAFT


def test_save_draft_stores_answers_and_bumps_the_revision(applicant):
    application = services.application_create(applicant=applicant_of(applicant), by=applicant)
    saved = services.application_save_draft(
        application=application,
        data={"request": "美国 337 调查", "countries": ["US", "VN"]},
        by=applicant,
        seen_revision=0,
    )
    saved.refresh_from_db()
    assert saved.request == "美国 337 调查"
    assert saved.countries == ["US", "VN"]
    assert saved.revision == 1


def test_save_draft_from_an_old_page_is_refused(applicant):
    application = services.application_create(applicant=applicant_of(applicant), by=applicant)
    services.application_save_draft(application=application, data={"request": "新"}, by=applicant, seen_revision=0)
    with pytest.raises(StaleObject):
        services.application_save_draft(application=application, data={"request": "旧"}, by=applicant, seen_revision=0)
    application.refresh_from_db()
    assert application.request == "新"


def test_submit_numbers_freezes_a_version_and_tells_everyone(
    applicant, staff, django_capture_on_commit_callbacks, settings
):
    application = complete_draft(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_submit(application=application, by=applicant)
    assert application.status == S.SUBMITTED
    assert application.number.startswith("SQ-")
    assert application.versions.get().number == 1
    assert application.attachments.get().submitted_in == 1
    receipt = Document.objects.get(kind=Document.Kind.RECEIPT)
    assert receipt.status == Document.Status.READY
    assert receipt.released_to_applicant and receipt.applicant == applicant_of(applicant)
    # the organisation's users, the contact person named on the form, and staff
    assert sorted(m.to[0] for m in mail.outbox) == sorted([applicant.email, "zhangsan@example.cn", staff.email])
    assert all(application.number in m.subject for m in mail.outbox)
    assert Notification.objects.filter(recipient=staff).exists()


def test_after_submission_the_applicant_can_no_longer_edit(applicant):
    application = complete_draft(applicant)
    services.application_submit(application=application, by=applicant)
    with pytest.raises(TransitionNotAllowed):
        services.application_save_draft(application=application, data={"request": "改"}, by=applicant)
    with pytest.raises(TransitionNotAllowed):
        services.attachment_add(application=application, category="other", upload=upload(), by=applicant)


def test_a_double_submit_gives_one_application_one_number(applicant):
    application = complete_draft(applicant)
    first = services.application_submit(application=application, by=applicant)
    with pytest.raises(TransitionNotAllowed):
        services.application_submit(application=application, by=applicant)
    application.refresh_from_db()
    assert application.number == first.number
    assert Application.objects.filter(number__isnull=False).count() == 1
    assert entries_for(application).filter(to_status=S.SUBMITTED).count() == 1


def test_distinct_applications_get_consecutive_distinct_numbers(applicant):
    numbers = [
        services.application_submit(application=complete_draft(applicant), by=applicant).number for _ in range(3)
    ]
    assert len(set(numbers)) == 3
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2, 3]


def test_submit_without_standing_proof_is_refused_with_the_reason(applicant):
    application = ApplicationFactory(applicant=applicant_of(applicant), created_by=applicant)
    with pytest.raises(ValidationError) as error:
        services.application_submit(application=application, by=applicant)
    assert "主体资格证明" in " ".join(error.value.messages)
    application.refresh_from_db()
    assert application.status == S.DRAFT and application.number is None


def test_submit_with_other_ticked_but_no_text_is_refused(applicant):
    application = complete_draft(applicant, right_types=["other"])
    with pytest.raises(ValidationError, match="其他"):
        services.application_submit(application=application, by=applicant)


def test_return_then_resubmit_keeps_the_number_and_both_versions_with_differences(
    applicant, staff, django_capture_on_commit_callbacks
):
    application = complete_draft(applicant)
    number = services.application_submit(application=application, by=applicant).number
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_return(application=application, by=staff, reason="请补充美国 ITC 立案公告。")
    application.refresh_from_db()
    assert application.status == S.RETURNED
    assert application.decision_reason == "请补充美国 ITC 立案公告。"
    notice = Document.objects.get(kind=Document.Kind.CORRECTION_NOTICE)
    assert notice.number.startswith("晋知指发〔") and notice.number.endswith("号")
    assert notice.context["addressee"] == application.applicant_name
    assert any("补正" in m.subject for m in mail.outbox if m.to == [applicant.email])
    # The filed licence stays; the correction adds a paper and changes the text.
    with pytest.raises(TransitionNotAllowed):
        services.attachment_remove(attachment=application.attachments.get(), by=applicant)
    services.attachment_add(
        application=application, category="legal_papers", upload=upload("ITC立案公告.pdf"), by=applicant
    )
    services.application_save_draft(application=application, data={"impact": "损失约 5000 万元"}, by=applicant)
    application = services.application_submit(application=application, by=applicant)
    assert application.number == number
    first, second = application.versions.order_by("number")
    diff = version_diff(first, second)
    assert [(str(label), new) for label, _old, new in diff["changes"]] == [("纠纷影响预估", "损失约 5000 万元")]
    assert diff["added"] == ["纠纷相关法律文书（律师函、起诉书、行政机关通知等）：ITC立案公告.pdf"]
    assert "补正后重新提交" in entries_for(application).last().public_note
    resubmitted = Document.objects.filter(kind=Document.Kind.RECEIPT).latest("pk")
    assert resubmitted.title == "补正申请材料接收回执（第2版）"


def test_return_and_decline_need_a_reason(applicant, staff):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    with pytest.raises(ValidationError):
        services.application_return(application=application, by=staff, reason="  ")
    with pytest.raises(ValidationError):
        services.application_decline(application=application, by=staff, reason="")


def test_accept_opens_the_case_and_sends_the_acceptance_notice(applicant, staff, django_capture_on_commit_callbacks):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_accept(application=application, by=staff)
    application.refresh_from_db()
    assert application.status == S.ACCEPTED
    case = Case.objects.get(application=application)
    notice = Document.objects.get(kind=Document.Kind.ACCEPTANCE_NOTICE)
    assert notice.status == Document.Status.READY, notice.last_error
    assert notice.context["case_number"] == case.number
    assert notice.context["number"] == notice.number
    assert any("已受理" in m.subject for m in mail.outbox if m.to == [applicant.email])
    with pytest.raises(TransitionNotAllowed):
        services.application_accept(application=application, by=staff)
    assert Case.objects.count() == 1


def test_decline_records_the_reason_and_tells_the_applicant(applicant, staff, django_capture_on_commit_callbacks):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decline(application=application, by=staff, reason="不属于海外知识产权纠纷。")
    application.refresh_from_db()
    assert application.status == S.DECLINED
    assert entries_for(application).exclude(to_status="").last().public_note == "不属于海外知识产权纠纷。"
    assert Document.objects.filter(kind=Document.Kind.DECLINE_NOTICE, released_to_applicant=True).exists()
    assert "不属于海外知识产权纠纷" in mail.outbox[0].body


def test_attachments_count_against_the_total_limit(applicant, settings):
    settings.EVIDENCE_MAX_TOTAL_MB = 1
    application = ApplicationFactory(applicant=applicant_of(applicant), created_by=applicant)
    services.attachment_add(
        application=application,
        category="standing",
        upload=upload("a.pdf", PDF_BYTES + b"0" * 600_000),
        by=applicant,
    )
    with pytest.raises(ValidationError, match="1 MB"):
        services.attachment_add(
            application=application,
            category="other",
            upload=upload("b.pdf", PDF_BYTES + b"0" * 600_000),
            by=applicant,
        )
    assert Attachment.objects.count() == 1


def test_messages_go_to_staff_and_replies_to_the_applicant(applicant, staff, django_capture_on_commit_callbacks):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(application=application, by=applicant, body="补充说明", files=[upload("说明.pdf")])
        services.message_post(application=application, by=staff, body="已收到")
    first, reply = Message.objects.order_by("pk")
    assert not first.from_center and reply.from_center
    assert first.files.get().original_name == "说明.pdf"
    assert [m.to for m in mail.outbox] == [[staff.email], [applicant.email], ["zhangsan@example.cn"]]


def test_a_forged_message_attachment_is_refused_and_nothing_is_saved(applicant):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    with pytest.raises(ValidationError):
        services.message_post(application=application, by=applicant, body="x", files=[upload("a.pdf", b"MZ" * 50)])
    assert not Message.objects.exists()


def test_feedback_only_once_the_case_is_closed_and_only_once(applicant, staff):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    services.application_accept(application=application, by=staff)
    data = {"satisfaction": 5, "timeliness": 4, "usefulness": 5, "outcome": "已和解", "comment": "很及时"}
    with pytest.raises(TransitionNotAllowed):
        services.feedback_submit(application=application, by=applicant, data=data)
    close_case(application)
    services.feedback_submit(application=application, by=applicant, data=data)
    assert Feedback.objects.get().satisfaction == 5
    with pytest.raises(TransitionNotAllowed):
        services.feedback_submit(application=application, by=applicant, data=data)


def test_joining_an_organisation_needs_a_member_s_approval(applicant, other_applicant):
    newcomer = UserFactory(full_name="新同事")
    request = services.membership_request(user=newcomer, applicant=applicant_of(applicant), by=newcomer)
    assert Notification.objects.filter(recipient=applicant).exists()
    with pytest.raises(Forbidden, match="您无权审核该申请"):
        services.membership_decide(request=request, by=other_applicant, approve=True)
    services.membership_decide(request=request, by=applicant, approve=True)
    newcomer.refresh_from_db()
    newcomer._portal_roles = None
    assert applicant_of(newcomer) == applicant_of(applicant)
    assert has_role(newcomer, Role.APPLICANT)
    assert MembershipRequest.objects.get().status == MembershipRequest.Status.APPROVED


def test_a_rejected_join_gives_no_access(applicant, staff):
    newcomer = UserFactory()
    request = services.membership_request(user=newcomer, applicant=applicant_of(applicant), by=newcomer)
    services.membership_decide(request=request, by=staff, approve=False)
    newcomer.refresh_from_db()
    assert applicant_of(newcomer) is None


def test_the_applicant_may_withdraw_a_returned_application_but_not_an_accepted_one(applicant, staff):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    services.application_return(application=application, by=staff, reason="补充")
    services.application_withdraw(application=application, by=applicant, reason="已与对方和解")
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN
    assert entries_for(application).last().public_note == "已与对方和解"
    accepted = services.application_submit(application=complete_draft(applicant), by=applicant)
    services.application_accept(application=accepted, by=staff)
    with pytest.raises(TransitionNotAllowed):
        services.application_withdraw(application=accepted, by=applicant)
