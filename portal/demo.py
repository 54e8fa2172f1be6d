"""Demo data of the foundation: the center, its six co-building agencies (the Shanxi notice of 2023),
one user per role, and the working-day calendar. Other apps add theirs in their own
`demo.py`, which the `demo` app's `seed_demo` command calls in order (the applicant user's
organisation comes from applications.demo)."""

import datetime

from django.contrib.auth.models import Group, Permission

from portal.models import CalendarDay, DeputyDirector, PartnerAgency, SiteConfiguration, User
from portal.roles import Role
from portal.twofactor.demo import DEMO_TOTP_SECRET, give_demo_authenticators

DEMO_PASSWORD = "demo-pass-2026"

# The six co-building agencies of 晋知产发〔2023〕25号.
AGENCIES = [
    (
        "sxipa",
        "山西省知识产权局",
        "省知识产权局",
        PartnerAgency.Kind.IP_OFFICE,
        "专利、商标行政保护，海外纠纷信息报送，推荐专家",
    ),
    ("sxcopyright", "山西省版权局", "省版权局", PartnerAgency.Kind.COPYRIGHT, "版权登记与保护，版权纠纷指导"),
    ("sxcommerce", "山西省商务厅", "省商务厅", PartnerAgency.Kind.COMMERCE, "贸易救济、337 调查应对，境外商务信息"),
    ("sxfao", "山西省人民政府外事办公室", "省外办", PartnerAgency.Kind.FOREIGN_AFFAIRS, "涉外联络，驻外使领馆信息查询"),
    (
        "ccpitsx",
        "中国国际贸易促进委员会山西省委员会",
        "省贸促会",
        PartnerAgency.Kind.CCPIT,
        "商事调解与仲裁，展会知识产权服务",
    ),
    (
        "tycustoms",
        "中华人民共和国太原海关",
        "太原海关",
        PartnerAgency.Kind.CUSTOMS,
        "知识产权海关备案核查，进出口环节保护",
    ),
]

# Exceptions to the Monday–Friday week for 2026 and 2027 (holidays and 调休 make-up days),
# as published by the State Council; staff maintain them in the admin.
CALENDAR = {
    2026: {
        "holidays": [
            ("2026-01-01", "2026-01-03", "元旦"),
            ("2026-02-15", "2026-02-23", "春节"),
            ("2026-04-04", "2026-04-06", "清明节"),
            ("2026-05-01", "2026-05-05", "劳动节"),
            ("2026-06-19", "2026-06-21", "端午节"),
            ("2026-09-25", "2026-09-27", "中秋节"),
            ("2026-10-01", "2026-10-07", "国庆节"),
        ],
        "workdays": [
            ("2026-01-04", "元旦调休"),
            ("2026-02-14", "春节调休"),
            ("2026-02-28", "春节调休"),
            ("2026-05-09", "劳动节调休"),
            ("2026-09-20", "国庆节调休"),
            ("2026-10-10", "国庆节调休"),
        ],
    },
}


def _days(first, last):
    day = datetime.date.fromisoformat(first)
    end = datetime.date.fromisoformat(last)
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


def seed_calendar():
    for spec in CALENDAR.values():
        for first, last, note in spec["holidays"]:
            for day in _days(first, last):
                CalendarDay.objects.update_or_create(date=day, defaults={"is_working_day": False, "note": note})
        for day, note in spec["workdays"]:
            CalendarDay.objects.update_or_create(
                date=datetime.date.fromisoformat(day), defaults={"is_working_day": True, "note": note}
            )


def _user(email, name, roles, **extra):
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": name, **extra})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    user.groups.add(*(Group.objects.get_or_create(name=role)[0] for role in roles))
    return user


def ensure_groups():
    for role in Role:
        Group.objects.get_or_create(name=role.value)


def seed(out):
    ensure_groups()
    config = SiteConfiguration.get()
    config.save()
    for order, (code, name, short, kind, services) in enumerate(AGENCIES, start=1):
        PartnerAgency.objects.update_or_create(
            code=code,
            defaults={"name": name, "short_name": short, "kind": kind, "services": services, "display_order": order},
        )
    seed_calendar()

    staff_flags = {"is_staff": True}
    users = {
        "applicant": _user("applicant@demo.cn", "王丽", [Role.APPLICANT], phone="13812345678"),
        "staff": _user("staff@demo.cn", "李明", [Role.STAFF], **staff_flags),
        "director": _user("director@demo.cn", "赵建国", [Role.DIRECTOR, Role.STAFF], **staff_flags),
        "deputy": _user("deputy@demo.cn", "孙红", [Role.DEPUTY, Role.STAFF], **staff_flags),
        "deputy2": _user("deputy2@demo.cn", "周强", [Role.DEPUTY, Role.STAFF], **staff_flags),
        "agency": _user(
            "agency@demo.cn",
            "陈静",
            [Role.AGENCY],
            agency=PartnerAgency.objects.get(code="sxcommerce"),
        ),
        "agency2": _user(
            "customs@demo.cn",
            "刘洋",
            [Role.AGENCY],
            agency=PartnerAgency.objects.get(code="tycustoms"),
        ),
        "expert": _user("expert@demo.cn", "吴志远", [Role.EXPERT]),
    }
    for order, key in enumerate(["deputy", "deputy2"], start=1):
        DeputyDirector.objects.get_or_create(
            user=users[key],
            defaults={
                "rotation_order": order,
                "joined_on": datetime.date(2024, 1, 1),
                "post_title": "常务副主任" if order == 1 else "副主任",
            },
        )
    _grant_center_permissions()
    give_demo_authenticators(users.values())
    out.write(f"Foundation: {PartnerAgency.objects.count()} agencies, {User.objects.count()} users.")
    out.write(
        f"Two-factor: staff, director, deputies and agency users use the demo authenticator key "
        f"{DEMO_TOTP_SECRET}; `python manage.py demo_totp <e-mail>` prints the current code."
    )
    return users


def _grant_center_permissions():
    """Center staff, the director and deputies work in the admin: give their groups the
    model permissions of the portal's own apps (object-level rules still apply)."""
    perms = Permission.objects.filter(
        content_type__app_label__in=["portal", "applications", "cases", "experts", "meetings", "documents", "knowledge"]
    ).exclude(content_type__model__in=["user", "sequence"])
    for role in (Role.STAFF, Role.DIRECTOR, Role.DEPUTY):
        Group.objects.get(name=role).permissions.add(*perms)
    # Which key signs in a signer's name is for the director and deputies to decide, not for staff.
    Group.objects.get(name=Role.STAFF).permissions.remove(*perms.filter(content_type__model="signercertificate"))
