"""Registration by e-mail with confirmation, login rate limiting, landing by role, language switch."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from applications.models import MembershipRequest
from applications.selectors import applicant_of
from portal.models import User
from portal.roles import Role, has_role
from tests.factories import PASSWORD, make_credit_code

REGISTRATION = {
    "full_name": "王丽",
    "email": "wangli@jincheng.example.cn",
    "phone": "13812345678",
    "organisation_name": "太原晋成精密机械有限公司",
    "credit_code": "91350100M000100Y43",
    "category": "enterprise",
    "password1": "Jincheng-2026-secure",
    "password2": "Jincheng-2026-secure",
}


@pytest.mark.django_db
def test_an_applicant_registers_confirms_the_email_and_logs_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:register"), REGISTRATION)
    assert response.status_code == 200
    assert "wangli@jincheng.example.cn" in response.content.decode()
    user = User.objects.get(email="wangli@jincheng.example.cn")
    assert not user.is_active
    assert applicant_of(user).credit_code == "91350100M000100Y43"
    assert has_role(user, Role.APPLICANT)

    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/activate/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert "账号已启用" in response.content.decode()

    response = client.post(reverse("login"), {"username": user.email, "password": "Jincheng-2026-secure"})
    assert response.url == reverse("portal:landing")
    assert client.get(response.url).url == reverse("applications:mine")


@pytest.mark.django_db
def test_registration_errors_are_shown_next_to_fields_and_input_is_kept(client):
    data = {**REGISTRATION, "credit_code": "91350100M000100Y44", "phone": "1381234567a"}
    response = client.post(reverse("applications:register"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "校验位不正确" in page
    assert "电话号码不能包含字母" in page
    assert 'value="太原晋成精密机械有限公司"' in page  # nothing typed is lost
    assert not User.objects.exists()


def test_registering_for_an_organisation_already_known_asks_its_members_first(client, applicant, applicant_org):
    data = {**REGISTRATION, "credit_code": applicant_org.credit_code}
    response = client.post(reverse("applications:register"), data)
    assert "你的加入申请已发送" in response.content.decode()
    newcomer = User.objects.get(email=REGISTRATION["email"])
    assert applicant_of(newcomer) is None  # sees nothing of the organisation until approved
    request = MembershipRequest.objects.get(user=newcomer)
    assert request.applicant == applicant_org
    assert request.status == MembershipRequest.Status.PENDING


@pytest.mark.django_db
def test_a_forged_activation_link_is_refused(client):
    response = client.get("/accounts/activate/MQ/not-a-token/")
    assert response.status_code == 400


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_for_a_while(client, applicant, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": applicant.email, "password": "wrong"})
    response = client.post(reverse("login"), {"username": applicant.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()


@pytest.mark.django_db
def test_the_lock_out_page_names_the_configured_length(client, applicant, settings):
    settings.AXES_COOLOFF_TIME = 0.5  # hours, as AXES_COOLOFF_MINUTES=30 sets it
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(reverse("login"), {"username": applicant.email, "password": "wrong"})
    assert response.status_code == 429
    assert "请 30 分钟后再试" in response.content.decode()


@pytest.mark.parametrize(
    ("fixture", "target"),
    [
        ("applicant", "applications:mine"),
        ("staff", "admin:index"),
        ("director", "admin:index"),
        ("deputy", "admin:index"),
        ("agency_user", "cases:agency_inbox"),
        ("expert_user", "experts:workspace"),
    ],
)
def test_each_role_is_sent_to_its_workplace(client, request, fixture, target):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(reverse("portal:landing")).url == reverse(target)


@pytest.mark.parametrize("fixture", ["applicant", "expert_user", "other_applicant"])
def test_front_end_roles_are_kept_out_of_the_admin(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


@pytest.mark.django_db
def test_the_home_page_speaks_english_when_chosen(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


@pytest.mark.django_db
def test_the_home_page_explains_the_service(client):
    page = client.get("/").content.decode()
    for text in ["我们能提供哪些帮助", "谁可以申请", "申请前请准备", "服务热线", "在线申请指导"]:
        assert text in page


def test_credit_codes_from_the_factory_are_distinct():
    assert len({make_credit_code(n) for n in range(200)}) == 200


def test_password_reset_by_email_lets_the_user_choose_a_new_password(
    client, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": applicant.email})
    assert len(mail.outbox) == 1
    link = re.search(r"(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "设置新密码" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Brand-new-2026-pw", "new_password2": "Brand-new-2026-pw"}
    )
    assert response.status_code == 302
    response = client.post(reverse("login"), {"username": applicant.email, "password": "Brand-new-2026-pw"})
    assert response.url == reverse("portal:landing")


def test_password_change_requires_the_old_password(client, applicant):
    client.post(reverse("login"), {"username": applicant.email, "password": PASSWORD})
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "Brand-new-2026-pw", "new_password2": "Brand-new-2026-pw"},
    )
    assert "旧密码不正确" in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.check_password(PASSWORD)
