"""Demo data of the register: eight key export enterprises of Xuchang in the city's four export
industries (wigs and hair products, power equipment, automobile parts, ceramics), with their markets,
brands abroad and IP liaison officers, placed at the workstations of the service network.

The enterprises, their brands, registration numbers, people and addresses are invented (the names
sound like Xuchang firms but none is a real company); credit codes are well formed (Xuchang's region
code 411000 and a correct check character) but belong to no one, and e-mail addresses use the
reserved example domain. Two enterprises attended the knowledge platform's past training session.

Runs after portal.demo (users, workstations) and knowledge.demo (events). Idempotent: an enterprise
is found by its credit code, an officer by e-mail address, a registration by event and address."""

import datetime

from django.utils import timezone

from enterprises import services
from enterprises.models import KeyEnterprise, LiaisonOfficer
from knowledge.models import Event, Registration
from portal.models import ServicePoint, User
from portal.validators import credit_code_check_character

DEMO_NOTE = "（演示数据：企业、商标、注册号和联系人均为虚构。）"
PAST_TRAINING = "企业海外知识产权纠纷应对专题培训（第一期）"


def xuchang_code(organisation):
    """A well-formed credit code of an enterprise registered in Xuchang (91 + 411000 + 9 characters)."""
    first17 = "91411000" + organisation
    return first17 + credit_code_check_character(first17)


ENTERPRISES = [
    {
        "name": "许昌瑞丰发制品有限公司",
        "org": "MA3X7K2P1",
        "industries": ["other"],
        "products": "蕾丝假发、接发、发套",
        "markets": ["US", "NG", "GB", "ZA"],
        "brands_abroad": "RUIFENG HAIR，美国，第 7123456 号\nRUIFENG HAIR，尼日利亚，第 NG/TM/2023/41877 号",
        "annual_exports": "约 2.3 亿元",
        "point": "许昌经济技术开发区工作站",
        "officers": [("张敏", "法务部经理", "0374-3361001", "zhangmin@ruifeng-hair.example.cn")],
    },
    {
        "name": "许昌华美发艺饰品有限公司",
        "org": "MA45QW8T3",
        "industries": ["other"],
        "products": "化纤假发、假发头套、发饰",
        "markets": ["US", "FR", "BR"],
        "brands_abroad": "HUAMEI BEAUTY，欧盟，第 018654321 号\nHUAMEI BEAUTY，巴西，第 921345678 号（审查中）",
        "annual_exports": "约 6800 万元",
        "point": "建安区工作站",
        "officers": [("刘芳", "外贸部主管", "0374-3362002", "liufang@huamei-hair.example.cn")],
    },
    {
        "name": "许昌恒达电力设备有限公司",
        "org": "MA9F2L6R0",
        "industries": ["electrical"],
        "products": "箱式变电站、高低压开关柜、预付费电能表",
        "markets": ["SA", "EG", "PK", "ID"],
        "brands_abroad": "HENGDA POWER，沙特阿拉伯，第 1443012345 号",
        "patents_abroad": "PCT/CN2024/091234（开关柜联锁机构），已进入印度尼西亚国家阶段",
        "annual_exports": "约 1.5 亿元",
        "point": "中原电气谷工作站",
        "officers": [
            ("王磊", "知识产权主管", "0374-3363003", "wanglei@hengda-power.example.cn"),
            ("陈晓", "国际业务部专员", "0374-3363013", "chenxiao@hengda-power.example.cn"),
        ],
    },
    {
        "name": "许昌金继智能电网科技有限公司",
        "org": "MA5R8N1D7",
        "industries": ["electrical", "communications"],
        "products": "配电自动化终端、电力载波通信模块",
        "markets": ["BR", "KZ", "VN"],
        "brands_abroad": "JINJI GRID，哈萨克斯坦，第 78123 号",
        "patents_abroad": "巴西发明专利申请 BR 10 2024 012345-6（载波通信抗干扰方法）",
        "annual_exports": "约 9200 万元",
        "point": "中原电气谷工作站",
        "officers": [("李婷", "研发管理部副经理", "0374-3364004", "liting@jinji-grid.example.cn")],
    },
    {
        "name": "长葛德威汽车零部件有限公司",
        "org": "MA6C3H9W2",
        "industries": ["mechanical"],
        "products": "制动盘、制动鼓、轮毂轴承单元",
        "markets": ["DE", "MX", "US"],
        "brands_abroad": "DEWEI，欧盟，第 018765432 号\nDEWEI，墨西哥，第 2345678 号",
        "annual_exports": "约 1.1 亿元",
        "point": "长葛市工作站",
        "officers": [("赵凯", "知识产权专员", "0374-6215005", "zhaokai@dewei-auto.example.cn")],
    },
    {
        "name": "许昌远驰制动系统有限公司",
        "org": "MA7K4T2B5",
        "industries": ["mechanical"],
        "products": "商用车制动器、制动蹄片、离合器总成",
        "markets": ["RU", "TR", "US"],
        "brands_abroad": "YUANCHI，土耳其，第 2023/087654 号",
        "annual_exports": "约 7500 万元",
        "point": "魏都区工作站",
        "officers": [("孙浩", "总经理助理", "0374-2336006", "sunhao@yuanchi-brake.example.cn")],
    },
    {
        "name": "禹州钧华陶瓷出口有限公司",
        "org": "MA8D1M7U4",
        "industries": ["other"],
        "products": "日用陶瓷餐具、钧釉花器",
        "markets": ["JP", "KR", "US"],
        "brands_abroad": "JUNHUA CERAMICS，日本，第 6712345 号",
        "annual_exports": "约 4200 万元",
        "point": "禹州市工作站",
        "officers": [("周静", "外贸部经理", "0374-8127007", "zhoujing@junhua-ceramics.example.cn")],
    },
    {
        "name": "禹州神垕窑艺文化有限公司",
        "org": "MA2E6Y3G8",
        "industries": ["other"],
        "products": "钧瓷艺术品、文创陶瓷",
        "markets": ["FR", "AE", "SG"],
        "brands_abroad": "SHENHOU KILN，新加坡，第 40202312345T 号",
        "annual_exports": "约 1800 万元",
        "point": "禹州市工作站",
        "officers": [("吴昊", "品牌部主管", "0374-8128008", "wuhao@shenhou-kiln.example.cn")],
    },
]

# Who of the register attended the past training session of the knowledge platform's demo.
ATTENDED = ["许昌瑞丰发制品有限公司", "长葛德威汽车零部件有限公司"]


def _staff():
    return User.objects.filter(email="staff@demo.cn").first()


def seed(out):
    staff = _staff()
    if staff is None:
        out.write("enterprises: skipped (no demo staff user; run portal.demo first)\n")
        return
    points = {point.name: point for point in ServicePoint.objects.all()}
    today = timezone.localdate()
    created = 0
    for order, row in enumerate(ENTERPRISES):
        code = xuchang_code(row["org"])
        enterprise = KeyEnterprise.objects.filter(credit_code=code).first()
        if enterprise is None:
            enterprise = services.key_enterprise_register(
                enterprise=KeyEnterprise(
                    name=row["name"],
                    credit_code=code,
                    industries=row["industries"],
                    products=row["products"],
                    markets=row["markets"],
                    brands_abroad=row["brands_abroad"],
                    patents_abroad=row.get("patents_abroad", ""),
                    annual_exports=row["annual_exports"],
                    service_point=points.get(row["point"]),
                    listed_on=today - datetime.timedelta(days=200 - order * 10),
                    note=DEMO_NOTE,
                ),
                by=staff,
            )
            created += 1
        for name, title, phone, email in row["officers"]:
            if not LiaisonOfficer.objects.filter(enterprise=enterprise, email=email).exists():
                services.liaison_officer_add(
                    enterprise=enterprise,
                    by=staff,
                    name=name,
                    title=title,
                    phone=phone,
                    email=email,
                    appointed_on=enterprise.listed_on,
                )
    attended = _seed_training(staff)
    out.write(
        f"enterprises: {created} key export enterprises added ({len(ENTERPRISES)} in all), {attended} attendances\n"
    )


def _seed_training(staff):
    event = Event.objects.filter(title=PAST_TRAINING).first()
    if event is None:
        return 0
    count = 0
    for row in ENTERPRISES:
        if row["name"] not in ATTENDED:
            continue
        name, _title, phone, email = row["officers"][0]
        Registration.objects.get_or_create(
            event=event,
            email=email,
            defaults={
                "organisation": row["name"],
                "contact_name": name,
                "phone": phone,
                "attendees": 1,
                "status": Registration.Status.ATTENDED,
            },
        )
        count += 1
    return count
