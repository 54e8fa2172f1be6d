"""Demo applications: the demo applicant's in several states, three other organisations', a natural
person's (applying with her resident ID) and a sole trader's.

Everything goes through the services (submit, return, accept), so the numbers, events,
versions, receipts, notices and cases are the real thing. Idempotent: an application is
recognised by its organisation and opponent and is not created twice.
"""

import datetime

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import services
from applications.choices import ApplicantCategory, IdType
from applications.models import Applicant, ApplicantAccount, Application, MembershipRequest
from applications.selectors import applicant_of
from portal.demo import DEMO_PASSWORD
from portal.models import ServicePoint, User
from portal.roles import Role
from portal.validators import credit_code_check_character, resident_id_check_character


def _pdf(title):
    """A small one-page PDF standing in for a scanned document."""
    text = title.encode("ascii", "replace")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
        b"4 0 obj<</Length " + str(len(stream)).encode() + b">>stream\n" + stream + b"\nendstream endobj\n"
        b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


ORGANISATIONS = [
    {
        "credit_code": "91140100MA0K8T2Q3Y",
        "name": "山西清徐老陈醋酿造有限公司",
        "category": ApplicantCategory.ENTERPRISE,
        "address": "山西省太原市清徐县美锦街 18 号",
        "user": ("laochencu@demo.cn", "郭敏", "13903510001"),
    },
    {
        "credit_code": "91140100MA0L2N6R9U",
        "name": "太原智感通信科技有限公司",
        "category": ApplicantCategory.ENTERPRISE,
        "address": "山西省太原市小店区长治路 289 号创新大厦 12 层",
        "user": ("zhigan@demo.cn", "韩磊", "13903510002"),
    },
    {
        "credit_code": "12140200MB1A5C7D8P",
        "name": "大同新材料研究院",
        "category": ApplicantCategory.RESEARCH,
        "address": "山西省大同市平城区御东新区文兴路 6 号",
        "user": ("xincailiao@demo.cn", "冯晓", "13903520003"),
    },
]


def _valid_code(code):
    """The demo codes above keep their first 17 characters; the check character is computed."""
    return code[:17] + credit_code_check_character(code[:17])


APPLICATIONS = [
    {
        "org": "demo",
        "state": "accepted",
        "fields": {
            "dispute_types": ["trade_investigation", "infringement"],
            "right_types": ["invention"],
            "countries": ["US"],
            "opponent_types": ["competitor"],
            "opponent_name": "Precision Motion Systems Inc.（美国精密运动系统公司）",
            "technical_fields": ["mechanical"],
            "technical_field_other": "五轴联动数控机床及其主轴部件",
            "request": (
                "2026 年 10 月 9 日，美国国际贸易委员会（ITC）根据美国精密运动系统公司的申请，"
                "对包括我司在内的 4 家中国企业出口的五轴联动数控机床发起 337 调查（调查编号 337-TA-1452），"
                "指控侵犯其两项美国发明专利（US 10,xxx,xxx 和 US 11,xxx,xxx）。"
                "我司须在 20 日内提交答辩。恳请中心在以下方面给予指导：\n"
                "1. 应诉还是和解的利弊分析；\n2. 美国 337 调查程序和时间表；\n"
                "3. 推荐有 337 应诉经验的律所和技术专家；\n4. 可否与其他被诉中国企业联合应诉。"
            ),
            "impact": (
                "我司对美出口年销售额约 4200 万元，占总销售额 35%。如被裁定侵权并发布普遍排除令，"
                "相关产品将无法进入美国市场，并可能影响全省同类机床企业约 1.5 亿元的对美出口。"
            ),
            "level": "major",
            "other_requests": "涉及技术秘密，希望专家签署保密承诺。",
        },
    },
    {
        "org": "demo",
        "state": "returned",
        "return_reason": (
            "1. 请上传德国杜塞尔多夫地方法院临时禁令的原文及中文译文；\n"
            "2. 请补充涉案实用新型的登记号，以及我司产品与其权利要求的对比说明。"
        ),
        "fields": {
            "dispute_types": ["exhibition", "infringement"],
            "right_types": ["utility_model"],
            "countries": ["DE"],
            "opponent_types": ["competitor"],
            "opponent_name": "Hoffmann Werkzeugbau GmbH",
            "technical_fields": ["mechanical"],
            "request": (
                "我司参加 2026 年汉诺威工业博览会期间，德国 Hoffmann 公司持其德国实用新型向法院申请临时禁令，"
                "展会现场被要求撤下两台样机，并收到律师函要求签署停止侵权声明。"
                "请求指导：是否应签署声明、如何提出异议、后续展会如何防范。"
            ),
            "impact": "在德国及欧盟的订单约 800 万元受影响；明年还计划参加 3 个欧洲展会。",
            "level": "ordinary",
        },
    },
    {
        "org": "demo",
        "state": "submitted",
        "fields": {
            "dispute_types": ["licensing"],
            "right_types": ["invention"],
            "countries": ["JP"],
            "opponent_types": ["university"],
            "opponent_name": "东北某国立大学技术转移机构",
            "technical_fields": ["mechanical"],
            "request": "日方许可方要求将许可费率从 3% 提高到 5%，并主张我司改进技术的专利应回授给对方。请求指导谈判策略。",
            "impact": "许可产品年销售额约 1500 万元。",
            "level": "ordinary",
        },
    },
    {
        "org": "demo",
        "state": "draft",
        "fields": {
            "dispute_types": ["trade_secret"],
            "right_types": [],
            "countries": ["VN"],
            "opponent_types": ["individual"],
            "opponent_name": "",
            "request": "原技术骨干离职后在越南设厂，疑似使用我司的主轴装配工艺图纸……（待补充）",
            "impact": "",
            "level": "",
        },
    },
    {
        "org": 0,
        "state": "submitted",
        "fields": {
            "dispute_types": ["ownership", "other"],
            "dispute_type_other": "商标被抢注",
            "right_types": ["trademark", "gi"],
            "countries": ["BR"],
            "opponent_types": ["individual"],
            "opponent_name": "Carlos Mendes Importação Ltda.",
            "technical_fields": ["other"],
            "technical_field_other": "食品（酿造食醋）",
            "request": (
                "我司计划进入巴西市场时发现，巴西一进口商已于 2025 年在巴西工业产权局（INPI）"
                "将我司“晋醋坊”商标及拼音在第 30 类抢先注册，并向我司索要转让费。"
                "请求指导：在巴西提出无效宣告的条件和期限，以及“山西老陈醋”地理标志在巴西的保护途径。"
            ),
            "impact": "影响对南美出口计划，首年预计销售额 600 万元；其他山西醋企也面临同样风险。",
            "level": "ordinary",
        },
    },
    {
        "org": 1,
        "state": "accepted",
        "fields": {
            "dispute_types": ["infringement"],
            "right_types": ["invention"],
            "countries": ["US"],
            "opponent_types": ["npe"],
            "opponent_name": "Lone Star Wireless Licensing LLC",
            "technical_fields": ["communications"],
            "request": (
                "一家非专利实施实体在美国得克萨斯东区联邦地区法院起诉我司及美国经销商，"
                "称我司物联网通信模组侵犯其 3 项 4G 标准必要专利，要求按每台 1.2 美元支付许可费。"
                "请求指导：标准必要专利的 FRAND 抗辩、专利无效（IPR）可行性与费用。"
            ),
            "impact": "美国经销商已暂停下单，涉及年出口额约 2600 万元。",
            "level": "major",
        },
    },
    {
        "org": 2,
        "state": "submitted",
        "fields": {
            "applicant_category": ApplicantCategory.RESEARCH,
            "dispute_types": ["ownership"],
            "right_types": ["invention"],
            "countries": ["DE", "EU"],
            "opponent_types": ["university"],
            "opponent_name": "某德国工业大学材料研究所",
            "technical_fields": ["chemistry"],
            "request": (
                "我院与德国某大学合作研发的高温合金涂层技术，德方未经协商以其单方名义向欧洲专利局提交了专利申请。"
                "请求指导：合作协议下的权属主张、欧洲专利局程序中的权利人变更。"
            ),
            "impact": "涉及我院核心技术，后续产业化转让估值约 3000 万元。",
            "level": "ordinary",
        },
    },
]


def _member(email, name, phone, organisation):
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": name, "phone": phone})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    user.groups.add(Group.objects.get_or_create(name=Role.APPLICANT)[0])
    ApplicantAccount.objects.get_or_create(user=user, defaults={"applicant": organisation})
    return user


# The demo applicant's organisation; its user applicant@demo.cn is created by portal.demo.
DEMO_ORGANISATION = {
    "credit_code": "91350100M000100Y43",
    "name": "太原晋成精密机械有限公司",
    "category": ApplicantCategory.ENTERPRISE,
    "name_en": "Taiyuan Jincheng Precision Machinery Co., Ltd.",
    "address": "山西省太原市小店区学府街 101 号",
}


# A natural person and a sole trader, helped by workstations of the service network (portal.demo):
# a cross-border seller of Xuchang wigs applies in her own name with her resident ID, a small
# metalworking shop in Changge with its business licence.
PERSON = {
    "name": "刘晓燕",
    "category": ApplicantCategory.INDIVIDUAL,
    "id_type": IdType.RESIDENT_ID,
    "id_number_first17": "41100219880615002",
    "address": "河南省许昌市魏都区七里店街道建设路 16 号",
    "service_point": "魏都区工作站",
    "user": ("person@demo.cn", "刘晓燕", "13603740021"),
}
SOLE_TRADER = {
    "credit_code": "92411082MA9GQ3WR7X",
    "name": "长葛市大周镇王记五金加工部",
    "category": ApplicantCategory.SOLE_TRADER,
    "address": "河南省长葛市大周镇再生金属产业园 8 号",
    "service_point": "长葛大周再生金属产业园工作站",
    "user": ("soletrader@demo.cn", "王建军", "13603740022"),
}


APPLICATIONS += [
    {
        "org": "person",
        "state": "submitted",
        "fields": {
            "contact_address": PERSON["address"],
            "dispute_types": ["infringement"],
            "right_types": ["design"],
            "countries": ["US"],
            "opponent_types": ["individual", "other"],
            "opponent_type_other": "跨境电商平台上的投诉人",
            "opponent_name": "Bella Hair Studio LLC",
            "technical_fields": ["other"],
            "technical_field_other": "发制品（假发、接发）",
            "request": (
                "我以个人名义在美国亚马逊开店销售许昌产的真人发头套。2026 年 11 月，美国一家公司以其外观设计专利"
                "向平台投诉，我的 6 个商品链接被下架，平台要求在 30 日内提交申诉材料。"
                "请求指导：对方外观设计专利是否有效、我的产品是否落入保护范围、如何向平台申诉。"
            ),
            "impact": "店铺月销售额约 8 万元，下架后销售停顿；同一投诉人还投诉了许昌其他几十家卖家。",
            "level": "ordinary",
            "foreign_deadline_days": 24,
            "foreign_deadline_what": "亚马逊平台申诉",
            "foreign_deadline_where": "美国亚马逊平台",
            "urgent": True,
        },
    },
    {
        "org": "sole_trader",
        "state": "submitted",
        "fields": {
            "dispute_types": ["ownership", "other"],
            "dispute_type_other": "商标被抢注",
            "right_types": ["trademark"],
            "countries": ["RU"],
            "opponent_types": ["competitor"],
            "opponent_name": "ООО «Металл-Трейд»",
            "technical_fields": ["mechanical"],
            "request": (
                "本店出口俄罗斯的五金件商标“王记”（拼音 WANGJI）被当地一家经销商在俄罗斯联邦知识产权局抢先注册，"
                "对方要求我店停止使用并支付许可费。请求指导：在俄罗斯提出异议或无效的条件和期限。"
            ),
            "impact": "对俄出口年销售额约 120 万元。",
            "level": "ordinary",
            "foreign_deadline_days": 60,
            "foreign_deadline_what": "商标无效宣告请求",
            "foreign_deadline_where": "俄罗斯联邦知识产权局",
        },
    },
]


def _point(name):
    return ServicePoint.objects.filter(name=name).first()


def _person_and_sole_trader():
    first17 = PERSON["id_number_first17"]
    person, _created = Applicant.objects.get_or_create(
        id_type=PERSON["id_type"],
        id_number=first17 + resident_id_check_character(first17),
        defaults={
            "name": PERSON["name"],
            "category": PERSON["category"],
            "credit_code": None,
            "address": PERSON["address"],
            "service_point": _point(PERSON["service_point"]),
        },
    )
    trader, _created = Applicant.objects.get_or_create(
        credit_code=_valid_code(SOLE_TRADER["credit_code"]),
        defaults={
            "name": SOLE_TRADER["name"],
            "category": SOLE_TRADER["category"],
            "address": SOLE_TRADER["address"],
            "service_point": _point(SOLE_TRADER["service_point"]),
        },
    )
    return {
        "person": (person, _member(*PERSON["user"], person)),
        "sole_trader": (trader, _member(*SOLE_TRADER["user"], trader)),
    }


def _organisations():
    spec = dict(DEMO_ORGANISATION)
    demo_org, _created = Applicant.objects.get_or_create(credit_code=spec.pop("credit_code"), defaults=spec)
    demo_user = User.objects.get(email="applicant@demo.cn")
    ApplicantAccount.objects.get_or_create(user=demo_user, defaults={"applicant": demo_org})
    organisations = {"demo": (demo_org, demo_user)}
    for index, spec in enumerate(ORGANISATIONS):
        organisation, _created = Applicant.objects.get_or_create(
            credit_code=_valid_code(spec["credit_code"]),
            defaults={"name": spec["name"], "category": spec["category"], "address": spec["address"]},
        )
        email, name, phone = spec["user"]
        organisations[index] = (organisation, _member(email, name, phone, organisation))
    organisations.update(_person_and_sole_trader())
    return organisations


def _evidence(application, user, state):
    if application.attachments.exists():
        return
    if application.applicant.is_person:
        files = [("standing", "居民身份证（正反面）.pdf", "Resident ID card")]
    else:
        files = [("standing", "营业执照（副本）.pdf", "Business licence")]
    if state != "draft":
        files.append(("legal_papers", "对方来函或法院文书.pdf", "Legal papers"))
    for category, name, title in files:
        upload = SimpleUploadedFile(name, _pdf(title), content_type="application/pdf")
        services.attachment_add(application=application, category=category, upload=upload, by=user)


def seed(out):
    staff = User.objects.get(email="staff@demo.cn")
    organisations = _organisations()
    created = 0
    for spec in APPLICATIONS:
        organisation, user = organisations[spec["org"]]
        fields = dict(spec["fields"])
        if Application.objects.filter(applicant=organisation, request=fields["request"]).exists():
            continue
        if "foreign_deadline_days" in fields:
            fields["foreign_deadline"] = timezone.localdate() + datetime.timedelta(
                days=fields.pop("foreign_deadline_days")
            )
        application = services.application_create(applicant=organisation, by=user)
        services.application_save_draft(application=application, data=fields, by=user)
        _evidence(application, user, spec["state"])
        created += 1
        if spec["state"] == "draft":
            continue
        application = services.application_submit(application=application, by=user)
        if spec["state"] == "returned":
            services.application_return(application=application, by=staff, reason=spec["return_reason"])
        elif spec["state"] == "accepted":
            services.application_accept(application=application, by=staff)

    # A colleague of the demo applicant waiting for approval to join the organisation.
    demo_org = organisations["demo"][0]
    newcomer, _created = User.objects.get_or_create(
        email="colleague@demo.cn", defaults={"full_name": "张伟（待加入的同事）", "phone": "13812340000"}
    )
    if _created:
        newcomer.set_password(DEMO_PASSWORD)
        newcomer.save()
    if applicant_of(newcomer) is None and not MembershipRequest.objects.filter(user=newcomer).exists():
        services.membership_request(user=newcomer, applicant=demo_org, by=newcomer, note="法务部 知识产权专员")
    out.write(
        f"Applications: {created} new, {Application.objects.count()} in all; "
        f"other applicant logins laochencu@demo.cn, zhigan@demo.cn, xincailiao@demo.cn, colleague@demo.cn, "
        f"person@demo.cn (a natural person), soletrader@demo.cn (a sole trader) "
        f"(password {DEMO_PASSWORD})."
    )
