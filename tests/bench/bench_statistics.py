"""Benchmark of the statistics: `reporting.selectors.figures()` for a year, beside a bare
indexed COUNT through the same connection as a baseline, and the statistics page when it
exists.

Creates a throwaway test database on the server named by DATABASE_URL (PostgreSQL for the
real figures; SQLite works for a quick try), fills it with the case list benchmark's data
generator (--cases cases), adds what the statistics read (decisions, first contacts, signed
opinions, closures, consultations, answered letters, feedback, workstations) and prints
p50/p95 in milliseconds with the number of queries.

    DATABASE_URL=postgres://user:pass@localhost/ipportal \\
        .venv/bin/python tests/bench/bench_statistics.py --cases 100000 --keep
    # then, on the kept database (a few seconds instead of minutes of generating):
    DATABASE_URL=… .venv/bin/python tests/bench/bench_statistics.py --reuse --keep

The test database is dropped at the end unless --keep is given. After generating, the tables are
vacuumed and analysed (what autovacuum does on a live server), so that the statistics' covering
indexes answer from the index alone. Connections run without JIT compilation (portal/settings.py);
--jit turns it on to show its cost.

Each line gives p50 and p95 in milliseconds, the number of queries, and the p95 as a multiple of
the baseline's p50 (an indexed COUNT of the year's cases through the same connection): on a shared
machine the multiple moves less than the milliseconds. The load average is printed before and
after: run it when the machine is quiet.
Not collected by pytest (tests/bench is excluded in pyproject.toml).
"""

import argparse
import datetime
import importlib
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.choices import DisputeType, RightType, TechnicalField  # noqa: E402
from applications.models import Applicant, Application, Feedback  # noqa: E402
from cases.models import AssistanceLetter, Case, LetterRecipient  # noqa: E402
from cases.opinions.models import GuidanceOpinion  # noqa: E402
from consultations.models import Consultation  # noqa: E402
from portal.models import (  # noqa: E402
    PartnerAgency,
    ServicePoint,
    User,
)
from portal.roles import Role  # noqa: E402
from reporting.periods import Period  # noqa: E402
from reporting.selectors import figures  # noqa: E402
from tests.twofactor import verify_client_session  # noqa: E402

# --- the case list benchmark's generator (tests/bench/bench_case_list.py), without the case
# events that the audit log has replaced ---------------------------------------------------------

COUNTRIES = ["US", "DE", "FR", "GB", "JP", "KR", "IN", "BR", "RU", "TR", "AU"]
WORDS = ["数控机床", "光伏逆变器", "锂电池", "液压泵", "无人机", "医疗器械", "纺织面料", "陶瓷", "煤机装备", "特种钢材"]
PLACES = ["太原", "大同", "长治", "晋城", "运城", "临汾", "晋中", "忻州", "吕梁", "朔州", "阳泉"]
KINDS = ["精密机械", "新能源", "新材料", "电子科技", "生物医药", "化工", "装备制造", "进出口贸易"]
RIGHTS = ["发明专利", "商标", "外观设计"]
STATUSES = ["accepted", "in_progress", "awaiting_input", "opinion_drafted", "opinion_issued", "follow_up", "closed"]
BATCH = 5000


def credit_code(n):
    from portal.validators import CREDIT_CODE_CHARSET, credit_code_check_character

    body = "9114010" + "".join(CREDIT_CODE_CHARSET[(n // 31**i) % 31] for i in range(10))
    return body + credit_code_check_character(body)


def populate(n_cases, seed=2026):
    rng = random.Random(seed)
    from portal.groups import ensure_groups, grant_center_permissions

    ensure_groups()
    grant_center_permissions()
    staff_group = Group.objects.get(name=Role.STAFF)
    handlers = []
    for i in range(20):
        # No password: the benchmark logs in with force_login.
        user = User.objects.create(email=f"bench-staff{i}@example.cn", full_name=f"承办人{i}", is_staff=True)
        user.groups.add(staff_group)
        handlers.append(user)
    agencies = [
        PartnerAgency.objects.get_or_create(
            code=f"bench{i}", defaults={"name": f"协助单位{i}", "short_name": f"单位{i}", "kind": "commerce"}
        )[0]
        for i in range(6)
    ]
    n_applicants = max(10, n_cases // 50)
    applicants = Applicant.objects.bulk_create(
        [
            Applicant(
                category="enterprise",
                name=f"山西{rng.choice(PLACES)}{rng.choice(KINDS)}有限公司{i}",
                credit_code=credit_code(i + 1000),
            )
            for i in range(n_applicants)
        ],
        batch_size=BATCH,
    )
    filer = handlers[0]
    now = timezone.now()
    today = timezone.localdate()
    made = 0
    while made < n_cases:
        size = min(BATCH, n_cases - made)
        applications = []
        for i in range(made, made + size):
            applicant = applicants[i % n_applicants]
            applications.append(
                Application(
                    applicant=applicant,
                    created_by=filer,
                    number=f"SQ-B-{i:07d}",
                    status="accepted",
                    applicant_category="enterprise",
                    applicant_name=applicant.name,
                    credit_code=applicant.credit_code,
                    contact_name="张三",
                    contact_email="contact@example.cn",
                    contact_phone="13912345678",
                    request=f"对方指控我司出口的{rng.choice(WORDS)}侵犯其{rng.choice(RIGHTS)}，请求应对指导。",
                    impact="预计影响年出口额 1000 万元。",
                    level="major" if rng.random() < 0.1 else "ordinary",
                    submitted_at=now - datetime.timedelta(days=rng.randint(1, 1500)),
                )
            )
        applications = Application.objects.bulk_create(applications, batch_size=BATCH)
        cases = []
        for offset, application in enumerate(applications):
            i = made + offset
            status = rng.choice(STATUSES)
            opened = application.submitted_at + datetime.timedelta(days=2)
            open_case = status not in {"closed", "opinion_issued", "follow_up"}
            number = f"AJ-{opened.year}-{i:07d}"
            cases.append(
                Case(
                    application=application,
                    number=number,
                    status=status,
                    level=application.level,
                    handler=rng.choice(handlers) if status != "accepted" else None,
                    opened_at=opened,
                    first_contact_due=opened.date() + datetime.timedelta(days=4),
                    opinion_due=opened.date() + datetime.timedelta(days=28),
                    due_date=(today + datetime.timedelta(days=rng.randint(-20, 30))) if open_case else None,
                    applicant_name=application.applicant_name,
                    credit_code=application.credit_code,
                    countries=rng.sample(COUNTRIES, rng.randint(1, 2)),
                    dispute_types=rng.sample(DisputeType.values, rng.randint(1, 2)),
                    right_types=rng.sample(RightType.values, rng.randint(1, 2)),
                    technical_field=rng.choice(TechnicalField.values),
                    search_text="\n".join(
                        [
                            number,
                            application.number,
                            application.applicant_name,
                            application.credit_code,
                            application.request,
                        ]
                    ).upper(),
                )
            )
        cases = Case.objects.bulk_create(cases, batch_size=BATCH)
        letters = AssistanceLetter.objects.bulk_create(
            [
                AssistanceLetter(
                    case=case,
                    status="signed",
                    subject="商请推荐专家",
                    body="请推荐专家。",
                    number=f"晋知指〔2026〕{case.pk}号",
                    drafted_by=filer,
                    signed_by=filer,
                    signed_at=now,
                    due_date=today,
                )
                for case in cases
                if rng.random() < 0.15
            ],
            batch_size=BATCH,
        )
        LetterRecipient.objects.bulk_create(
            [
                LetterRecipient(letter=letter, agency=agency, due_date=today)
                for letter in letters
                for agency in rng.sample(agencies, 2)
            ],
            batch_size=BATCH,
        )
        made += size
        print(f"  {made} cases…", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return handlers[1], rng.choice(list(Case.objects.filter(status="awaiting_input").values_list("pk", flat=True)[:50]))


def measure(client, url, repeat):
    timings = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        timings.append(elapsed)
        queries = len(captured.captured_queries)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return statistics.median(timings), p95, queries


# What the case list's generator leaves out and the statistics read, in set-based SQL
# (PostgreSQL). Deterministic: spread by id modulo small primes.
ENRICH_POSTGRESQL = [
    # A quarter of the applications came through the workstations.
    """UPDATE applications_application a SET service_point_id = sp.id
       FROM portal_servicepoint sp
       WHERE a.id % 4 = 0 AND sp.name = CASE WHEN a.id % 8 = 0 THEN '基准区级工作站1' ELSE '基准市级工作站' END""",
    # Decisions and deadlines.
    """UPDATE applications_application SET decided_at = submitted_at + (1 + id % 9) * interval '1 day',
           review_due = (submitted_at + interval '7 days')::date,
           opponent_types = CASE WHEN id % 3 = 0 THEN '|competitor|npe|' ELSE '|competitor|' END""",
    """UPDATE cases_case SET first_contacted_at = opened_at + (id % 6) * interval '1 day' WHERE id % 10 <> 0""",
    """UPDATE cases_case SET closed_at = opened_at + (30 + id % 40) * interval '1 day' WHERE status = 'closed'""",
    """UPDATE cases_case SET paused_days = id % 3 WHERE id % 5 = 0""",
    # Letters: most acknowledged, many answered.
    """UPDATE cases_letterrecipient r SET acknowledged_at = l.signed_at + interval '1 day',
           answered_at = CASE WHEN r.id % 3 <> 0 THEN l.signed_at + (2 + r.id % 12) * interval '1 day' END
       FROM cases_assistanceletter l WHERE l.id = r.letter_id AND r.id % 7 <> 0""",
]


def enrich():
    """What the case list's generator leaves out and the statistics read: workstations,
    decisions, first contacts, closures, signed opinions, answered letters, consultations and
    feedback. The updates are set-based SQL (PostgreSQL); the new rows go through bulk_create."""
    if connection.vendor != "postgresql":
        print("  (SQLite: the statistics' extra rows are added on PostgreSQL only)")
        return
    city = ServicePoint.objects.create(name="基准市级工作站", level="city", region="许昌市", address="许昌")
    for i in (1, 2):
        ServicePoint.objects.create(
            name=f"基准区级工作站{i}", level="district", parent=city, region="魏都区", address="魏都"
        )
    with connection.cursor() as cursor:
        for sql in ENRICH_POSTGRESQL:
            cursor.execute(sql)
    day = datetime.timedelta(days=1)
    past = Case.objects.filter(status__in=("opinion_issued", "follow_up", "closed"), handler__isnull=False).values_list(
        "pk", "handler_id", "opened_at", "applicant_name"
    )
    GuidanceOpinion.objects.bulk_create(
        [
            GuidanceOpinion(
                case_id=pk,
                status="signed",
                addressee=name,
                dispute_summary="概况",
                analysis="分析",
                drafted_by_id=handler,
                signed_at=opened + (15 + pk % 30) * day,
            )
            for pk, handler, opened, name in past.iterator()
        ],
        batch_size=BATCH,
    )
    channels = [choice.value for choice in Consultation.Channel]
    applications = list(
        Application.objects.values_list(
            "pk", "submitted_at", "created_by_id", "service_point_id", "applicant_name", "countries"
        )
    )
    Consultation.objects.bulk_create(
        [
            Consultation(
                number=f"ZX-B-{pk}",
                channel=channels[pk % len(channels)],
                received_at=submitted - 3 * day,
                status="closed",
                person_name="王五",
                organisation_name=name,
                countries=countries,
                question="如何应对？",
                answer="已答复。",
                handled_by_id=user,
                service_point_id=point,
            )
            for pk, submitted, user, point, name, countries in applications
            if pk % 5 == 0
        ],
        batch_size=BATCH,
    )
    Feedback.objects.bulk_create(
        [
            Feedback(
                application_id=pk,
                satisfaction=3 + pk % 3,
                timeliness=2 + pk % 4,
                usefulness=4 + pk % 2,
                comment="很满意" if pk % 20 == 0 else "",
                submitted_by_id=user,
            )
            for pk, submitted, user, point, name, countries in applications
            if pk % 10 == 0
        ],
        batch_size=BATCH,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE applications_feedback f SET submitted_at = a.submitted_at + interval '60 days' "
            "FROM applications_application a WHERE a.id = f.application_id"
        )
        cursor.execute("ANALYZE")


def timed(function, repeat):
    timings = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            function()
            elapsed = (time.perf_counter() - start) * 1000
        timings.append(elapsed)
        queries = len(captured.captured_queries)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return statistics.median(timings), p95, queries


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the test database")
    parser.add_argument("--reuse", action="store_true", help="time again on a database kept by --keep")
    parser.add_argument(
        "--jit",
        action="store_true",
        help="PostgreSQL: turn JIT compilation on for the session (the settings turn it off: it costs more than "
        "it saves on these queries)",
    )
    parser.add_argument("--no-jit", action="store_true", help="the default now; kept for older command lines")
    parser.add_argument(
        "--no-parallel",
        action="store_true",
        help="PostgreSQL: no parallel workers for the session (on two busy cores, starting them can cost more than "
        "they save)",
    )
    args = parser.parse_args()
    if connection.vendor == "postgresql":
        options = ["-c jit=on" if args.jit else "-c jit=off"]
        if args.no_parallel:
            options.append("-c max_parallel_workers_per_gather=0")
        connection.settings_dict.setdefault("OPTIONS", {})["options"] = " ".join(options)

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old_name = connection.settings_dict["NAME"]
    print(f"Creating the test database on {connection.vendor}…", flush=True)
    # serialize=False: the test runner's copy of the whole database as JSON (minutes on 100,000 cases)
    # serves only transactional test cases, never this benchmark.
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.reuse, serialize=False)
    try:
        if args.reuse and Case.objects.exists():
            handler = User.objects.get(email="bench-staff1@example.cn")
            print(f"Reusing the kept database: {Case.objects.count()} cases", flush=True)
            if connection.vendor == "postgresql":
                # A migration may just have rewritten rows: the visibility map is what lets the
                # covering indexes answer alone.
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
        else:
            start = time.perf_counter()
            handler, _case_pk = populate(args.cases)
            enrich()
            # What case_open and opinion_sign keep on each case for the statistics, written
            # set-based as the migration that added those columns does.
            importlib.import_module("cases.migrations.0011_statistics_copies").backfill(connection)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
            print(f"Generated {args.cases} cases in {time.perf_counter() - start:.1f} s", flush=True)
        year = timezone.localdate().year - 1
        period = Period.year(year)
        begin, end = period.bounds()
        opened = Case.objects.filter(opened_at__gte=begin, opened_at__lt=end).count()
        point_ids = ServicePoint.scope_ids(
            ServicePoint.objects.filter(name="基准市级工作站").values_list("pk", flat=True).first()
        )
        print(f"The year {year}: {opened} cases opened\n")
        scenarios = [
            (
                "baseline: indexed COUNT of the year's cases",
                lambda: Case.objects.filter(opened_at__gte=begin, opened_at__lt=end).count(),
            ),
            (f"figures() for {year}", lambda: figures(period)),
        ]
        if point_ids:
            scenarios.append(
                (f"figures() for {year}, one workstation's cut", lambda: figures(period, service_point_ids=point_ids))
            )
        scenarios.append((f"figures() for {year}-Q4", lambda: figures(Period.quarter(year, 4))))
        figures(period)  # warm up
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        print(f"{'scenario':<58} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'p95/base':>9}")
        baseline = None
        for label, function in scenarios:
            p50, p95, queries = timed(function, args.repeat)
            baseline = baseline or p50
            print(f"{label:<58} {p50:8.1f} {p95:8.1f} {queries:8d} {p95 / baseline:9.1f}", flush=True)
        try:
            url = reverse("reporting:statistics")
        except NoReverseMatch:
            print("\n(the statistics page reporting:statistics does not exist yet: not measured)")
        else:
            director = User.objects.filter(pk=handler.pk).first()
            director.groups.add(Group.objects.get(name=Role.DIRECTOR))
            client = Client()
            client.force_login(director)
            verify_client_session(client, director)  # the second factor staff need
            page = f"{url}?period=year&year={year}"
            response = client.get(page)
            if response.status_code != 200:
                print(f"\n{page} answered {response.status_code}: the page not measured")
            else:
                p50, p95, queries = measure(client, page, args.repeat)
                label = "statistics page, " + str(year)
                print(f"{label:<58} {p50:8.1f} {p95:8.1f} {queries:8d} {p95 / baseline:9.1f}", flush=True)
        print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
