"""Benchmark of every admin change list (but the case and application lists, which bench_admin.py
times) against two baselines of the same model measured in the same run.

Creates a throwaway test database on the server named by DATABASE_URL (PostgreSQL for the real
figures), loads the demo data, then copies each model's own rows (unique fields varied, as the
query-count test does; each copy hung on another parent row) up to a realistic volume: tens of
thousands where the center has them (consultations, the audit log, API calls, documents, expert
invitations), hundreds elsewhere; --scale multiplies every volume. Then, round after round, it
requests once each:

- a bare view of the model: one indexed query (the newest 50 ids) through the same middleware;
- a stock Django ``ModelAdmin`` of the model on a separate AdminSite (same page size, no columns);
- the portal's change list of the model, and each of its list filters' first choice;

so that each list and its baselines share the machine's moments (interleaved, pair by pair). Each
round takes the pages in another order, and each page is timed right after the same light request
(its model's bare view, not timed): see `after_a_light_request`.

    DATABASE_URL=postgres://portal@127.0.0.1:5432/portal REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python tests/bench/bench_admin_lists.py --scale 1 --keep
    DATABASE_URL=… REDIS_URL=… .venv/bin/python tests/bench/bench_admin_lists.py --reuse --keep   # time again

With Redis, as in production: without REDIS_URL the cache is each process's own LocMemCache of 300
entries, which the filters' choices and the tables' estimates of some 80 lists overflow, so that
they are read again from the database on some pages (the run prints a warning).

Each line gives p50 and p95 in milliseconds, the number of queries, and the p50 as a multiple of the
stock admin's p50 and of the bare view's p50 of the same model; "paired" is the median of the
round-by-round ratios to the stock admin (the two requests of a round share the machine's moment).
The last line counts the pages that meet each target. Target: p95 ≤ 120 ms, ≤ 10 queries,
faster than the stock admin. The machine (cores, load average before and after) is printed too.
Not collected by pytest (tests/bench is excluded in pyproject.toml).
"""

import argparse
import io
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
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import clear_url_caches, path, reverse  # noqa: E402

from demo.seed import seed_all  # noqa: E402
from portal.groups import ensure_groups, grant_center_permissions  # noqa: E402
from portal.models import User  # noqa: E402
from portal.roles import Role  # noqa: E402
from portal.startup import freeze_startup_objects  # noqa: E402
from tests.portal.test_admin_list_queries import (  # noqa: E402
    ADMINISTRATORS_ONLY,
    FIGURE_PAGES,
    _varied_field_names,
    _walked_admins,
    copy_of,
    fresh,
)
from tests.twofactor import verify_client_session  # noqa: E402

# Rows at --scale 1: what the center holds after some years at 100,000 cases.
VOLUMES = {
    "consultations.Consultation": 50_000,
    "portal.LogEntry": 100_000,
    "api.ApiCall": 100_000,
    "documents.Document": 50_000,
    "experts.ExpertInvitation": 30_000,
    "experts.ExpertAssignment": 10_000,
    "experts.ExpertOpinion": 10_000,
    "portal.Notification": 50_000,
    "portal.EmailDelivery": 50_000,
    "applications.Applicant": 20_000,
    "enterprises.KeyEnterprise": 5_000,
    "enterprises.WarningDelivery": 20_000,
    "knowledge.FairHelpRequest": 2_000,
    "cases.AssistanceLetter": 30_000,
    "cases.CaseNote": 30_000,
    "cases.GuidanceOpinion": 10_000,
    "axes.AccessLog": 20_000,
}
HUNDREDS = 300
BATCH = 1000
# A copy hangs on one of the first rows of each table it points to (see spread_over_parents).
SPREAD_OVER = 20_000

# --- The baselines --------------------------------------------------------------------------------

stock_site = admin.AdminSite(name="stock")


def stock_admin_for(model, portal_admin):
    """What Django gives with no work: the model's __str__, its default ordering, the same page size;
    only who may see the list is the portal's (else the center's staff would be refused it)."""
    return type(
        f"Stock{model.__name__}Admin",
        (admin.ModelAdmin,),
        {
            "list_per_page": portal_admin.list_per_page,
            # Django's own list page, not the one the portal's admin of this model brings.
            "change_list_template": "admin/change_list.html",
            "has_module_permission": lambda self, request: portal_admin.has_module_permission(request),
            "has_view_permission": lambda self, request, obj=None: portal_admin.has_view_permission(request, obj),
            "has_change_permission": lambda self, request, obj=None: False,
            "has_add_permission": lambda self, request: False,
            "has_delete_permission": lambda self, request, obj=None: False,
        },
    )


def bare_view(request, label):
    """One indexed query through the same middleware: the newest 50 ids of the model."""
    model = django.apps.apps.get_model(label)
    ids = list(model._base_manager.order_by("-pk").values_list("pk", flat=True)[:50])
    return HttpResponse("\n".join(map(str, ids)), content_type="text/plain")


def install_urls():
    from portal import urls

    for model, model_admin in _walked_admins():
        stock_site.register(model, stock_admin_for(model, model_admin))
    module = types.ModuleType("bench_admin_lists_urls")
    module.urlpatterns = [
        path("bench/bare/<str:label>/", bare_view),
        path("bench/stock/", stock_site.urls),
        *urls.urlpatterns,
    ]
    settings.ROOT_URLCONF = module
    clear_url_caches()


# --- Filling --------------------------------------------------------------------------------------


def spread_over_parents(copy, serial, varied, pools):
    """Hang a copy on the n-th row of each table it points to, as real rows hang on many parents.

    Copying the first 50 rows alone would hang every copy on the same few parents (all the fairs'
    help requests on one fair, all invitations on two experts), and the lists' per-row counts would
    then read far more rows than the center ever has under one parent. Empty links stay empty, links
    to a content type stay (a generic relation's id is only valid beside its type), and one-to-one
    and unique-set links were already varied by copy_of."""
    for field in type(copy)._meta.concrete_fields:
        if not isinstance(field, django.db.models.ForeignKey) or field.one_to_one or field.name in varied:
            continue
        if field.related_model is ContentType or getattr(copy, field.attname) is None:
            continue
        if field.related_model not in pools:
            pools[field.related_model] = list(
                field.related_model._base_manager.order_by("pk").values_list("pk", flat=True)[:SPREAD_OVER]
            )
        pool = pools[field.related_model]
        if pool:
            setattr(copy, field.attname, pool[serial % len(pool)])
    return copy


def fill(scale):
    """Copy each walked model's rows up to its volume; prints what each holds."""
    for model, _model_admin in _walked_admins():
        label = model._meta.label
        if label in FIGURE_PAGES:
            continue
        target = int(VOLUMES.get(label, HUNDREDS) * scale)
        manager = model._base_manager
        if not manager.exists():
            with transaction.atomic():
                fresh(model, 0)
        rows = list(manager.order_by("pk")[:50])
        have = manager.count()
        start = time.perf_counter()
        serial = 0
        varied = _varied_field_names(model)
        pools = {}
        while rows and have < target:
            size = min(BATCH, target - have)
            batch = []
            for _ in range(size):
                serial += 1
                batch.append(spread_over_parents(copy_of(rows[serial % len(rows)], serial), serial, varied, pools))
            try:
                with transaction.atomic():
                    manager.bulk_create(batch)
            except Exception as exc:  # a model the generic copy cannot fill is reported, not fatal
                print(f"  {label}: copies refused after {have} rows ({type(exc).__name__}: {str(exc)[:120]})")
                break
            have += size
        print(f"  {label:<36} {have:>8} rows  ({time.perf_counter() - start:.1f} s)", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- Measuring ------------------------------------------------------------------------------------


def machine():
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


def one(client, url):
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
    return response, elapsed, len(captured.captured_queries)


def after_a_light_request(client, url, light_url):
    """one(client, url), timed right after a request of light_url (not timed). A request pays for
    part of what the request before it left behind. In each model's fixed order the stock admin
    always came after the light bare view, and the portal's pages after a full admin page. Measured
    on the list of login attempts and its date filter, in turns as a run took them (bare view, stock
    admin, list, filter): 1.00 to 1.02 and 1.06 to 1.09 times the stock admin's p50; with the stock
    admin and the list swapped, the list 0.92 to 0.93. Each page after the same light request: 0.93 to
    0.97 and 0.98 to 1.04. Where a page comes still counts a little: the workstations' list and its
    filter 在用 after the stock admin, 0.91 to 0.93 and 0.99 to 1.03; in the other order 0.97 to 0.99 and
    0.96 to 0.97. So each round also takes the pages in another order."""
    client.get(light_url)
    return one(client, url)


def paired_ratio(timings, stock_timings):
    """The median of the round-by-round ratios to the stock admin: each round's two requests share
    the machine's moment, so a slow spell of the machine cancels out (÷stock, the ratio of the two
    medians, does not pair them)."""
    return statistics.median(mine / stock for mine, stock in zip(timings, stock_timings, strict=True))


class Summary:
    """The run in one line: how many of the portal's pages meet each target."""

    def __init__(self):
        self.pages, self.at_or_above, self.paired_at_or_above, self.slow, self.many_queries = 0, 0, 0, 0, 0
        self.ratios = []

    def add(self, ratio, paired, p95_ms, queries):
        self.pages += 1
        self.ratios.append(ratio)
        self.at_or_above += ratio >= 1
        self.paired_at_or_above += paired >= 1
        self.slow += p95_ms > 120
        self.many_queries += queries > 10

    def __str__(self):
        median = statistics.median(self.ratios) if self.ratios else float("nan")
        return (
            f"\n{self.pages} pages of the portal: {self.at_or_above} at or above the stock admin's p50 "
            f"({self.paired_at_or_above} paired round by round), median page {median:.2f} times it; "
            f"{self.slow} with p95 over 120 ms; {self.many_queries} with more than 10 queries."
        )


def p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def scenarios(clients):
    """(model label, page label, client, url) for each model: bare, stock, the list, each filter."""
    pages = []
    for model, _model_admin in _walked_admins():
        label = model._meta.label
        info = model._meta.app_label, model._meta.model_name
        client = clients["root" if label in ADMINISTRATORS_ONLY else "staff"]
        url = reverse(f"admin:{info[0]}_{info[1]}_changelist")
        group = [
            (label, "bare view", client, f"/bench/bare/{label}/"),
            (label, "stock ModelAdmin", client, f"/bench/stock/{info[0]}/{info[1]}/"),
            (label, "list", client, url),
        ]
        response, _elapsed, _count = one(client, url)
        cl = (response.context or {}).get("cl") if response.status_code == 200 else None
        if cl is not None:
            for spec in cl.filter_specs:
                choices = [choice for choice in spec.choices(cl) if not choice.get("selected")]
                if choices:
                    group.append((label, f"filter {spec.title}", client, url + choices[0]["query_string"]))
        pages.append(group)
    return pages


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every volume (0.1: a modest run)")
    # A p50 of 20 rounds moved by ±0.1 of the stock admin's from run to run on a busy 2-core machine,
    # more than some pages' margin (0.91 to 0.98 times it, measured over 60 rounds).
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="keep the test database")
    parser.add_argument("--reuse", action="store_true", help="time again on a database kept by --keep")
    parser.add_argument("--only", default="", help="time only the models whose label contains this")
    args = parser.parse_args()

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if not settings.REDIS_URL:
        print("Warning: no REDIS_URL; the lists' cached choices and estimates overflow the local cache.")
    install_urls()
    old_name = connection.settings_dict["NAME"]
    print(f"Creating the test database on {connection.vendor}…", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.reuse, serialize=False)
    try:
        if not (args.reuse and User.objects.filter(email="bench-lists-staff@example.cn").exists()):
            start = time.perf_counter()
            seed_all(io.StringIO())
            ensure_groups()
            grant_center_permissions()
            staff = User.objects.create_user(
                email="bench-lists-staff@example.cn", password="x", full_name="李明", is_staff=True
            )
            staff.groups.add(*django.contrib.auth.models.Group.objects.filter(name=Role.STAFF))
            User.objects.create_superuser(email="bench-lists-root@example.cn", password="x", full_name="管理员")
            print(f"Demo data in {time.perf_counter() - start:.1f} s", flush=True)
        print(f"Copying rows up to the volumes (scale {args.scale})…", flush=True)
        fill(args.scale)
        # Time without the test environment's template instrumentation (it would slow every render);
        # the filters' choices are read from one instrumented response first.
        clients = {}
        for key, email in (("staff", "bench-lists-staff@example.cn"), ("root", "bench-lists-root@example.cn")):
            user = User.objects.get(email=email)
            clients[key] = Client(raise_request_exception=False)
            clients[key].force_login(user)
            verify_client_session(clients[key], user)
        from django.test.utils import setup_test_environment, teardown_test_environment

        setup_test_environment()
        groups = [group for group in scenarios(clients) if args.only in group[0][0]]
        teardown_test_environment()
        settings.DEBUG = False
        pages = [page for group in groups for page in group]
        for _model, _label, client, url in pages:  # warm up (caches, the planner, the templates)
            response, _elapsed, _count = one(client, url)
            if response.status_code != 200:
                print(f"  {url} answered {response.status_code}")
        # As a production web process does once started (portal/wsgi.py): what is loaded stays out of
        # the garbage collector's full walks, which would otherwise land on a page now and then.
        freeze_startup_objects()
        before = machine()
        timings = {(model, label): [] for model, label, _c, _u in pages}
        queries = {}
        shuffled = random.Random(16)  # the same orders in every run
        for _round in range(args.repeat):
            # Each round in another order: where a page comes in the round costs it a little (see
            # after_a_light_request), and in a fixed order a model's filters always came last.
            for model, label, client, url in shuffled.sample(pages, len(pages)):
                _response, elapsed, count = after_a_light_request(client, url, f"/bench/bare/{model}/")
                timings[model, label].append(elapsed)
                queries[model, label] = count
                reset_queries()
        after = machine()
        print(f"\n{connection.vendor}, scale {args.scale}, {args.repeat} rounds; before: {before}; after: {after}")
        heads = ("p50 ms", "p95 ms", "queries")
        print(
            f"{'model':<30} {'page':<34} {'rows':>7}",
            *(f"{head:>7}" for head in heads),
            f"{'÷stock':>6} {'paired':>6} {'÷bare':>6}",
        )
        summary = Summary()
        for group in groups:
            model_label = group[0][0]
            rows = django.apps.apps.get_model(model_label)._base_manager.count()
            bare = statistics.median(timings[model_label, "bare view"])
            stock_timings = timings[model_label, "stock ModelAdmin"]
            stock = statistics.median(stock_timings)
            for model, label, _client, _url in group:
                median = statistics.median(timings[model, label])
                paired = paired_ratio(timings[model, label], stock_timings)
                print(
                    f"{model:<30} {label[:34]:<34} {rows:>7} {median:7.1f} {p95(timings[model, label]):7.1f} "
                    f"{queries[model, label]:7d} {median / stock:6.2f} {paired:6.2f} {median / bare:6.2f}",
                    flush=True,
                )
                if label not in ("bare view", "stock ModelAdmin"):
                    summary.add(median / stock, paired, p95(timings[model, label]), queries[model, label])
        print(summary)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
