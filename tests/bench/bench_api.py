"""Benchmark of the national export and the API's case list.

Creates a throwaway test database on the server named by DATABASE_URL (PostgreSQL for the real
figures), fills it with --cases cases with the generator of bench_case_list.py, then

- writes the national export (XLSX and JSON) of the last full year, and of every case at once
  (a custom period over the whole generated range: the worst case, all --cases rows), and prints
  the wall time of each;
- requests the API's case list (first page, a later page, filtered, ordered) --repeat times each
  with a token, beside a bare Django view (a JSON body, the same middleware) in the same run, and
  prints p50/p95 in milliseconds with the number of queries.

    DATABASE_URL=postgres://user:pass@localhost/ipportal \\
        .venv/bin/python tests/bench/bench_api.py --cases 100000

Not collected by pytest (tests/bench is excluded in pyproject.toml).
"""

import argparse
import datetime
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
from django.db import connection  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import clear_url_caches, include, path  # noqa: E402
from django.utils import timezone  # noqa: E402

from api.models import ApiClient, ApiToken  # noqa: E402
from cases.models import Case  # noqa: E402
from reporting.national import write_json, write_xlsx  # noqa: E402
from reporting.periods import Period  # noqa: E402
from reporting.records import handled_in  # noqa: E402
from tests.bench.bench_case_list import populate  # noqa: E402


def bare(request):
    return JsonResponse({"ok": True})


# The site's URLs plus the bare baseline view.
urlpatterns = [path("bench-bare/", bare), path("", include(settings.ROOT_URLCONF))]


def measure(client, url, repeat, headers):
    timings = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url, **headers)
            elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]}")
        timings.append(elapsed)
        queries = len(captured.captured_queries)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return statistics.median(timings), p95, queries


def timed_export(label, period):
    rows = handled_in(period).count()
    for name, writer in (("XLSX", write_xlsx), ("JSON", write_json)):
        start = time.perf_counter()
        content = writer(period)
        elapsed = time.perf_counter() - start
        print(f"{label + ' ' + name:<52} {rows:>8} {elapsed:>8.2f} {len(content) / 1e6:>8.1f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the test database")
    args = parser.parse_args()

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old_name = connection.settings_dict["NAME"]
    print(f"Creating the test database on {connection.vendor}…", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        start = time.perf_counter()
        populate(args.cases)
        print(f"Generated {args.cases} cases in {time.perf_counter() - start:.1f} s", flush=True)

        last_year = timezone.localdate().year - 1
        first = timezone.localtime(Case.objects.order_by("opened_at").values_list("opened_at", flat=True)[0]).date()
        everything = Period.custom(first, timezone.localdate() + datetime.timedelta(days=1))
        print(f"\n{'export':<52} {'cases':>8} {'seconds':>8} {'MB':>8}")
        timed_export(f"year {last_year}", Period.year(last_year))
        timed_export("all cases", everything)

        client_row = ApiClient.objects.create(name="bench", rate_per_minute=1_000_000)
        key, prefix = ApiToken.new_key()
        token = ApiToken(client=client_row, scopes=["cases:read"])
        token.set_key(key, prefix)
        token.save()
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

        settings.ROOT_URLCONF = __name__
        clear_url_caches()
        client = Client()
        year = f"period=year&year={last_year}"
        scenarios = [
            ("bare Django view (baseline)", "/bench-bare/", {}),
            ("API cases, year, first page (50)", f"/api/v1/cases/?{year}", headers),
            ("API cases, year, page 100", f"/api/v1/cases/?{year}&page=100", headers),
            ("API cases, year, country=US, level=major", f"/api/v1/cases/?{year}&country=US&level=major", headers),
            ("API cases, year, ordering=-case_number", f"/api/v1/cases/?{year}&ordering=-case_number", headers),
            ("API cases, year, page_size=500", f"/api/v1/cases/?{year}&page_size=500", headers),
        ]
        for _label, url, hdrs in scenarios:
            client.get(url, **hdrs)  # warm up
        print(f"\n{'request':<52} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
        for label, url, hdrs in scenarios:
            p50, p95, queries = measure(client, url, args.repeat, hdrs)
            print(f"{label:<52} {p50:8.1f} {p95:8.1f} {queries:8d}", flush=True)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
