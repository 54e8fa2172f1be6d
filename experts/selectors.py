"""Read-side queries of the expert pool: matching, load, opinions for a case, pool health."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.choices import FORM_COUNTRIES, DisputeType, RightType, TechnicalField
from applications.countries import country_name
from cases.models import Case
from experts.conflicts import case_parties, find_conflicts
from experts.models import (
    Availability,
    Expert,
    ExpertAssignment,
    ExpertInvitation,
    ExpertOpinion,
    Language,
    Qualification,
    Seminar,
    SeminarInvitee,
    Unavailability,
)
from portal.audit import LogEntry, entries_for
from portal.expressions import RowsCount

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

# --- How the ranking weighs an expert against a case ------------------------------------------
#
# All weights live here. They follow the order in which an experienced staff member reads an
# expert's profile for a case:
#  1. Experience of the dispute's own type weighs most: a US Section 337 investigation runs on
#     ITC procedure and timetables that an infringement litigator does not know, so a trade
#     investigation is never credited for an infringement suit or the reverse. Per matching type.
#  2. Admission to practise in a dispute country (a foreign bar, a foreign patent attorney's
#     admission) comes next: only such an expert can act before that country's courts or
#     agencies and brief local counsel as a peer. Counted per country; it includes familiarity
#     (no second point for "familiar" with the same country).
#  3. The technical field decides whether the expert can read the claims and the accused
#     product; one field per case.
#  4. Familiarity with a dispute country without admission, the right type (发明专利, 商标…)
#     and a professional qualification that fits the case (专利代理师 for patents, 商标代理人
#     for marks, 执业律师 for any contentious matter, 贸易救济专家 for trade investigations)
#     each help, but less: many experts share them. A foreign bar (境外执业律师) fits only in a
#     country the expert is admitted in.
#  5. Working languages a dispute country needs (besides Chinese) tip the balance between
#     otherwise equal experts.
#  6. Each open case or pending invitation and a "limited time" status lower the score a little:
#     a free expert answers sooner.
# So for a 337 investigation on machinery in the US and Germany, a US-admitted lawyer with 337
# experience in machinery (6 + 5 + 4 + …) ranks well above a German patent attorney in
# machinery without either (5 + 4 + …). tests/experts/pool.py holds a pool with the known order.
# "Other" options (其他) of the form match nothing: two "others" are rarely the same thing.
WEIGHT_DISPUTE_TYPE = 6  # per dispute type the expert has experience of
WEIGHT_ADMITTED = 5  # per dispute country the expert is admitted in
WEIGHT_FIELD = 4  # the case's technical field
WEIGHT_COUNTRY = 2  # per dispute country the expert knows without admission
WEIGHT_RIGHT_TYPE = 2  # per right type
WEIGHT_QUALIFICATION = 2  # per qualification that fits the case
WEIGHT_LANGUAGE = 1  # per working language a dispute country needs
WEIGHT_LOAD = 1  # subtracted per open case or pending invitation
WEIGHT_LIMITED = 1  # subtracted when the expert's time is limited

PATENT_RIGHTS = {RightType.INVENTION, RightType.UTILITY_MODEL, RightType.DESIGN, RightType.IC_LAYOUT}
MARK_RIGHTS = {RightType.TRADEMARK, RightType.GEOGRAPHICAL_INDICATION}

# How far ahead matching looks when a case has no running deadline.
DEFAULT_WINDOW_DAYS = 30

THIN_THRESHOLD = 3  # fewer active experts than this for a country or field: recruit


def _dispute_experience_labels():
    return {
        DisputeType.VALIDITY: _("权利有效性纠纷经验"),
        DisputeType.OWNERSHIP: _("权属纠纷经验"),
        DisputeType.INFRINGEMENT: _("侵权纠纷经验"),
        DisputeType.TRADE_INVESTIGATION: _("贸易调查经验"),
        DisputeType.LICENSING: _("许可纠纷经验"),
        DisputeType.EXHIBITION: _("展会纠纷经验"),
        DisputeType.TRADE_SECRET: _("商业秘密纠纷经验"),
    }


# An expert's open cases: assignments not yet finished, and invitations awaiting an answer.
_OPEN_WORK = (
    (ExpertAssignment, ExpertAssignment.OPEN_STATUSES),
    (ExpertInvitation, (ExpertInvitation.Status.PENDING,)),
)


def _open_work():
    """The open assignments and the open invitations (_OPEN_WORK), as querysets."""
    return tuple(model.objects.filter(status__in=statuses) for model, statuses in _OPEN_WORK)


def expert_loads(expert_ids=None):
    """{expert_id: open cases} (_open_work)."""
    assignments, invitations = _open_work()
    if expert_ids is not None:
        assignments = assignments.filter(expert_id__in=expert_ids)
        invitations = invitations.filter(expert_id__in=expert_ids)
    by_expert = [
        # COUNT(*): read from the (expert, status) indexes alone, without the rows.
        rows.order_by().values_list("expert_id").annotate(n=Count("*"))
        for rows in (assignments, invitations)
    ]
    loads = Counter()
    for expert_id, n in by_expert[0].union(by_expert[1], all=True):  # one query
        loads[expert_id] += n
    return loads


def with_open_load(experts):
    """The experts, each with `open_load`: its open cases as expert_loads counts them (_open_work's
    conditions). Each count is a subquery on the (expert, status) indexes, which PostgreSQL works out
    only for the rows a page returns (after its ORDER BY and LIMIT), not for every expert: a list's
    page of 100 experts in its own query, instead of a second query naming the 100."""
    counts = [
        RowsCount(model._meta.get_field("expert"), model._meta.get_field("status"), statuses)
        for model, statuses in _OPEN_WORK
    ]
    return experts.annotate(open_load=counts[0] + counts[1])


def expert_load(expert):
    return expert_loads([expert.pk])[expert.pk]


def case_window(case, today=None):
    """(first day, last day) in which an expert would work on the case: from today to the
    case's running deadline, or DEFAULT_WINDOW_DAYS ahead when there is none."""
    today = today or timezone.localdate()
    end = case.due_date or case.opinion_due or today + datetime.timedelta(days=DEFAULT_WINDOW_DAYS)
    return today, max(end, today)


def unavailable_in(start, end, expert_ids=None):
    """{expert_id: first recorded unavailability overlapping start..end}."""
    rows = Unavailability.objects.filter(starts_on__lte=end, ends_on__gte=start).order_by("starts_on", "pk")
    if expert_ids is not None:
        rows = rows.filter(expert_id__in=expert_ids)
    found = {}
    for row in rows:
        found.setdefault(row.expert_id, row)
    return found


def _unavailable_reason(period):
    text = _("%(start)s 至 %(end)s 不可承接") % {"start": period.starts_on, "end": period.ends_on}
    return f"{text}（{period.reason}）" if period.reason else text


@dataclass(frozen=True)
class CaseNeeds:
    """What a case asks of an expert, read once from its application."""

    countries: tuple
    dispute_types: frozenset
    right_types: frozenset
    field: str
    languages: tuple

    @classmethod
    def of(cls, case):
        application = case.application
        countries = tuple(dict.fromkeys(application.countries))
        languages = tuple(
            dict.fromkeys(COUNTRY_LANGUAGES[c] for c in countries if c in COUNTRY_LANGUAGES and c != "CN")
        )
        field = (application.technical_fields or [""])[0]
        return cls(
            countries=countries,
            dispute_types=frozenset(d for d in application.dispute_types if d != DisputeType.OTHER),
            right_types=frozenset(r for r in application.right_types if r != RightType.OTHER),
            field=field if field and field != TechnicalField.OTHER else "",
            languages=tuple(lang for lang in languages if lang != Language.CHINESE),
        )

    def fitting_qualifications(self):
        """The qualifications that fit this case, in display order."""
        fitting = []
        if self.dispute_types or self.right_types:
            fitting.append(Qualification.LAWYER)
        if self.right_types & PATENT_RIGHTS:
            fitting.append(Qualification.PATENT_ATTORNEY)
        if self.right_types & MARK_RIGHTS:
            fitting.append(Qualification.TRADEMARK_ATTORNEY)
        if DisputeType.TRADE_INVESTIGATION in self.dispute_types:
            fitting.append(Qualification.TRADE_EXPERT)
        return fitting


def score_expert(expert, needs):
    """(score, reasons, substantive) of one expert for a case's needs. Each reason names what
    matched and its points; `substantive` is False when only a qualification or a language
    matched (such an expert has nothing to say about this case)."""
    score, reasons, substantive = 0, [], False

    def add(points, label):
        nonlocal score
        score += points
        reasons.append(f"{label} +{points}")

    for country in needs.countries:
        name = country_name(country)
        if country in expert.jurisdictions:
            add(WEIGHT_ADMITTED, _("%(country)s执业") % {"country": name})
            substantive = True
        elif country in expert.countries:
            add(WEIGHT_COUNTRY, _("熟悉%(country)s") % {"country": name})
            substantive = True
    experience = _dispute_experience_labels()
    for dispute in DisputeType.values:
        if dispute in needs.dispute_types and dispute in expert.dispute_types:
            label = experience[dispute]
            us_337 = dispute == DisputeType.TRADE_INVESTIGATION and "US" in needs.countries
            if us_337 and ("US" in expert.countries or "US" in expert.jurisdictions):
                label = _("337 调查经验")  # a US trade investigation is a Section 337 investigation
            add(WEIGHT_DISPUTE_TYPE, label)
            substantive = True
    if needs.field and needs.field in expert.technical_fields:
        add(WEIGHT_FIELD, _("%(field)s领域") % {"field": TechnicalField(needs.field).label})
        substantive = True
    for right in RightType.values:
        if right in needs.right_types and right in expert.right_types:
            add(WEIGHT_RIGHT_TYPE, RightType(right).label)
            substantive = True
    fitting = needs.fitting_qualifications()
    if any(c in expert.jurisdictions for c in needs.countries):
        fitting.append(Qualification.FOREIGN_LAWYER)  # a foreign bar counts where it admits
    for qualification in fitting:
        if qualification in expert.qualifications:
            add(WEIGHT_QUALIFICATION, Qualification(qualification).label)
    for language in needs.languages:
        if language in expert.languages:
            add(WEIGHT_LANGUAGE, Language(language).label)
    return score, [str(r) for r in reasons], substantive


def rank_experts(case, today=None):
    """Rank the pool for a case. Returns (ranking, excluded): both lists of dicts ready to show
    and to store, the ranking best first with the reasons for each score."""
    needs = CaseNeeds.of(case)
    parties = case_parties(case)
    today = today or timezone.localdate()
    start, end = case_window(case, today)
    away = unavailable_in(start, end)

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
        if expert.pk in away:
            excluded.append({**base, "reason": _unavailable_reason(away[expert.pk])})
            continue
        conflicts = find_conflicts(expert, parties, list(expert.conflicts.all()), on=today)
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

        score, reasons, substantive = score_expert(expert, needs)
        if not substantive:
            excluded.append({**base, "reason": _("专业领域、国家/地区与本案均不匹配")})
            continue
        score -= WEIGHT_LOAD * load
        reasons.append(str(_("当前承办 %(load)d/%(max)d 件") % {"load": load, "max": expert.max_concurrent_cases}))
        if expert.availability == Availability.LIMITED:
            score -= WEIGHT_LIMITED
            reasons.append(str(_("近期时间有限")))
        ranking.append(
            {
                **base,
                "score": score,
                "reasons": reasons,
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
    away = unavailable_in(*case_window(invitation.case), expert_ids=candidates)
    for expert_id in candidates:
        expert = experts.get(expert_id)
        if expert is None or not expert.active or expert.availability == Availability.UNAVAILABLE:
            continue
        if expert_id in away:
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


# --- The work log (the audit log's expert entries) ---------------------------------------------


def expert_entries_for_case(case):
    """Staff's record of the expert work on a case: invitations, declarations, opinions, seminars,
    and who opened the confidential files."""
    return entries_for(case, with_scope=True).filter(action_type__startswith="experts.").select_related("content_type")


def seminar_entries(seminar):
    """A seminar's own entries and those of its seats (answers, views)."""
    seats = Q(
        content_type=ContentType.objects.get_for_model(SeminarInvitee),
        object_id__in=seminar.invitees.values("pk"),
    )
    about = Q(content_type=ContentType.objects.get_for_model(Seminar), object_id=seminar.pk)
    return LogEntry.objects.filter(about | seats).select_related("actor", "content_type")


def expert_entries(expert):
    """Everything the audit log records about one expert, on any case."""
    return LogEntry.objects.filter(action_type__startswith="experts.", data__expert=expert.pk).select_related(
        "actor", "content_type"
    )
