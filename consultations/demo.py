"""Demo consultations: about fifteen over the hotline, walk-ins, e-mail, WeChat and a trade fair's desk,
spread over the last months, some with follow-ups due (one overdue), some closed, one turned into an
application whose enterprise is invited to complete it online. Workstation staff log theirs when the
demo has a workstation user. Everything goes through the services; idempotent (a consultation is
recognised by its question)."""

import datetime

from django.utils import timezone

from applications.models import Applicant
from consultations import services
from consultations.models import Consultation
from portal.models import User
from portal.roles import Role
from portal.validators import credit_code_check_character

C = Consultation.Channel


def _code(first17):
    return first17 + credit_code_check_character(first17)


# channel, days ago, person, title, phone, organisation, credit code (or ""), countries, right types,
# dispute types, question, answer, minutes, follow-up in days from today (None: none), then:
# "closed" / "convert" / "" and who logs it ("staff" or "point").
CONSULTATIONS = [
    (
        C.HOTLINE,
        2,
        "郭敏",
        "法务主管",
        "13903510001",
        "山西清徐老陈醋酿造有限公司",
        "",
        ["US"],
        ["trademark"],
        ["infringement"],
        "美国亚马逊店铺收到平台通知，称我司“老陈醋”英文标识侵犯他人商标，链接被下架，如何申诉？",
        "已说明亚马逊品牌投诉的申诉流程，建议先核查对方商标注册情况并准备我司在先使用证据。",
        25,
        -3,
        "",
        "staff",
    ),
    (
        C.HOTLINE,
        5,
        "韩磊",
        "总经理",
        "13903510002",
        "太原智感通信科技有限公司",
        "",
        ["DE"],
        ["invention"],
        ["infringement"],
        "德国客户转来一份专利权人的警告函，称我司 5G 模组侵犯其标准必要专利，是否需要回应？",
        "建议不要直接承认侵权；先确认专利是否声明为标准必要专利及 FRAND 承诺，再评估回应策略。",
        40,
        0,
        "",
        "staff",
    ),
    (
        C.WALK_IN,
        9,
        "冯晓",
        "科研处处长",
        "0352-5123456",
        "大同新材料研究院",
        "",
        ["JP"],
        ["invention"],
        ["licensing"],
        "与日本企业的专利许可合同即将续签，对方要求提高许可费并回授改进专利，能否提供谈判建议？",
        "已提供技术许可合同常见条款比对表，建议关注回授条款的范围和排他性。",
        60,
        7,
        "",
        "staff",
    ),
    (
        C.EMAIL,
        12,
        "李强",
        "外贸经理",
        "13835112233",
        "晋中晋韵家具有限公司",
        _code("91140700MA0Q5R7T1"),
        ["GB", "FR"],
        ["design"],
        ["infringement"],
        "我司在英国展销的餐椅被指侵犯外观设计，对方要求赔偿 5 万英镑，如何应对？",
        "已告知英国未注册外观设计的保护期限和抗辩要点，建议委托当地律师核实对方权利。",
        30,
        -1,
        "",
        "staff",
    ),
    (
        C.WECHAT,
        15,
        "王海燕",
        "",
        "13720341188",
        "运城海燕果业合作社",
        "",
        ["RU"],
        ["trademark"],
        ["ownership"],
        "我们的苹果品牌在俄罗斯被当地经销商抢注，还能要回来吗？",
        "已说明俄罗斯商标异议和撤销的期限，建议尽快收集在先使用和知名度证据。",
        20,
        None,
        "closed",
        "staff",
    ),
    (
        C.FAIR_DESK,
        20,
        "高峰",
        "销售总监",
        "13912345678",
        "许昌远东传动轴股份有限公司",
        "",
        ["US"],
        ["invention"],
        ["exhibition"],
        "展会上美国客户出示律师函称传动轴侵犯其专利，要求撤展，现场怎么处理？",
        "工作人员到展位协助，建议不签收任何承诺文件，提供专利检索报告后与展会知识产权办公室沟通。",
        45,
        None,
        "closed",
        "staff",
    ),
    (
        C.HOTLINE,
        24,
        "赵丽",
        "知识产权专员",
        "13603512345",
        "山西华晋精密铸造有限公司",
        _code("91140100MA0R3T5U7"),
        ["US"],
        ["invention"],
        ["trade_investigation"],
        "听说美国 ITC 可能对铸件发起 337 调查，我司作为供应商是否会被列为被申请人？怎样提前准备？",
        "已介绍 337 调查的程序和时间，建议建立专利预警、整理研发记录；如收到起诉书，请提交纠纷应对指导申请。",
        50,
        None,
        "convert",
        "staff",
    ),
    (
        C.WALK_IN,
        30,
        "孙建",
        "",
        "13934110022",
        "太原锦程机电有限公司",
        "",
        ["KR"],
        ["utility_model"],
        ["validity"],
        "韩国竞争对手的实用新型与我司产品很像，能否请求宣告其无效？",
        "已说明韩国无效审判的条件和费用。",
        35,
        -10,
        "",
        "point",
    ),
    (
        C.EMAIL,
        38,
        "Chen Yu",
        "",
        "",
        "阳泉宏达耐火材料有限公司",
        "",
        ["IN"],
        ["trademark"],
        ["infringement"],
        "印度有公司使用与我司近似的商标销售耐火砖，我们该如何取证？",
        "已提供印度商标侵权取证要点和当地律所名录。",
        30,
        None,
        "closed",
        "point",
    ),
    (
        C.HOTLINE,
        45,
        "刘畅",
        "总经理助理",
        "13546672211",
        "长治潞安光电科技有限公司",
        "",
        ["US", "JP"],
        ["invention"],
        ["infringement"],
        "出口美国的 LED 灯具被要求签署专利许可协议，费率是否合理？",
        "建议先做专利有效性和侵权比对分析，再决定谈判或抗辩。",
        40,
        14,
        "",
        "staff",
    ),
    (
        C.WECHAT,
        55,
        "马文",
        "",
        "18603400011",
        "吕梁红枣食品有限公司",
        "",
        ["AU"],
        ["gi"],
        ["ownership"],
        "我们的红枣能否在澳大利亚申请地理标志保护？",
        "已说明澳大利亚证明商标途径和所需材料。",
        15,
        None,
        "closed",
        "staff",
    ),
    (
        C.FAIR_DESK,
        70,
        "周宁",
        "",
        "13811112222",
        "临汾汾河陶瓷有限公司",
        "",
        ["DE"],
        ["design"],
        ["exhibition"],
        "展会现场有人拍摄我司新品，担心被仿冒，现场能做什么？",
        "已建议在展会期间进行公证保全并尽快在欧盟申请外观设计。",
        20,
        None,
        "closed",
        "staff",
    ),
    (
        C.HOTLINE,
        85,
        "吴倩",
        "法务",
        "13700001111",
        "晋城凤凰实业有限公司",
        "",
        ["TR"],
        ["trademark"],
        ["infringement"],
        "土耳其海关扣留了我司一批货物，称涉嫌侵犯商标，如何处理？",
        "已介绍土耳其海关知识产权保护程序和异议期限，建议立即委托当地代理人。",
        45,
        None,
        "closed",
        "staff",
    ),
    (
        C.OTHER,
        100,
        "杨帆",
        "",
        "13622223333",
        "忻州五台山旅游文化公司",
        "",
        ["US"],
        ["copyright"],
        ["infringement"],
        "美国网站未经许可使用了我司拍摄的风景照片，怎样要求删除？",
        "已说明 DMCA 删除通知的写法。",
        15,
        None,
        "closed",
        "staff",
    ),
    (
        C.WALK_IN,
        120,
        "何静",
        "",
        "13633334444",
        "",
        "",
        [],
        [],
        ["other"],
        "个人发明的专利想在海外申请，费用大概多少？",
        "已介绍 PCT 途径和各国进入国家阶段的大致费用。",
        20,
        None,
        "closed",
        "point",
    ),
]


def _logger(kind, staff, point_user):
    return point_user if kind == "point" and point_user is not None else staff


def seed(out):
    staff = User.objects.filter(email="staff@demo.cn").first()
    if staff is None:
        out.write("Consultations: no demo staff user; skipped.")
        return
    point_user = (
        User.objects.filter(groups__name=Role.SERVICE_POINT, service_point__isnull=False).order_by("pk").first()
    )
    now = timezone.now()
    today = timezone.localdate()
    created = 0
    for (
        channel,
        days_ago,
        person,
        title,
        phone,
        organisation,
        credit_code,
        countries,
        right_types,
        dispute_types,
        question,
        answer,
        minutes,
        follow_up,
        outcome,
        kind,
    ) in CONSULTATIONS:
        if Consultation.objects.filter(question=question).exists():
            continue
        by = _logger(kind, staff, point_user)
        applicant = Applicant.objects.filter(name=organisation).first() if organisation else None
        consultation = services.consultation_log(
            data={
                "channel": channel,
                "received_at": now - datetime.timedelta(days=days_ago, hours=days_ago % 7),
                "person_name": person,
                "person_title": title,
                "phone": phone,
                "applicant": applicant,
                "organisation_name": organisation,
                "credit_code": credit_code,
                "fair_name": "第138届中国进出口商品交易会" if channel == C.FAIR_DESK else "",
                "countries": countries,
                "right_types": right_types,
                "dispute_types": dispute_types,
                "question": question,
                "answer": answer,
                "minutes_spent": minutes,
                "follow_up_on": today + datetime.timedelta(days=follow_up) if follow_up is not None else None,
            },
            by=by,
        )
        if outcome == "closed":
            services.consultation_close(consultation=consultation, by=by)
        elif outcome == "convert":
            services.consultation_convert(
                consultation=consultation,
                by=by,
                full_name=person,
                email="zhaoli@huajin-casting.example.cn",
                phone=phone,
                organisation_name=organisation,
                category="enterprise",
                credit_code=credit_code,
                address="山西省太原市晋源区经济开发区 8 号",
            )
        created += 1
    out.write(
        f"Consultations: {created} new, {Consultation.objects.count()} in all "
        f"({Consultation.objects.filter(status=Consultation.Status.CONVERTED).count()} turned into applications)."
    )
