"""Benchmark of the staff's case list and case page in the admin.

Creates a throwaway test database on the server named by DATABASE_URL (PostgreSQL for the
real figures; SQLite works for a quick try), fills it with --cases cases (the first
TEMPLATE_CASES by bulk_create, the rest on PostgreSQL copied from those by INSERT … SELECT
over generate_series, so that a million cases take minutes, not hours), then requests the
admin case list (plain, filtered, searched in Chinese) and a case page
--repeat times each and prints p50/p95 in milliseconds with the number of queries.

    DATABASE_URL=postgres://user:pass@localhost/ipportal \\
        .venv/bin/python tests/bench/bench_case_list.py --cases 100000

    .venv/bin/python tests/bench/bench_case_list.py --cases 2000   # SQLite, quick

The test database (test_<name>) is dropped at the end unless --keep is given.
Not collected by pytest (tests/bench is excluded in pyproject.toml).
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# What making each page costs: a page kept for its visitor (portal.page_cache) is timed by bench_load.py.
os.environ["PAGE_CACHE"] = "0"
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.choices import DisputeType, OpponentType, RightType, TechnicalField  # noqa: E402
from applications.models import Applicant, Application  # noqa: E402
from cases.models import AssistanceLetter, Case, LetterRecipient  # noqa: E402
from portal.models import LogEntry, PartnerAgency, User  # noqa: E402
from portal.roles import Role  # noqa: E402
from tests.twofactor import verify_client_session  # noqa: E402

COUNTRIES = ["US", "DE", "FR", "GB", "JP", "KR", "IN", "BR", "RU", "TR", "AU"]
WORDS = ["数控机床", "光伏逆变器", "锂电池", "液压泵", "无人机", "医疗器械", "纺织面料", "陶瓷", "煤机装备", "特种钢材"]
PLACES = ["太原", "大同", "长治", "晋城", "运城", "临汾", "晋中", "忻州", "吕梁", "朔州", "阳泉"]
KINDS = ["精密机械", "新能源", "新材料", "电子科技", "生物医药", "化工", "装备制造", "进出口贸易"]
RIGHTS = ["发明专利", "商标", "外观设计"]
STATUSES = ["accepted", "in_progress", "awaiting_input", "opinion_drafted", "opinion_issued", "follow_up", "closed"]
BATCH = 5000
# Cases made one by one in Python (random); beyond these, PostgreSQL copies them in SQL.
TEMPLATE_CASES = 20_000
SQL_CHUNK = 100_000


def credit_code(n):
    from portal.validators import CREDIT_CODE_CHARSET, credit_code_check_character

    body = "9114010" + "".join(CREDIT_CODE_CHARSET[(n // 31**i) % 31] for i in range(10))
    return body + credit_code_check_character(body)


def populate(n_cases, seed=2026):
    """Generate `n_cases` cases with their applications, opening log entries and letters; returns a
    handler and the id of a case awaiting input. On PostgreSQL only the first TEMPLATE_CASES are made
    in Python, the others copied from them in SQL (see copy_cases_in_sql)."""
    if connection.vendor == "postgresql" and n_cases > TEMPLATE_CASES:
        result = _populate(TEMPLATE_CASES, seed, analyze=False)
        copy_cases_in_sql(TEMPLATE_CASES, n_cases)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return result
    return _populate(n_cases, seed)


def _populate(n_cases, seed=2026, analyze=True):
    rng = random.Random(seed)
    # A separate stream, so that the rows drawn from `rng` stay those of earlier runs.
    deadlines_rng = random.Random(seed + 1)
    opponents_rng = random.Random(seed + 2)
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
                    # One in five has a deadline abroad (an ITC answer, an opposition), one in twenty is urgent.
                    foreign_deadline=(today + datetime.timedelta(days=deadlines_rng.randint(-10, 90)))
                    if deadlines_rng.random() < 0.2
                    else None,
                    urgent=deadlines_rng.random() < 0.05,
                    foreign_deadline_what="337 调查答辩",
                    opponent_types=opponents_rng.sample(OpponentType.values, opponents_rng.randint(1, 2)),
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
                    # The application's answers a case keeps (cases.services.case.open_case).
                    applicant_category=application.applicant_category,
                    opponent_types=application.opponent_types,
                    foreign_deadline=application.foreign_deadline,
                    foreign_deadline_what=application.foreign_deadline_what,
                    urgent=application.urgent,
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
        # The audit log's entry of each opening, as cases.services writes it (the case page reads it).
        case_type = ContentType.objects.get_for_model(Case)
        LogEntry.objects.bulk_create(
            [
                LogEntry(
                    content_type=case_type,
                    object_id=case.pk,
                    scope_content_type=case_type,
                    scope_object_id=case.pk,
                    action_type="cases.case.opened",
                    actor=filer,
                    created=case.opened_at,
                    to_status="accepted",
                    public_note="您的申请已受理。",
                )
                for case in cases
            ],
            batch_size=BATCH,
        )
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
    if analyze and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return handlers[1], rng.choice(list(Case.objects.filter(status="awaiting_input").values_list("pk", flat=True)[:50]))


def _columns(model):
    return [field.column for field in model._meta.concrete_fields if not field.primary_key]


def _select(model, alias, overrides):
    """The column list of `model` and the SELECT list copying row `alias` with `overrides` (column → SQL)."""
    columns = _columns(model)
    return ", ".join(columns), ", ".join(overrides.get(column, f"{alias}.{column}") for column in columns)


def _max_id(cursor, model):
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {model._meta.db_table}")  # noqa: S608 (a model's table)
    return cursor.fetchone()[0]


def copy_cases_in_sql(n_template, n_cases):
    """PostgreSQL: cases n_template … n_cases-1, each a copy of template case (i mod n_template) with
    its own numbers, application, opening log entry, letters and their addressed agencies, inserted
    SQL_CHUNK at a time by INSERT … SELECT over generate_series."""
    case_number = "'AJ-' || to_char(a.submitted_at + interval '2 days', 'YYYY') || '-' || substr(a.number, 6)"
    app_columns, app_select = _select(
        Application,
        "a",
        {
            "number": "'SQ-B-' || lpad(g::text, 7, '0')",
            # Later copies a little earlier, so that the order by date mixes them.
            "submitted_at": "a.submitted_at - (g / %(template)s) * interval '7 minutes'",
        },
    )
    case_columns, case_select = _select(
        Case,
        "c",
        {
            "application_id": "a.id",
            "number": case_number,
            "opened_at": "a.submitted_at + interval '2 days'",
            "search_text": (
                f"upper(concat_ws(E'\\n', {case_number}, a.number, a.applicant_name, a.credit_code, a.request))"
            ),
        },
    )
    letter_columns, letter_select = _select(
        AssistanceLetter, "l", {"case_id": "nc.id", "number": "'晋知指〔2026〕' || nc.id || '号'"}
    )
    recipient_columns, recipient_select = _select(LetterRecipient, "r", {"letter_id": "nl.id"})
    entry_columns, entry_select = _select(
        LogEntry, "e", {"object_id": "nc.id", "scope_object_id": "nc.id", "created": "nc.opened_at"}
    )
    template_of = "tmpl.k = substr(nc.number, 9)::int %% %(template)s"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE tmpl AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id AS case_id, "
            "application_id AS app_id FROM cases_case"
        )
        cursor.execute("CREATE UNIQUE INDEX ON tmpl (k)")
        cursor.execute("SELECT min(id) FROM portal_logentry WHERE action_type = 'cases.case.opened'")
        template_entry = cursor.fetchone()[0]
        start = n_template
        while start < n_cases:
            end = min(n_cases, start + SQL_CHUNK) - 1
            params = {"template": n_template, "start": start, "end": end, "entry": template_entry}
            last_app, last_case, last_letter = (_max_id(cursor, m) for m in (Application, Case, AssistanceLetter))
            cursor.execute(
                f"INSERT INTO applications_application ({app_columns}) SELECT {app_select} "  # noqa: S608 (the models' own columns)
                "FROM generate_series(%(start)s, %(end)s) g JOIN tmpl ON tmpl.k = g %% %(template)s "
                "JOIN applications_application a ON a.id = tmpl.app_id",
                params,
            )
            cursor.execute(
                f"INSERT INTO cases_case ({case_columns}) SELECT {case_select} "  # noqa: S608 (the models' own columns)
                "FROM applications_application a JOIN tmpl ON tmpl.k = substr(a.number, 6)::int %% %(template)s "
                "JOIN cases_case c ON c.id = tmpl.case_id WHERE a.id > %(last)s",
                {**params, "last": last_app},
            )
            cursor.execute(
                f"INSERT INTO portal_logentry ({entry_columns}) SELECT {entry_select} "  # noqa: S608 (the models' own columns)
                "FROM cases_case nc JOIN portal_logentry e ON e.id = %(entry)s WHERE nc.id > %(last)s",
                {**params, "last": last_case},
            )
            cursor.execute(
                f"INSERT INTO cases_assistanceletter ({letter_columns}) SELECT {letter_select} "  # noqa: S608 (the models' own columns)
                f"FROM cases_case nc JOIN tmpl ON {template_of} "
                "JOIN cases_assistanceletter l ON l.case_id = tmpl.case_id WHERE nc.id > %(last)s",
                {**params, "last": last_case},
            )
            cursor.execute(
                f"INSERT INTO cases_letterrecipient ({recipient_columns}) SELECT {recipient_select} "  # noqa: S608 (the models' own columns)
                "FROM cases_assistanceletter nl JOIN cases_case nc ON nc.id = nl.case_id "
                f"JOIN tmpl ON {template_of} "
                "JOIN cases_assistanceletter tl ON tl.case_id = tmpl.case_id "
                "JOIN cases_letterrecipient r ON r.letter_id = tl.id WHERE nl.id > %(last)s",
                {**params, "last": last_letter},
            )
            start = end + 1
            print(f"  {start} cases…", flush=True)
        cursor.execute("DROP TABLE tmpl")


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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the test database")
    args = parser.parse_args()

    # Like the test environment, but without its template instrumentation (which would
    # slow every render and distort the figures).
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old_name = connection.settings_dict["NAME"]
    print(f"Creating the test database on {connection.vendor}…", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        start = time.perf_counter()
        handler, case_pk = populate(args.cases)
        print(f"Generated {args.cases} cases in {time.perf_counter() - start:.1f} s", flush=True)
        client = Client()
        client.force_login(handler)
        verify_client_session(client, handler)  # the second factor staff need
        list_url = "/admin/cases/case/"
        last_page = min(100, max(1, args.cases // 50 - 1))
        scenarios = [
            ("case list, first page", list_url),
            (f"case list, page {last_page}", f"{list_url}?p={last_page}"),
            (
                "case list, filtered (in progress, major, US, overdue)",
                f"{list_url}?status__exact=in_progress&level__exact=major&country=US&deadline=overdue",
            ),
            (
                "case list, filtered by handler and agency",
                f"{list_url}?handler={handler.pk}&agency="
                f"{PartnerAgency.objects.filter(code='bench0').values_list('pk', flat=True).first()}",
            ),
            ("case list, Chinese search 数控机床", f"{list_url}?q=数控机床"),
            ("case list, search by applicant 晋城精密机械", f"{list_url}?q=晋城精密机械"),
            ("case page", f"{list_url}{case_pk}/change/"),
            ("admin index (dashboard)", "/admin/"),
        ]
        client.get(list_url)  # warm up
        print(f"\n{'scenario':<58} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
        for label, url in scenarios:
            p50, p95, queries = measure(client, url, args.repeat)
            print(f"{label:<58} {p50:8.1f} {p95:8.1f} {queries:8d}", flush=True)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
