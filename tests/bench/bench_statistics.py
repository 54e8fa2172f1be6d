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

from applications.models import Application, Feedback  # noqa: E402
from cases.models import Case  # noqa: E402
from cases.opinions.models import GuidanceOpinion  # noqa: E402
from consultations.models import Consultation  # noqa: E402
from portal.models import (  # noqa: E402
    ServicePoint,
    User,
)
from portal.roles import Role  # noqa: E402
from reporting.periods import Period  # noqa: E402
from reporting.selectors import figures  # noqa: E402

# The case list benchmark's generator: the same applicants, applications, cases and letters.
from tests.bench.bench_case_list import BATCH, measure, populate  # noqa: E402
from tests.twofactor import verify_client_session  # noqa: E402

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
