"""Demo data of the foundation: the center, its six co-building agencies (the Shanxi notice of 2023),
the three-level service network of workstations (the Xuchang network: city, districts and counties,
industrial parks), one user per role, and the working-day calendar. Other apps add theirs in their own
`demo.py`, which the `demo` app's `seed_demo` command calls in order (the applicant user's
organisation comes from applications.demo)."""

import datetime

from django.contrib.auth.models import Group
from django.db import transaction

from portal.groups import ensure_groups, grant_center_permissions, grant_service_point_permissions
from portal.models import CalendarDay, DeputyDirector, PartnerAgency, ServicePoint, SiteConfiguration, User
from portal.roles import Role
from portal.twofactor.demo import DEMO_TOTP_SECRET, give_demo_authenticators
from portal.workdays import renumbering_once

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

# The three-level service network of Xuchang (许昌市): the city workstation, one per district or
# county-level city, and the industrial parks' own. (name, level, parent, region, host, address, hotline)
CITY, DISTRICT, PARK = ServicePoint.Level.CITY, ServicePoint.Level.DISTRICT, ServicePoint.Level.PARK
SERVICE_POINTS = [
    (
        "许昌市海外知识产权纠纷应对指导工作站",
        CITY,
        None,
        "许昌市",
        "许昌市市场监督管理局",
        "许昌市魏都区八一东路与学院路交叉口市民之家 3 楼",
        "0374-2961234",
    ),
    (
        "魏都区工作站",
        DISTRICT,
        "许昌市海外知识产权纠纷应对指导工作站",
        "魏都区",
        "魏都区市场监督管理局",
        "许昌市魏都区文峰路 89 号",
        "0374-2331256",
    ),
    (
        "建安区工作站",
        DISTRICT,
        "许昌市海外知识产权纠纷应对指导工作站",
        "建安区",
        "建安区市场监督管理局",
        "许昌市建安区许由路 168 号",
        "0374-8123578",
    ),
    (
        "禹州市工作站",
        DISTRICT,
        "许昌市海外知识产权纠纷应对指导工作站",
        "禹州市",
        "禹州市市场监督管理局",
        "禹州市药城路 56 号",
        "0374-8836612",
    ),
    (
        "长葛市工作站",
        DISTRICT,
        "许昌市海外知识产权纠纷应对指导工作站",
        "长葛市",
        "长葛市市场监督管理局",
        "长葛市葛天大道 210 号",
        "0374-6198820",
    ),
    (
        "许昌经济技术开发区工作站",
        PARK,
        "许昌市海外知识产权纠纷应对指导工作站",
        "许昌经济技术开发区",
        "许昌经济技术开发区管理委员会",
        "许昌经济技术开发区瑞祥路 1 号企业服务中心",
        "0374-3396601",
    ),
    (
        "中原电气谷工作站",
        PARK,
        "建安区工作站",
        "建安区",
        "中原电气谷管理委员会",
        "许昌市建安区尚德路中原电气谷科创中心 2 楼",
        "0374-8168899",
    ),
    (
        "长葛大周再生金属产业园工作站",
        PARK,
        "长葛市工作站",
        "长葛市",
        "长葛市大周镇人民政府",
        "长葛市大周镇产业园区管理服务中心",
        "0374-6371120",
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
    """The demo years' holidays and make-up days, as staff would enter them; the working-day table
    is renumbered once at the end, not after each day (renumbering_once)."""
    with transaction.atomic(), renumbering_once():
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


def seed_service_points():
    """The Xuchang network, parents before children; idempotent (looked up by name)."""
    points = {}
    for order, (name, level, parent, region, host, address, hotline) in enumerate(SERVICE_POINTS, start=1):
        points[name], _created = ServicePoint.objects.update_or_create(
            name=name,
            defaults={
                "level": level,
                "parent": points[parent] if parent else None,
                "region": region,
                "host_organisation": host,
                "address": address,
                "hotline": hotline,
                "office_hours": "工作日 8:30–12:00，14:30–17:30",
                "display_order": order,
            },
        )
    return points


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
    points = seed_service_points()

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
        # A workstation's staff member works in the admin, scoped to the workstation.
        "station": _user(
            "station@demo.cn",
            "郭晓燕",
            [Role.SERVICE_POINT],
            service_point=points["魏都区工作站"],
            phone="0374-2331256",
            **staff_flags,
        ),
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
    grant_center_permissions()
    grant_service_point_permissions()
    give_demo_authenticators(users.values())
    out.write(
        f"Foundation: {PartnerAgency.objects.count()} agencies, {ServicePoint.objects.count()} workstations, "
        f"{User.objects.count()} users."
    )
    out.write(
        f"Two-factor: staff, director, deputies, workstation and agency users use the demo authenticator key "
        f"{DEMO_TOTP_SECRET}; `python manage.py demo_totp <e-mail>` prints the current code."
    )
    return users
