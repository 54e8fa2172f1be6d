"""Benchmark of the staff's lists in the admin against two baselines measured in the same run.

Creates a throwaway test database on the server named by DATABASE_URL (PostgreSQL for the real
figures), fills it with --cases cases with the generator of bench_case_list.py (copied in SQL
beyond its first 20,000 on PostgreSQL), then requests, round after round, every page below once
each (in another order each round, each right after the same light request), so that the pages and
their baselines share the machine's moments (interleaved, pair by pair):

- a bare view: one indexed query (the newest 50 case numbers) through the same middleware;
- a stock Django ``ModelAdmin`` of Case, and one of Application, on a separate AdminSite (each with
  our list's page size, no custom columns): each list's ÷stock is against the one of its model;
- our pages: the case list (plain, by handler and agency, each filter once, Chinese searches), the
  admin index (dashboard), a case page and the application list.

    DATABASE_URL=postgres://portal@127.0.0.1:5432/portal \\
        .venv/bin/python tests/bench/bench_admin.py --cases 100000 --keep
    DATABASE_URL=… .venv/bin/python tests/bench/bench_admin.py --cases 1000000 --keep
    DATABASE_URL=… .venv/bin/python tests/bench/bench_admin.py --reuse --keep   # time again

Each line gives p50 and p95 in milliseconds, the number of queries, and the p50 as a multiple of
the stock admin's p50 and of the bare view's p50 of the same run. The machine (cores, load
average before and after) is printed too: on a shared machine the ratios move less than the
milliseconds. Not collected by pytest (tests/bench is excluded in pyproject.toml).
"""

import argparse
import os
import random
import statistics
import sys
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# What making each page costs: a page kept for its visitor (portal.page_cache) is timed by bench_load.py.
os.environ["PAGE_CACHE"] = "0"
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import clear_url_caches, path  # noqa: E402

from applications.admin.applications import ApplicationAdmin  # noqa: E402
from applications.choices import DisputeType, OpponentType, RightType, TechnicalField  # noqa: E402
from applications.models import Application  # noqa: E402
from cases.admin.case import CaseAdmin  # noqa: E402
from cases.models import Case  # noqa: E402
from portal.models import PartnerAgency, ServicePoint, User  # noqa: E402
from portal.startup import freeze_startup_objects  # noqa: E402
from tests.bench.bench_case_list import populate  # noqa: E402
from tests.twofactor import verify_client_session  # noqa: E402

# --- The baselines --------------------------------------------------------------------------------

stock_site = admin.AdminSite(name="stock")


class StockCaseAdmin(admin.ModelAdmin):
    """What Django gives with no work: the model's __str__, its default ordering, and the page size
    of our case list."""

    list_per_page = CaseAdmin.list_per_page


class StockApplicationAdmin(admin.ModelAdmin):
    """The same for the applications, with our application list's page size."""

    list_per_page = ApplicationAdmin.list_per_page


stock_site.register(Case, StockCaseAdmin)
stock_site.register(Application, StockApplicationAdmin)
STOCK_CASES = "stock ModelAdmin of Case"
STOCK_APPLICATIONS = "stock ModelAdmin of Application"


def bare_view(request):
    """One indexed query through the same middleware: the floor any page stands on."""
    numbers = list(Case.objects.order_by("-opened_at").values_list("number", flat=True)[:50])
    return HttpResponse("\n".join(numbers), content_type="text/plain")


def install_urls():
    """The portal's URLs plus the two baselines (ROOT_URLCONF may name a module object)."""
    from portal import urls

    module = types.ModuleType("bench_admin_urls")
    module.urlpatterns = [path("bench/bare/", bare_view), path("bench/stock/", stock_site.urls), *urls.urlpatterns]
    settings.ROOT_URLCONF = module
    clear_url_caches()


# --- Measuring ------------------------------------------------------------------------------------


def machine():
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


def one(client, url):
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed, len(captured.captured_queries)


def p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def scenarios(handler, case_pk):
    agency = PartnerAgency.objects.filter(code="bench0").values_list("pk", flat=True).first()
    point = ServicePoint.objects.values_list("pk", flat=True).first()
    case_list = "/admin/cases/case/"
    last_page = min(100, max(1, Case.objects.count() // 50 - 1))
    pages = [
        ("bare view (one indexed query)", "/bench/bare/"),
        (STOCK_CASES, "/bench/stock/cases/case/"),
        (STOCK_APPLICATIONS, "/bench/stock/applications/application/"),
        ("case list, first page", case_list),
        (f"case list, page {last_page}", f"{case_list}?p={last_page}"),
        ("case list, by handler and agency", f"{case_list}?handler={handler.pk}&agency={agency}"),
        ("case list, handler", f"{case_list}?handler={handler.pk}"),
        ("case list, no handler", f"{case_list}?handler=none"),
        ("case list, agency", f"{case_list}?agency={agency}"),
        ("case list, status", f"{case_list}?status__exact=in_progress"),
        ("case list, level", f"{case_list}?level__exact=major"),
        ("case list, country", f"{case_list}?country=US"),
        ("case list, dispute type", f"{case_list}?dispute_type={DisputeType.values[0]}"),
        ("case list, right type", f"{case_list}?right_type={RightType.values[0]}"),
        ("case list, technical field", f"{case_list}?technical_field__exact={TechnicalField.values[0]}"),
        ("case list, deadline overdue", f"{case_list}?deadline=overdue"),
        ("case list, deadline soon", f"{case_list}?deadline=soon"),
        ("case list, first contact overdue", f"{case_list}?deadline=overdue_first_contact"),
        ("case list, opinion overdue", f"{case_list}?deadline=overdue_opinion"),
        ("case list, foreign deadline urgent", f"{case_list}?foreign_deadline=urgent"),
        ("case list, foreign deadline soon", f"{case_list}?foreign_deadline=soon"),
        ("case list, opened in 2025", f"{case_list}?opened_from=2025-01-01&opened_to=2025-12-31"),
        ("case list, ended in 2025", f"{case_list}?ended_from=2025-01-01&ended_to=2025-12-31"),
        ("case list, opponent type", f"{case_list}?opponent_type={OpponentType.values[0]}"),
        ("case list, applicant category", f"{case_list}?applicant_category=enterprise"),
        ("case list, service point: center", f"{case_list}?service_point=center"),
        ("case list, date hierarchy 2025", f"{case_list}?opened_at__year=2025"),
        (
            "case list, status + level + country + overdue",
            f"{case_list}?status__exact=in_progress&level__exact=major&country=US&deadline=overdue",
        ),
        ("case list, sorted by foreign deadline", f"{case_list}?o=7"),
        ("case list, search 数控机床", f"{case_list}?q=数控机床"),
        ("case list, search 晋城精密机械", f"{case_list}?q=晋城精密机械"),
        ("case list, search 机床 (2 characters)", f"{case_list}?q=机床"),
        ("case list, search a case number", f"{case_list}?q=AJ-2025-0000042"),
        ("admin index (dashboard)", "/admin/"),
        ("case page", f"{case_list}{case_pk}/change/"),
        ("application list", "/admin/applications/application/"),
        ("application list, submitted", "/admin/applications/application/?status__exact=submitted"),
        ("application list, search 数控机床", "/admin/applications/application/?q=数控机床"),
    ]
    if point:
        pages.append(("case list, point scope", f"{case_list}?point_scope={point}"))
    return pages


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the test database")
    parser.add_argument("--reuse", action="store_true", help="time again on a database kept by --keep")
    parser.add_argument(
        "--only", default="", help="time only the pages whose label contains one of these (comma-separated)"
    )
    args = parser.parse_args()

    # Like the test environment, but without its template instrumentation (which would slow
    # every render and distort the figures).
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.DEBUG = False
    install_urls()
    old_name = connection.settings_dict["NAME"]
    print(f"Creating the test database on {connection.vendor}…", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.reuse, serialize=False)
    try:
        if args.reuse and Case.objects.exists():
            handler = User.objects.get(email="bench-staff1@example.cn")
            case_pk = Case.objects.filter(status="awaiting_input").values_list("pk", flat=True).first()
        else:
            start = time.perf_counter()
            handler, case_pk = populate(args.cases)
            print(f"Generated {args.cases} cases in {time.perf_counter() - start:.1f} s", flush=True)
        total = Case.objects.count()
        client = Client()
        client.force_login(handler)
        verify_client_session(client, handler)  # the second factor staff need
        pages = [
            page
            for page in scenarios(handler, case_pk)
            if any(part in page[0] for part in args.only.split(",")) or page[0].startswith(("bare", "stock"))
        ]
        for _label, url in pages:  # warm up every page (caches, the planner, the templates)
            one(client, url)
        # As a production web process does once started (portal/wsgi.py): what is loaded stays out of
        # the garbage collector's full walks, which would otherwise land on a page now and then.
        freeze_startup_objects()
        before = machine()
        timings = {label: [] for label, _url in pages}
        queries = {}
        bare_url = pages[0][1]
        shuffled = random.Random(16)  # the same orders in every run
        for _round in range(args.repeat):
            # As bench_admin_lists.py times its pages (its after_a_light_request): each page right
            # after the same light request (the bare view, not timed), and in another order each
            # round, since a page pays a little for what ran before it.
            for label, url in shuffled.sample(pages, len(pages)):
                client.get(bare_url)
                elapsed, count = one(client, url)
                timings[label].append(elapsed)
                queries[label] = count
                reset_queries()
        after = machine()
        bare = statistics.median(timings[pages[0][0]])
        print(f"\n{total} cases on {connection.vendor}, {args.repeat} rounds; before: {before}; after: {after}")
        print(f"{'page':<50} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'÷stock':>7} {'÷bare':>7}")
        for label, url in pages:
            median = statistics.median(timings[label])
            # Each list beside the stock admin of its own model, at the same page size.
            stock = statistics.median(timings[STOCK_APPLICATIONS if "/applications/" in url else STOCK_CASES])
            print(
                f"{label:<50} {median:8.1f} {p95(timings[label]):8.1f} {queries[label]:8d} "
                f"{median / stock:7.2f} {median / bare:7.2f}",
                flush=True,
            )
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
