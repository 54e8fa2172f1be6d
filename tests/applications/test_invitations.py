"""Invitations to follow an applicant online: one link, used once, expiring; the person sets a password
(or links the account the address already has) and lands on the application."""

import datetime
import hashlib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import Invitation
from applications.selectors import applicant_of
from portal.access import Forbidden
from portal.audit import entries_for
from portal.models import EmailDelivery, ServicePoint, User
from portal.roles import Role, has_role
from portal.transitions import TransitionNotAllowed
from tests.factories import ApplicantFactory, ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db
GOOD_PASSWORD = "Jincheng-2026-secure"


def token_from_mail(address):
    body = EmailDelivery.objects.filter(to=address).latest("pk").body
    return re.search(r"/invitations/([A-Za-z0-9_-]+)/", body).group(1)


@pytest.fixture
def paper_applicant(db):
    return ApplicantFactory(name="晋城纸质申请有限公司")


def send(paper_applicant, staff, application=None, email="zhao@jincheng.cn"):
    return services.invitation_send(
        applicant=paper_applicant, email=email, full_name="赵六", phone="13912345678", by=staff, application=application
    )


def test_send_keeps_only_the_hash_and_mails_the_link(paper_applicant, staff):
    invitation = send(paper_applicant, staff)
    token = token_from_mail("zhao@jincheng.cn")
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash
    assert invitation.expires_at - timezone.now() > datetime.timedelta(days=13)
    assert entries_for(invitation).get().action_type == "applications.invitation.sent"


def test_the_link_creates_an_active_applicant_account_once(client, paper_applicant, staff):
    application = ApplicationFactory(applicant=paper_applicant)
    send(paper_applicant, staff, application=application)
    url = reverse("applications:invitation_accept", args=[token_from_mail("zhao@jincheng.cn")])
    page = client.get(url)
    assert page.status_code == 200 and "赵六" in page.content.decode()
    response = client.post(
        url, {"full_name": "赵六", "phone": "13912345678", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:edit", args=[application.pk])
    user = User.objects.get(email="zhao@jincheng.cn")
    assert user.is_active and has_role(user, Role.APPLICANT)
    assert applicant_of(user) == paper_applicant
    assert user.check_password(GOOD_PASSWORD)
    assert client.get(reverse("applications:edit", args=[application.pk])).status_code == 200
    client.logout()
    again = client.get(url)
    assert again.status_code == 410
    assert "已经使用过" in again.content.decode()
    with pytest.raises(TransitionNotAllowed):
        services.invitation_accept(invitation=Invitation.objects.get(), password=GOOD_PASSWORD)


def test_an_expired_link_says_so(client, paper_applicant, staff):
    invitation = send(paper_applicant, staff)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get(reverse("applications:invitation_accept", args=[token_from_mail("zhao@jincheng.cn")]))
    assert response.status_code == 410
    assert "已过期" in response.content.decode()
    assert not User.objects.filter(email="zhao@jincheng.cn").exists()


def test_an_unknown_token_is_a_clear_404(client):
    response = client.get(reverse("applications:invitation_accept", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "链接不完整或已失效" in response.content.decode()


def test_a_weak_password_is_refused_at_the_field_and_the_name_kept(client, paper_applicant, staff):
    send(paper_applicant, staff)
    url = reverse("applications:invitation_accept", args=[token_from_mail("zhao@jincheng.cn")])
    response = client.post(url, {"full_name": "赵六六", "phone": "13912345678", "password1": "123", "password2": "123"})
    assert response.status_code == 200
    assert response.context["form"].errors["password2"] or response.context["form"].errors["password1"]
    assert 'value="赵六六"' in response.content.decode()
    assert not User.objects.filter(email="zhao@jincheng.cn").exists()


def test_an_address_with_an_account_logs_in_and_links_it(client, paper_applicant, staff):
    existing = UserFactory(email="zhao@jincheng.cn", roles=[])
    send(paper_applicant, staff)
    url = reverse("applications:invitation_accept", args=[token_from_mail("zhao@jincheng.cn")])
    page = client.get(url)
    assert page.status_code == 200 and "invitation-login" in page.content.decode()
    client.force_login(existing)
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("applications:mine")
    assert applicant_of(User.objects.get(pk=existing.pk)) == paper_applicant
    assert has_role(User.objects.get(pk=existing.pk), Role.APPLICANT)


def test_an_account_of_another_organisation_is_not_moved(client, paper_applicant, staff, applicant):
    send(paper_applicant, staff, email=applicant.email)
    url = reverse("applications:invitation_accept", args=[token_from_mail(applicant.email)])
    client.force_login(applicant)
    response = client.post(url)
    assert response.status_code == 409
    assert applicant_of(User.objects.get(pk=applicant.pk)) != paper_applicant
    assert Invitation.objects.get().accepted_at is None


def test_resend_makes_a_new_link_and_the_old_one_stops(client, paper_applicant, staff):
    first = send(paper_applicant, staff)
    old_token = token_from_mail("zhao@jincheng.cn")
    services.invitation_resend(invitation=first, by=staff)
    new_token = token_from_mail("zhao@jincheng.cn")
    assert new_token != old_token
    assert client.get(reverse("applications:invitation_accept", args=[old_token])).status_code == 410
    assert client.get(reverse("applications:invitation_accept", args=[new_token])).status_code == 200


def test_a_workstation_invites_only_for_its_own_applicants(paper_applicant):
    city = ServicePoint.objects.create(name="太原市工作站", level="city", region="太原市", address="太原")
    other = ServicePoint.objects.create(name="大同市工作站", level="city", region="大同市", address="大同")
    worker = UserFactory(is_staff=True, service_point=other, roles=[Role.SERVICE_POINT])
    paper_applicant.service_point = city
    paper_applicant.save()
    with pytest.raises(Forbidden):
        send(paper_applicant, worker)
    mine = UserFactory(is_staff=True, service_point=city, roles=[Role.SERVICE_POINT])
    assert send(paper_applicant, mine).sent_by == mine


def test_an_unconfirmed_account_of_the_address_is_confirmed_by_the_link(client, paper_applicant, staff):
    stale = UserFactory(email="zhao@jincheng.cn", is_active=False, roles=[])
    send(paper_applicant, staff)
    url = reverse("applications:invitation_accept", args=[token_from_mail("zhao@jincheng.cn")])
    response = client.post(
        url, {"full_name": "赵六", "phone": "13912345678", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    )
    assert response.status_code == 302
    stale.refresh_from_db()
    assert stale.is_active and stale.check_password(GOOD_PASSWORD)
    assert applicant_of(stale) == paper_applicant
    assert User.objects.filter(email__iexact="zhao@jincheng.cn").count() == 1
