"""The on-site service desk of a trade fair: an exhibitor asks for help, staff are told at once,
answer it or turn it into an application."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from knowledge.models import Event, FairHelpRequest
from knowledge.services import events as services
from portal.access import Forbidden
from portal.audit import entries_for
from portal.models import EmailDelivery, Notification
from portal.notifications import email_relay_pending
from tests.knowledge.conftest import EventFactory

pytestmark = pytest.mark.django_db

H = FairHelpRequest.Status


def fair(**kwargs):
    now = timezone.now()
    values = {
        "kind": Event.Kind.TRADE_FAIR,
        "title": "第135届中国进出口商品交易会",
        "place": "广州琶洲国际会展中心",
        "starts_at": now - datetime.timedelta(hours=2),
        "ends_at": now + datetime.timedelta(days=2),
        "desk_location": "A区 1.2 号馆知识产权服务站",
        "desk_hours": "9:00–18:00",
        "country": "US",
        "industry": "mechanical",
        **kwargs,
    }
    return EventFactory(**values)


def help_data(**kwargs):
    return {
        "organisation": "许昌远东传动轴股份有限公司",
        "contact_name": "高峰",
        "phone": "13912345678",
        "email": "",
        "booth": "1.2B15",
        "question": "美国客户在展位上出示律师函，称我司传动轴侵犯其专利，要求撤展。",
        "urgent": True,
        **kwargs,
    }


def deliver_all():
    email_relay_pending(now=timezone.now() + datetime.timedelta(hours=1))


def test_a_help_request_creates_a_record_and_tells_staff_at_once_urgent_in_the_subject(staff):
    event = fair()
    request = services.help_request_create(event=event, data=help_data(), by=None)
    assert request.status == H.NEW and request.user is None and request.urgent
    assert entries_for(request).get().action_type == "knowledge.fair_help.created"
    note = Notification.objects.get(recipient=staff)
    assert note.subject.startswith("【紧急】展会现场求助：许昌远东传动轴股份有限公司")
    assert note.link == reverse("admin:knowledge_fairhelprequest_change", args=[request.pk])
    deliver_all()
    (message,) = mail.outbox
    assert message.to == [staff.email]
    assert "【紧急】" in message.subject
    assert "1.2B15" in message.body and "13912345678" in message.body


def test_an_ordinary_request_says_nothing_urgent(staff):
    services.help_request_create(event=fair(), data=help_data(urgent=False), by=None)
    assert "紧急" not in Notification.objects.get(recipient=staff).subject


def test_no_help_after_the_fair_or_for_a_training_or_an_unpublished_fair():
    ended = fair(
        starts_at=timezone.now() - datetime.timedelta(days=5), ends_at=timezone.now() - datetime.timedelta(days=3)
    )
    with pytest.raises(ValidationError, match="展会已结束"):
        services.help_request_create(event=ended, data=help_data(), by=None)
    with pytest.raises(ValidationError):
        services.help_request_create(event=EventFactory(), data=help_data(), by=None)
    with pytest.raises(ValidationError):
        services.help_request_create(event=fair(status=Event.Status.DRAFT), data=help_data(), by=None)
    assert FairHelpRequest.objects.count() == 0


def test_the_fair_page_shows_the_desk_and_the_help_form_prefilled_for_a_logged_in_applicant(client, applicant):
    event = fair(pre_fair_briefing="展前排查：检查展品专利状况。", post_fair_follow_up="展后回访参展企业。")
    client.force_login(applicant)
    page = client.get(reverse("knowledge:event", args=[event.pk])).content.decode()
    assert "A区 1.2 号馆知识产权服务站" in page and "9:00–18:00" in page
    assert "展前排查：检查展品专利状况。" in page and "展后回访参展企业。" in page
    assert f'action="{reverse("knowledge:fair_help", args=[event.pk])}"' in page
    assert 'value="山西晋成精密机械有限公司"' in page
    assert "提交报名" not in page


def test_an_anonymous_exhibitor_asks_for_help_and_sees_what_happens_next(client, staff):
    event = fair()
    response = client.post(reverse("knowledge:fair_help", args=[event.pk]), help_data(), follow=True)
    request = FairHelpRequest.objects.get()
    assert response.redirect_chain[-1][0] == reverse("knowledge:fair_help_received", args=[request.pk])
    text = response.content.decode()
    assert "您的求助已收到" in text and "优先处理" in text
    assert "A区 1.2 号馆知识产权服务站" in text and "13912345678" in text
    assert Notification.objects.filter(recipient=staff).count() == 1
    # The confirmation is this browser's own: another visitor cannot read it by its number.
    client.logout()
    client.cookies.clear()
    assert client.get(reverse("knowledge:fair_help_received", args=[request.pk])).status_code == 404


def test_the_phone_is_required_and_what_was_typed_stays(client):
    event = fair()
    response = client.post(reverse("knowledge:fair_help", args=[event.pk]), help_data(phone=""))
    assert response.status_code == 400
    assert "phone" in response.context["help_form"].errors
    assert "美国客户在展位上出示律师函" in response.content.decode()
    assert FairHelpRequest.objects.count() == 0


def test_the_help_form_is_throttled(client, monkeypatch):
    from knowledge.views import events as views

    monkeypatch.setattr(views, "FORM_RATE_LIMIT", 1)
    event = fair()
    client.post(reverse("knowledge:fair_help", args=[event.pk]), help_data())
    response = client.post(reverse("knowledge:fair_help", args=[event.pk]), help_data(booth="9Z99"))
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode() and "9Z99" in response.content.decode()
    assert FairHelpRequest.objects.count() == 1


def test_the_help_form_of_a_training_or_a_draft_fair_is_404(client):
    assert client.post(reverse("knowledge:fair_help", args=[EventFactory().pk]), help_data()).status_code == 404
    draft = fair(status=Event.Status.DRAFT)
    assert client.post(reverse("knowledge:fair_help", args=[draft.pk]), help_data()).status_code == 404


def test_staff_answer_and_the_exhibitor_gets_the_answer_by_email(staff):
    request = services.help_request_create(event=fair(), data=help_data(email="gao@example.cn"), by=None)
    services.help_request_answer(help_request=request, answer="请勿签收任何文件，工作人员 10 分钟内到展位。", by=staff)
    request.refresh_from_db()
    assert request.status == H.HANDLED and request.handled_by == staff
    delivery = EmailDelivery.objects.get(to="gao@example.cn")
    assert "工作人员 10 分钟内到展位" in delivery.body
    assert entries_for(request).filter(action_type="knowledge.fair_help.answered", actor=staff).count() == 1


def test_escalation_creates_a_draft_application_for_a_logged_in_applicant(staff, applicant):
    event = fair()
    request = services.help_request_create(event=event, data=help_data(), by=applicant)
    services.help_request_escalate(help_request=request, by=staff, note="需尽快出具应对指导")
    request.refresh_from_db()
    assert request.status == H.ESCALATED
    application = request.application
    assert application.status == Application.Status.DRAFT
    assert application.applicant == applicant.applicant_account.applicant
    assert application.created_by == applicant
    assert application.countries == ["US"] and application.technical_fields == ["mechanical"]
    assert "第135届中国进出口商品交易会" in application.request
    assert "广州琶洲国际会展中心" in application.request
    assert "要求撤展" in application.request
    assert application.request.startswith("【紧急】")
    assert application.contact_phone == "13912345678"
    created = entries_for(application).get(action_type="applications.application.created")
    assert created.actor == staff and created.data["fair_help_request"] == request.pk
    assert entries_for(request).filter(action_type="knowledge.fair_help.escalated").count() == 1
    # The applicant is told, with a link to complete the draft.
    note = Notification.objects.get(recipient=applicant)
    assert note.link == reverse("applications:edit", args=[application.pk])
    with pytest.raises(ValidationError):
        services.help_request_escalate(help_request=request, by=staff)


def test_escalation_for_an_anonymous_exhibitor_emails_an_invitation_to_register_and_apply(staff):
    request = services.help_request_create(event=fair(), data=help_data(email="gao@example.cn"), by=None)
    services.help_request_escalate(help_request=request, by=staff)
    request.refresh_from_db()
    assert request.status == H.ESCALATED and request.application is None
    assert Application.objects.count() == 0
    delivery = EmailDelivery.objects.get(to="gao@example.cn")
    assert reverse("applications:register") in delivery.body
    assert "要求撤展" in delivery.body and "1.2B15" in delivery.body


def test_escalation_without_an_account_or_an_address_is_refused_with_the_number_to_call(staff):
    request = services.help_request_create(event=fair(), data=help_data(email=""), by=None)
    with pytest.raises(ValidationError, match="13912345678"):
        services.help_request_escalate(help_request=request, by=staff)
    request.refresh_from_db()
    assert request.status == H.NEW


def test_only_staff_answer_or_escalate(applicant):
    request = services.help_request_create(event=fair(), data=help_data(), by=applicant)
    with pytest.raises(Forbidden):
        services.help_request_answer(help_request=request, answer="x", by=applicant)
    with pytest.raises(Forbidden):
        services.help_request_escalate(help_request=request, by=applicant)


def test_staff_see_new_requests_first_with_the_urgent_badge_and_act_from_the_admin(client, staff, applicant):
    event = fair()
    old = services.help_request_create(event=event, data=help_data(organisation="已答复的企业", urgent=False), by=None)
    services.help_request_answer(help_request=old, answer="已解答", by=staff)
    services.help_request_create(event=event, data=help_data(organisation="一般求助企业", urgent=False), by=None)
    urgent = services.help_request_create(event=event, data=help_data(organisation="紧急求助企业"), by=applicant)
    client.force_login(staff)
    page = client.get(reverse("admin:knowledge_fairhelprequest_changelist")).content.decode()
    assert page.index("紧急求助企业") < page.index("一般求助企业") < page.index("已答复的企业")
    assert page.count(">紧急</strong>") == 1
    change = client.get(reverse("admin:knowledge_fairhelprequest_change", args=[urgent.pk])).content.decode()
    assert "本次求助同时记入咨询记录" in change
    assert "山西晋成精密机械有限公司" in change
    # An empty answer keeps the page with the message, nothing saved.
    response = client.post(reverse("admin:knowledge_fairhelprequest_answer", args=[urgent.pk]), {"answer": " "})
    assert response.status_code == 400
    urgent.refresh_from_db()
    assert urgent.status == H.NEW
    response = client.post(
        reverse("admin:knowledge_fairhelprequest_escalate", args=[urgent.pk]), {"note": ""}, follow=True
    )
    assert "已为紧急求助企业生成申请草稿" in response.content.decode()
    urgent.refresh_from_db()
    assert urgent.application is not None


def test_an_answered_request_is_counted_as_a_fair_desk_consultation(staff):
    from consultations.models import Consultation

    event = fair()
    request = services.help_request_create(event=event, data=help_data(email="gao@example.cn"), by=None)
    assert Consultation.objects.count() == 0
    services.help_request_answer(help_request=request, answer="请勿签收任何文件。", by=staff)
    consultation = Consultation.objects.get()
    assert consultation.channel == Consultation.Channel.FAIR_DESK and consultation.fair_name == event.title
    assert consultation.person_name == "高峰" and consultation.organisation_name == "许昌远东传动轴股份有限公司"
    assert consultation.question == request.question and consultation.answer == "请勿签收任何文件。"
    assert consultation.handled_by == staff and consultation.countries == ["US"]
    assert consultation.number.startswith("ZX-")
    # Escalated later: still the one consultation.
    services.help_request_escalate(help_request=request, by=staff)
    assert Consultation.objects.count() == 1


def test_a_request_escalated_at_once_is_a_consultation_turned_into_its_application(staff, applicant):
    from consultations.models import Consultation

    request = services.help_request_create(event=fair(), data=help_data(), by=applicant)
    services.help_request_escalate(help_request=request, by=staff)
    request.refresh_from_db()
    consultation = Consultation.objects.get()
    assert consultation.status == Consultation.Status.CONVERTED
    assert consultation.application == request.application
    assert consultation.applicant == applicant.applicant_account.applicant
