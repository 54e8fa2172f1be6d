"""Read-side queries of the expert pool: matching, load, opinions for a case, pool health."""

from collections import Counter, defaultdict

from django.db.models import Avg, Count, Q
from django.utils.translation import gettext as _

from applications.choices import FORM_COUNTRIES, DisputeType, RightType, TechnicalField
from applications.countries import country_name
from experts.conflicts import case_parties, find_conflicts
from experts.models import (
    Availability,
    Expert,
    ExpertAssignment,
    ExpertInvitation,
    ExpertOpinion,
    Language,
    Seminar,
    SeminarInvitee,
)

# The working language a dispute in each country usually needs.
COUNTRY_LANGUAGES = {
    "US": "en",
    "GB": "en",
    "AU": "en",
    "IN": "en",
    "CA": "en",
    "IE": "en",
    "NZ": "en",
    "SG": "en",
    "ZA": "en",
    "NG": "en",
    "KE": "en",
    "PH": "en",
    "MY": "en",
    "PK": "en",
    "HK": "en",
    "EU": "en",
    "DE": "de",
    "AT": "de",
    "CH": "de",
    "FR": "fr",
    "BE": "fr",
    "JP": "ja",
    "KR": "ko",
    "RU": "ru",
    "KZ": "ru",
    "UZ": "ru",
    "UA": "ru",
    "BR": "pt",
    "PT": "pt",
    "ES": "es",
    "MX": "es",
    "AR": "es",
    "CL": "es",
    "CO": "es",
    "PE": "es",
    "TR": "tr",
    "SA": "ar",
    "AE": "ar",
    "EG": "ar",
}

# Weights of the ranking; the reasons shown to staff name each contribution.
WEIGHT_COUNTRY = 3
WEIGHT_JURISDICTION = 2
WEIGHT_RIGHT_TYPE = 2
WEIGHT_DISPUTE_TYPE = 1
WEIGHT_FIELD = 3
WEIGHT_LANGUAGE = 2
WEIGHT_LOAD = 1
WEIGHT_LIMITED = 1

THIN_THRESHOLD = 3  # fewer active experts than this for a country or field: recruit


def expert_loads(expert_ids=None):
    """{expert_id: open cases}: assignments not yet finished plus invitations awaiting an answer."""
    assignments = ExpertAssignment.objects.filter(status__in=ExpertAssignment.OPEN_STATUSES)
    invitations = ExpertInvitation.objects.filter(status=ExpertInvitation.Status.PENDING)
    if expert_ids is not None:
        assignments = assignments.filter(expert_id__in=expert_ids)
        invitations = invitations.filter(expert_id__in=expert_ids)
    loads = Counter()
    for row in assignments.values("expert_id").annotate(n=Count("pk")):
        loads[row["expert_id"]] += row["n"]
    for row in invitations.values("expert_id").annotate(n=Count("pk")):
        loads[row["expert_id"]] += row["n"]
    return loads


def expert_load(expert):
    return expert_loads([expert.pk])[expert.pk]


def _labels(choices, values):
    mapping = dict(choices)
    return "、".join(str(mapping.get(v, v)) for v in values)


def rank_experts(case):
    """Rank the pool for a case. Returns (ranking, excluded): both lists of dicts ready to show
    and to store, the ranking best first with the reasons for each score."""
    application = case.application
    countries = list(application.countries)
    right_types = set(application.right_types)
    dispute_types = set(application.dispute_types)
    field = application.technical_field
    languages = {COUNTRY_LANGUAGES[c] for c in countries if c in COUNTRY_LANGUAGES}
    parties = case_parties(case)

    taken = defaultdict(set)  # expert_id -> statuses already on this case
    for row in ExpertInvitation.objects.filter(case=case).values("expert_id", "status"):
        taken[row["expert_id"]].add(row["status"])
    for row in ExpertAssignment.objects.filter(case=case).values("expert_id", "status"):
        taken[row["expert_id"]].add("assignment:" + row["status"])

    experts = list(Expert.objects.prefetch_related("conflicts"))
    loads = expert_loads()
    ranking, excluded = [], []
    for expert in experts:
        base = {"expert_id": expert.pk, "name": expert.name, "organisation": expert.organisation}
        load = loads[expert.pk]
        statuses = taken.get(expert.pk, set())
        if not expert.active:
            excluded.append({**base, "reason": _("已退出专家库")})
            continue
        if expert.availability == Availability.UNAVAILABLE:
            excluded.append({**base, "reason": _("暂不可承接")})
            continue
        conflicts = find_conflicts(expert, parties, list(expert.conflicts.all()))
        if conflicts:
            excluded.append({**base, "reason": _("利益冲突：%(r)s") % {"r": "；".join(str(c) for c in conflicts)}})
            continue
        if "assignment:" + ExpertAssignment.Status.CONFLICT in statuses:
            excluded.append({**base, "reason": _("已声明与本案存在利益冲突")})
            continue
        if statuses & {ExpertInvitation.Status.PENDING, ExpertInvitation.Status.ACCEPTED} or any(
            s.startswith("assignment:") for s in statuses
        ):
            excluded.append({**base, "reason": _("已邀请或已指派本案")})
            continue
        if ExpertInvitation.Status.DECLINED in statuses:
            excluded.append({**base, "reason": _("已谢绝本案邀请")})
            continue
        if load >= expert.max_concurrent_cases:
            excluded.append(
                {
                    **base,
                    "reason": _("已达同时承办上限（%(load)d/%(max)d）")
                    % {"load": load, "max": expert.max_concurrent_cases},
                }
            )
            continue

        score, reasons = 0, []
        matched_countries = [c for c in countries if c in expert.countries]
        if matched_countries:
            score += WEIGHT_COUNTRY * len(matched_countries)
            reasons.append(_("熟悉%(c)s") % {"c": "、".join(str(country_name(c)) for c in matched_countries)})
        admitted = [c for c in countries if c in expert.jurisdictions]
        if admitted:
            score += WEIGHT_JURISDICTION * len(admitted)
            reasons.append(_("具有%(c)s执业资格") % {"c": "、".join(str(country_name(c)) for c in admitted)})
        rights = [r for r in expert.right_types if r in right_types]
        if rights:
            score += WEIGHT_RIGHT_TYPE * len(rights)
            reasons.append(_("权利类别：%(r)s") % {"r": _labels(RightType.choices, rights)})
        disputes = [d for d in expert.dispute_types if d in dispute_types]
        if disputes:
            score += WEIGHT_DISPUTE_TYPE * len(disputes)
            reasons.append(_("纠纷类型：%(d)s") % {"d": _labels(DisputeType.choices, disputes)})
        if field and field in expert.technical_fields:
            score += WEIGHT_FIELD
            reasons.append(_("技术领域：%(f)s") % {"f": _labels(TechnicalField.choices, [field])})
        langs = [lang for lang in expert.languages if lang in languages]
        if langs:
            score += WEIGHT_LANGUAGE * len(langs)
            reasons.append(_("工作语言：%(l)s") % {"l": _labels(Language.choices, langs)})
        if score == 0:
            excluded.append({**base, "reason": _("专业领域、国家/地区与本案均不匹配")})
            continue
        score -= WEIGHT_LOAD * load
        reasons.append(_("当前承办 %(load)d/%(max)d 件") % {"load": load, "max": expert.max_concurrent_cases})
        if expert.availability == Availability.LIMITED:
            score -= WEIGHT_LIMITED
            reasons.append(_("近期时间有限"))
        ranking.append(
            {
                **base,
                "score": score,
                "reasons": [str(r) for r in reasons],
                "load": load,
                "capacity": expert.max_concurrent_cases,
            }
        )
    ranking.sort(key=lambda row: (-row["score"], row["load"], row["name"]))
    return ranking, [{**row, "reason": str(row["reason"])} for row in excluded]


def next_ranked_expert(invitation):
    """After a decline or no answer: the best expert of the same ranking not yet invited and still free."""
    if invitation.matching_id is None:
        return None
    matching = invitation.matching
    already = set(ExpertInvitation.objects.filter(case_id=invitation.case_id).values_list("expert_id", flat=True))
    already |= set(ExpertAssignment.objects.filter(case_id=invitation.case_id).values_list("expert_id", flat=True))
    candidates = [row["expert_id"] for row in matching.ranking if row["expert_id"] not in already]
    if not candidates:
        return None
    experts = Expert.objects.in_bulk(candidates)
    loads = expert_loads(candidates)
    parties = case_parties(invitation.case)
    for expert_id in candidates:
        expert = experts.get(expert_id)
        if expert is None or not expert.active or expert.availability == Availability.UNAVAILABLE:
            continue
        if loads[expert_id] >= expert.max_concurrent_cases or find_conflicts(expert, parties):
            continue
        return expert
    return None


def opinions_for_case(case):
    """Every submitted expert opinion and collegial opinion of a case, oldest first, as plain
    dicts the guidance-opinion author can quote."""
    rows = []
    for opinion in ExpertOpinion.objects.filter(case=case).select_related("expert").prefetch_related("attachments"):
        rows.append(
            {
                "kind": "expert",
                "author": opinion.expert.name,
                "organisation": opinion.expert.organisation,
                "submitted_at": opinion.submitted_at,
                "analysis": opinion.analysis,
                "recommendations": opinion.recommendations,
                "risks": opinion.risks,
                "references": opinion.references,
                "attachments": [a.original_name for a in opinion.attachments.all()],
                "id": opinion.pk,
            }
        )
    seminars = Seminar.objects.filter(case=case, status=Seminar.Status.CONCLUDED).prefetch_related("invitees__expert")
    for seminar in seminars:
        experts = [i for i in seminar.invitees.all() if i.kind == SeminarInvitee.Kind.EXPERT and i.attended]
        rows.append(
            {
                "kind": "collegial",
                "author": _("%(title)s（合议专家：%(names)s）")
                % {"title": seminar.title, "names": "、".join(i.expert.name for i in experts)},
                "submitted_at": seminar.concluded_at,
                "analysis": seminar.collegial_analysis,
                "recommendations": seminar.collegial_recommendations,
                "risks": seminar.collegial_risks,
                "references": seminar.collegial_references,
                "agreement": seminar.agreement,
                "dissent": [
                    f"{i.expert.name}：{i.dissent}" for i in experts if i.position == SeminarInvitee.Position.DISSENT
                ],
                "id": seminar.pk,
            }
        )
    rows.sort(key=lambda row: row["submitted_at"])
    return rows


def pool_health():
    """Per expert: cases taken, average response time (hours), staff rating; and the thin spots."""
    experts = Expert.objects.annotate(
        cases_taken=Count(
            "assignments",
            filter=~Q(assignments__status__in=[ExpertAssignment.Status.WITHDRAWN, ExpertAssignment.Status.CONFLICT]),
            distinct=True,
        ),
        rating=Avg("assignments__staff_rating"),
    ).order_by("-active", "name")
    responses = defaultdict(list)
    for row in ExpertInvitation.objects.filter(responded_at__isnull=False).values(
        "expert_id", "invited_at", "responded_at"
    ):
        responses[row["expert_id"]].append((row["responded_at"] - row["invited_at"]).total_seconds() / 3600)
    loads = expert_loads()
    rows = []
    for expert in experts:
        times = responses.get(expert.pk)
        rows.append(
            {
                "expert": expert,
                "cases_taken": expert.cases_taken,
                "load": loads[expert.pk],
                "response_hours": round(sum(times) / len(times), 1) if times else None,
                "rating": round(expert.rating, 1) if expert.rating is not None else None,
            }
        )
    active = [row["expert"] for row in rows if row["expert"].active]
    countries = Counter(c for e in active for c in e.countries)
    fields = Counter(f for e in active for f in e.technical_fields)
    rights = Counter(r for e in active for r in e.right_types)
    # The form's eleven countries, and any other country that open cases are about.
    from cases.models import Case

    wanted = list(FORM_COUNTRIES)
    open_cases = Case.objects.exclude(status__in=[Case.Status.CLOSED, Case.Status.TERMINATED])
    for codes in open_cases.values_list("application__countries", flat=True):
        wanted += [c for c in codes or [] if c not in wanted]
    thin = {
        "countries": [
            {"code": c, "label": str(country_name(c)), "count": countries[c]}
            for c in wanted
            if countries[c] < THIN_THRESHOLD
        ],
        "fields": [
            {"code": v, "label": str(label), "count": fields[v]}
            for v, label in TechnicalField.choices
            if v != TechnicalField.OTHER and fields[v] < THIN_THRESHOLD
        ],
        "rights": [
            {"code": v, "label": str(label), "count": rights[v]}
            for v, label in RightType.choices
            if v != RightType.OTHER and rights[v] < THIN_THRESHOLD
        ],
    }
    coverage = {
        "countries": [{"label": str(country_name(c)), "count": countries[c]} for c in wanted],
        "fields": [
            {"label": str(label), "count": fields[v]}
            for v, label in TechnicalField.choices
            if v != TechnicalField.OTHER
        ],
    }
    return {"experts": rows, "thin": thin, "coverage": coverage, "threshold": THIN_THRESHOLD}
