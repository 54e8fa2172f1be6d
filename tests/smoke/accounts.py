"""Create one account per role in a fresh production-mode database, for the smoke test.

Run as `python -m tests.smoke.accounts` with the production settings in the environment, the
accounts' password in SMOKE_PASSWORD and the key of their authenticators (for the roles that must
use a second factor) in SMOKE_TOTP_KEY. (seed_demo refuses to run with DEBUG off, rightly: its
password is published. This password is random and lives only as long as the smoke test.)
"""

import datetime
import os

import django

# (role key, e-mail, full name); the test imports this list to log in as each.
ACCOUNTS = [
    ("applicant", "applicant@smoke.example.cn", "王丽"),
    ("staff", "staff@smoke.example.cn", "李明"),
    ("director", "director@smoke.example.cn", "赵建国"),
    ("deputy", "deputy@smoke.example.cn", "孙红"),
    ("agency", "agency@smoke.example.cn", "陈静"),
    ("expert", "expert@smoke.example.cn", "吴志远"),
    ("station", "station@smoke.example.cn", "郭晓燕"),
]
STATION = "魏都区工作站"
CREDIT_CODE = "91350100M000100Y43"


def create_accounts(password, totp_key):
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from applications.choices import ApplicantCategory
    from applications.models import Applicant, ApplicantAccount
    from experts.models import Expert
    from portal.models import DeputyDirector, PartnerAgency, ServicePoint, User
    from portal.roles import Role
    from portal.twofactor.core import needs_two_factor

    # The roles' groups and permissions come from `migrate` alone, as in any production database.
    organisation = Applicant.objects.create(
        name="太原晋成精密机械有限公司", category=ApplicantCategory.ENTERPRISE, credit_code=CREDIT_CODE
    )
    agency = PartnerAgency.objects.create(code="commerce", name="山西省商务厅", short_name="省商务厅")
    station = ServicePoint.objects.create(
        name=STATION,
        level=ServicePoint.Level.DISTRICT,
        region="许昌市魏都区",
        address="许昌市魏都区七一路 89 号",
        hotline="0374-2961234",
    )
    roles = {
        "applicant": ([Role.APPLICANT], {}),
        "staff": ([Role.STAFF], {"is_staff": True}),
        "director": ([Role.DIRECTOR, Role.STAFF], {"is_staff": True}),
        "deputy": ([Role.DEPUTY, Role.STAFF], {"is_staff": True}),
        "agency": ([Role.AGENCY], {"agency": agency}),
        "expert": ([Role.EXPERT], {}),
        "station": ([Role.SERVICE_POINT], {"is_staff": True, "service_point": station}),
    }
    for key, email, name in ACCOUNTS:
        groups, extra = roles[key]
        user = User.objects.create(email=email, full_name=name, **extra)
        user.set_password(password)
        user.save()
        user.groups.add(*(Group.objects.get(name=role) for role in groups))
        if key == "applicant":
            ApplicantAccount.objects.create(user=user, applicant=organisation)
        if key == "deputy":
            DeputyDirector.objects.create(user=user, rotation_order=1, joined_on=datetime.date(2024, 1, 1))
        if key == "expert":
            Expert.objects.create(user=user, name=name, organisation="山西大学法学院", email=email)
        if needs_two_factor(user):
            TOTPDevice.objects.create(user=user, name="authenticator", key=totp_key, confirmed=True)


if __name__ == "__main__":
    django.setup()
    create_accounts(os.environ["SMOKE_PASSWORD"], os.environ["SMOKE_TOTP_KEY"])
