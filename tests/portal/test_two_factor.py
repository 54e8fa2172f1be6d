"""Two-factor authentication: who must use it, the login's code step, enrolment, recovery codes,
throttling, the administrator's reset, and a fresh factor before signing."""

import base64
import datetime
import re
import time
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases import services
from cases.models import GuidanceOpinion
from cases.opinions.services import opinion_review, opinion_submit
from portal.access import Forbidden
from portal.models import LogEntry
from portal.roles import Role
from portal.twofactor.core import SESSION_VERIFIED_AT, two_factor_reset
from portal.twofactor.demo import DEMO_TOTP_KEY_HEX, DEMO_TOTP_SECRET, give_demo_authenticators
from tests.cases.factories import draft_letter, in_progress_case
from tests.documents.factories import make_case, make_opinion
from tests.factories import PASSWORD, UserFactory
from tests.twofactor import authenticator_for, next_code

pytestmark = pytest.mark.django_db

SETUP = reverse("twofactor:setup")
VERIFY = reverse("twofactor:verify")

WORKPLACE = {
    "staff": reverse("admin:index"),
    "director": reverse("admin:index"),
    "deputy": reverse("admin:index"),
    "agency_user": reverse("cases:agency_inbox"),
    "applicant": reverse("applications:mine"),
    "expert_user": reverse("experts:workspace"),
}


def _password_login(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    return response


def _recovery_codes(user):
    return list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))


def _with_recovery_codes(user):
    device = authenticator_for(user)
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    for token in ["aaaa2222", "bbbb3333", "cccc4444"]:
        static.token_set.create(token=token)
    return device


# --------------------------------------------------------------------------- who must use it


@pytest.mark.parametrize("who", ["staff", "director", "deputy", "agency_user"])
def test_a_role_that_needs_two_factors_must_enrol_before_reaching_its_workplace(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user, second_factor=False)
    response = client.get(WORKPLACE[who])
    assert response.status_code == 302
    assert response.url == f"{SETUP}?{urlencode({'next': WORKPLACE[who]})}"
    page = client.get(response.url).content.decode()
    assert "绑定身份验证器" in page and "必须使用两步验证" in page


@pytest.mark.parametrize("who", ["staff", "director", "deputy", "agency_user"])
def test_an_enrolled_user_is_asked_for_the_code_and_then_reaches_the_workplace(client, request, who):
    user = request.getfixturevalue(who)
    device = authenticator_for(user)
    response = _password_login(client, user)
    assert response.redirect_chain[-1][0].startswith(VERIFY)
    assert "请再输入身份验证器应用里的验证码" in response.content.decode()
    assert client.get(WORKPLACE[who]).status_code == 302  # still not through

    response = client.post(VERIFY, {"code": next_code(device), "next": WORKPLACE[who]})
    assert response.status_code == 302 and response.url == WORKPLACE[who]
    assert client.get(WORKPLACE[who]).status_code == 200


def test_the_other_pages_stay_closed_until_the_code_is_entered(client, director):
    authenticator_for(director)
    client.force_login(director, second_factor=False)
    for url in [reverse("meetings:calendar"), reverse("experts:center_index"), reverse("portal:notifications")]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(VERIFY), url
    # The code step itself shows no menu of the workplace and no count of notifications.
    page = client.get(VERIFY).content.decode()
    assert reverse("admin:index") not in page and reverse("portal:notifications") not in page
    # Logging out stays possible.
    assert client.post(reverse("logout")).status_code == 302


@pytest.mark.parametrize("who", ["applicant", "expert_user"])
def test_applicants_and_experts_need_no_second_factor_unless_they_opt_in(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user, second_factor=False)
    assert client.get(WORKPLACE[who]).status_code == 200
    page = client.get(reverse("twofactor:account")).content.decode()
    assert "未启用" in page and "启用两步验证" in page


def test_an_applicant_who_opted_in_is_asked_for_the_code_at_login(client, applicant):
    client.force_login(applicant, second_factor=False)
    page = client.get(SETUP).content.decode()
    assert "必须使用两步验证" not in page
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    device = TOTPDevice.objects.get(user=applicant, confirmed=False)
    assert secret.replace(" ", "") == base64.b32encode(device.bin_key).decode()
    response = client.post(SETUP, {"code": next_code(device)})
    assert response.status_code == 302 and response.url.startswith(reverse("twofactor:recovery_codes"))
    client.post(reverse("logout"))

    response = _password_login(client, applicant)
    assert response.redirect_chain[-1][0].startswith(VERIFY)
    response = client.post(VERIFY, {"code": next_code(device)}, follow=True)
    assert response.redirect_chain[-1][0] == WORKPLACE["applicant"]


def test_an_applicant_can_switch_the_opt_in_off_again_after_a_fresh_code(client, applicant):
    authenticator_for(applicant)
    client.force_login(applicant)
    response = client.post(reverse("twofactor:disable"))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=applicant).exists()
    assert LogEntry.objects.filter(action_type="portal.user.two_factor_disabled", object_id=applicant.pk).exists()


def test_a_role_that_needs_two_factors_cannot_switch_it_off(client, staff):
    client.force_login(staff)
    assert "停用两步验证" not in client.get(reverse("twofactor:account")).content.decode()
    response = client.post(reverse("twofactor:disable"))
    assert response.status_code == 403
    assert "必须使用两步验证" in response.content.decode()
    assert TOTPDevice.objects.filter(user=staff).exists()


def test_a_password_alone_cannot_replace_an_enrolled_authenticator(client, director):
    authenticator_for(director)
    client.force_login(director, second_factor=False)
    response = client.get(SETUP)
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=director).count() == 1


# --------------------------------------------------------------------------- enrolment


def test_enrolment_shows_a_qr_code_confirms_with_a_code_and_gives_ten_recovery_codes_once(client, staff):
    client.force_login(staff, second_factor=False)
    response = client.get(WORKPLACE["staff"], follow=True)
    page = response.content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    assert 'alt="绑定身份验证器的二维码' in page
    assert re.search(r'<label\s+for="id_code"', page)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert secret in client.get(SETUP).content.decode()  # a reload shows the same key
    device = TOTPDevice.objects.get(user=staff, confirmed=False)

    response = client.post(SETUP, {"code": "000000", "next": WORKPLACE["staff"]})
    assert "验证码不正确" in response.content.decode()
    device.throttle_reset()
    response = client.post(SETUP, {"code": next_code(device), "next": WORKPLACE["staff"]}, follow=True)
    page = response.content.decode()
    codes = _recovery_codes(staff)
    assert len(codes) == 10 and all(code in page for code in codes)
    assert "只显示这一次" in page and "data-print-page" in page

    download = client.get(reverse("twofactor:recovery_codes_download"))
    assert download["Content-Disposition"].startswith("attachment")
    assert all(code in download.content.decode() for code in codes)

    response = client.post(reverse("twofactor:recovery_codes"), {"next": WORKPLACE["staff"]})
    assert response.url == WORKPLACE["staff"]
    assert client.get(WORKPLACE["staff"]).status_code == 200
    page = client.get(reverse("twofactor:recovery_codes")).content.decode()
    assert not any(code in page for code in codes)
    assert client.get(reverse("twofactor:recovery_codes_download")).status_code == 404
    assert LogEntry.objects.filter(action_type="portal.user.two_factor_enrolled", object_id=staff.pk).exists()


# --------------------------------------------------------------------------- recovery codes, throttling


def test_a_recovery_code_logs_in_once_only(client, agency_user):
    _with_recovery_codes(agency_user)
    _password_login(client, agency_user)
    response = client.post(VERIFY, {"code": "AAAA-2222"}, follow=True)
    assert response.redirect_chain[-1][0] == WORKPLACE["agency_user"]
    assert "还剩 2 个" in response.content.decode()
    assert LogEntry.objects.filter(action_type="portal.user.recovery_code_used", actor=agency_user).count() == 1
    client.post(reverse("logout"))

    _password_login(client, agency_user)
    response = client.post(VERIFY, {"code": "aaaa2222"})
    assert response.status_code == 200
    assert "恢复码不正确或已经用过" in response.content.decode()
    assert client.get(WORKPLACE["agency_user"]).status_code == 302


def test_wrong_codes_lock_the_code_step_for_a_while_and_say_so(client, director):
    device = authenticator_for(director)
    _password_login(client, director)
    for _attempt in range(2):
        page = client.post(VERIFY, {"code": "000000"}).content.decode()
        assert "验证码不正确或已过期" in page
        device.refresh_from_db()
        device.throttling_failure_timestamp = None  # as if the user waited out the short pause
        device.save()
    page = client.post(VERIFY, {"code": "000000"}).content.decode()
    assert "验证码错误次数过多，已暂时锁定" in page and "秒后" in page

    # Even the right code is refused while locked: guessing gains nothing.
    page = client.post(VERIFY, {"code": next_code(device)}).content.decode()
    assert "已暂时锁定" in page
    assert client.get(WORKPLACE["director"]).status_code == 302

    device.refresh_from_db()
    device.throttling_failure_timestamp -= datetime.timedelta(minutes=1)
    device.save()
    response = client.post(VERIFY, {"code": next_code(device), "next": WORKPLACE["director"]})
    assert response.status_code == 302 and response.url == WORKPLACE["director"]


# --------------------------------------------------------------------------- administrator's reset


@pytest.fixture
def administrator(db):
    return UserFactory(full_name="系统管理员", is_staff=True, is_superuser=True)


def test_an_administrator_resets_a_lost_device_and_it_is_audited(client, administrator, director):
    director_client = type(client)()
    director_client.force_login(director)
    _with_recovery_codes(director)
    assert director_client.get(WORKPLACE["director"]).status_code == 200

    client.force_login(administrator)
    response = client.post(
        reverse("admin:portal_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [director.pk]},
        follow=True,
    )
    assert "已重置 1 个用户的两步验证" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=director).exists()
    assert not StaticDevice.objects.filter(user=director).exists()
    entry = LogEntry.objects.get(action_type="portal.user.two_factor_reset")
    assert entry.content_object == director and entry.actor == administrator

    assert entry.data == {"sessions_ended": 1}

    # The director's open session (a lost phone's, say) is over: a password login comes first,
    # then enrolment again, before anything else.
    response = director_client.get(WORKPLACE["director"])
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    response = _password_login(director_client, director)
    assert response.redirect_chain[-1][0].startswith(SETUP)
    assert "必须使用两步验证" in response.content.decode()
    # The administrator's own session goes on.
    assert client.get(reverse("admin:portal_user_changelist")).status_code == 200


def test_staff_cannot_reset_anyones_second_factor(client, staff, director):
    authenticator_for(director)
    client.force_login(staff)
    response = client.post(
        reverse("admin:portal_user_changelist"), {"action": "reset_two_factor", "_selected_action": [director.pk]}
    )
    assert response.status_code in (302, 403)
    assert TOTPDevice.objects.filter(user=director).exists()
    assert not LogEntry.objects.filter(action_type="portal.user.two_factor_reset").exists()


def test_the_service_refuses_a_reset_by_anyone_but_an_administrator(staff, director):
    authenticator_for(director)
    with pytest.raises(Forbidden):
        two_factor_reset(user=director, by=staff)
    assert TOTPDevice.objects.filter(user=director).exists()


# --------------------------------------------------------------------------- fresh factor for signing


def _age_the_factor(client, minutes):
    session = client.session
    session[SESSION_VERIFIED_AT] = time.time() - minutes * 60
    session.save()


@pytest.fixture
def letter_to_sign(staff, agency):
    letter = draft_letter(in_progress_case(staff), staff, [agency])
    return services.letter_submit(letter=letter, by=staff)


def test_signing_a_letter_within_the_window_needs_no_new_code(client, director, letter_to_sign, settings):
    settings.SIGNING_FRESH_FACTOR_MINUTES = 5
    client.force_login(director)
    _age_the_factor(client, 4)
    act = reverse("admin:cases_assistanceletter_act", args=[letter_to_sign.pk])
    response = client.post(act, {"action": "sign", "seen_revision": letter_to_sign.revision})
    assert response.status_code == 302
    letter_to_sign.refresh_from_db()
    assert letter_to_sign.status == "signed"


def test_signing_a_letter_after_the_window_asks_for_a_code_and_then_signs_with_nothing_lost(
    client, director, letter_to_sign, settings
):
    settings.SIGNING_FRESH_FACTOR_MINUTES = 5
    client.force_login(director)
    device = authenticator_for(director)
    _age_the_factor(client, 6)
    change = reverse("admin:cases_assistanceletter_change", args=[letter_to_sign.pk])
    act = reverse("admin:cases_assistanceletter_act", args=[letter_to_sign.pk])
    response = client.post(act, {"action": "sign", "seen_revision": letter_to_sign.revision}, HTTP_REFERER=change)
    page = response.content.decode()
    assert response.status_code == 200 and "再次验证身份" in page and "5 分钟内" in page
    letter_to_sign.refresh_from_db()
    assert letter_to_sign.status == "awaiting_signature"

    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    assert form["action"] == "sign" and form["seen_revision"] == str(letter_to_sign.revision)
    assert form["twofactor-next"] == act and form["twofactor-back"] == change

    wrong = client.post(reverse("twofactor:confirm"), {**form, "twofactor-code": "000000"})
    assert "验证码不正确" in wrong.content.decode() and 'name="seen_revision"' in wrong.content.decode()
    letter_to_sign.refresh_from_db()
    assert letter_to_sign.status == "awaiting_signature"
    device.throttle_reset()

    response = client.post(reverse("twofactor:confirm"), {**form, "twofactor-code": next_code(device)})
    assert response.status_code == 307 and response.url == act
    # The browser repeats the original request, fields and all, at the same address.
    response = client.post(act, form, follow=True)
    assert response.redirect_chain[-1][0] == change
    letter_to_sign.refresh_from_db()
    assert letter_to_sign.status == "signed" and letter_to_sign.number


def test_the_confirm_step_sends_the_signing_on_as_it_was_sent(client, director, letter_to_sign):
    """Followed like a browser: the 307 repeats the original POST, and the letter is signed."""
    client.force_login(director)
    device = authenticator_for(director)
    _age_the_factor(client, 30)
    act = reverse("admin:cases_assistanceletter_act", args=[letter_to_sign.pk])
    page = client.post(act, {"action": "sign", "seen_revision": letter_to_sign.revision}).content.decode()
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    response = client.post(reverse("twofactor:confirm"), {**form, "twofactor-code": next_code(device)}, follow=True)
    assert response.status_code == 200
    assert "已签发" in response.content.decode()
    letter_to_sign.refresh_from_db()
    assert letter_to_sign.status == "signed"


def test_signing_an_opinion_after_the_window_asks_for_a_code_first(
    client, director, staff, applicant_org, django_capture_on_commit_callbacks
):
    opinion = make_opinion(make_case(applicant_org=applicant_org, by=staff), staff)
    opinion_submit(opinion=opinion, by=staff)
    opinion_review(opinion=opinion, by=staff, approve=True)
    client.force_login(director)
    device = authenticator_for(director)
    _age_the_factor(client, 10)
    sign = reverse("admin:cases_guidanceopinion_sign", args=[opinion.pk])
    page = client.post(sign).content.decode()
    assert "再次验证身份" in page
    opinion.refresh_from_db()
    assert opinion.status == GuidanceOpinion.Status.APPROVED

    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("twofactor:confirm"), {**form, "twofactor-code": next_code(device)}, follow=True)
    opinion.refresh_from_db()
    assert opinion.status == GuidanceOpinion.Status.SIGNED


# --------------------------------------------------------------------------- demo


def test_demo_accounts_that_need_two_factors_get_the_published_key(settings, capsys):
    settings.DEBUG = True
    staff = UserFactory(email="staff@demo.example.cn", is_staff=True, roles=[Role.STAFF])
    applicant = UserFactory(email="applicant@demo.example.cn", roles=[Role.APPLICANT])
    assert give_demo_authenticators([staff, applicant]) == 1
    device = TOTPDevice.objects.get(user=staff)
    assert device.key == DEMO_TOTP_KEY_HEX and DEMO_TOTP_SECRET in open_readme()
    assert not TOTPDevice.objects.filter(user=applicant).exists()

    call_command("demo_totp", "staff@demo.example.cn")
    printed = capsys.readouterr().out.strip()
    now = TOTP(device.bin_key)
    assert printed in {f"{now.token():06d}", f"{TOTP(device.bin_key, drift=-1).token():06d}"}


def open_readme():
    return (django_settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
