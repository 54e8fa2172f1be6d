"""Benchmark of the knowledge platform's public pages: lists, a country page and the Chinese search.

Creates a throwaway test database on the server named by DATABASE_URL (PostgreSQL for the real
figures; SQLite works for a quick try), fills it by bulk_create with --laws laws, --cases typical
cases, --warnings warnings and --institutions service institutions (almost all published), builds
the search index with the search module's own `reindex_all`, then requests each page --repeat
times through the Django test client (the real middleware, an anonymous visitor) and prints p50 and
p95 in milliseconds with the number of queries.

Each request is rendered afresh: the content version moves forward before it (outside the timing),
as if something had just been published, so that neither the ETag nor the server copy of the page
answers. A second column shows the same page served from the server copy, as the next anonymous
visitor gets it. A baseline measured in the same run, a bare view doing one indexed query through
the same middleware, gives each page's ratio, so that figures from machines of different speed
compare. Target: p95 ≤ 100 ms with ≤ 8 queries for every page.

    DATABASE_URL=postgres://user:pass@localhost/ipportal \\
        .venv/bin/python tests/bench/bench_knowledge.py

    .venv/bin/python tests/bench/bench_knowledge.py --laws 2000 --cases 1000   # SQLite, quick

The test database (test_<name>) is dropped at the end unless --keep is given.
Not collected by pytest (tests/bench is excluded in pyproject.toml).
"""

import argparse
import datetime
import os
import platform
import random
import statistics
import sys
import time
import types
import unicodedata
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import clear_url_caches, path  # noqa: E402
from django.utils import timezone  # noqa: E402

from knowledge import search  # noqa: E402
from knowledge.caching import content_changed  # noqa: E402
from knowledge.models import (  # noqa: E402
    CountryGuide,
    Industry,
    IPType,
    Law,
    OfficialFee,
    ServiceInstitution,
    TypicalCase,
    Warning,
)

COUNTRIES = ["US", "DE", "FR", "GB", "JP", "KR", "IN", "BR", "RU", "TR", "AU", "EU", "IT", "ES", "NL", "VN", "TH"]
PRODUCTS = [
    "数控机床",
    "数控机床主轴",
    "光伏逆变器",
    "锂电池",
    "液压泵",
    "无人机",
    "医疗器械",
    "纺织面料",
    "陶瓷餐具",
    "煤机装备",
    "特种钢材",
    "老陈醋",
    "通信模组",
    "电动工具",
]
LAW_TOPICS = [
    "专利法",
    "商标法",
    "反不正当竞争法",
    "商业秘密保护法",
    "著作权法",
    "地理标志保护条例",
    "海关知识产权保护条例",
    "专利审查指南",
    "商标审查基准",
    "知识产权战略",
    "专利收费规则",
    "外观设计法",
]
# Each generated text names one or two of these, so that a query finds a share of the items, not all.
RISKS = [
    "337调查",
    "海关扣押",
    "商标抢注",
    "展会投诉",
    "专利无效",
    "平行进口",
    "律师函",
    "临时禁令",
    "商业秘密",
    "许可费纠纷",
]
BODIES = ["国会", "议会", "知识产权局", "专利商标局", "最高法院", "海关总署", "商务部"]
REGIONS = ["太原市", "大同市", "长治市", "晋城市", "运城市", "临汾市", "许昌市", "禹州市", "郑州市", "北京市"]
BATCH = 2000
PUBLISHED = Law.Status.PUBLISHED


def _risks(rng):
    return "和".join(rng.sample(RISKS, rng.randint(1, 2)))


def _pad(text, width):
    """Left-align in a fixed-width column, counting a Chinese character as two columns."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - shown)


def _statuses(rng):
    # Almost everything is published; a few items wait for review or were withdrawn.
    roll = rng.random()
    if roll < 0.94:
        return PUBLISHED
    return Law.Status.SUBMITTED if roll < 0.98 else Law.Status.WITHDRAWN


def _published_at(rng, now, status):
    return (
        now - datetime.timedelta(days=rng.randint(0, 2000), minutes=rng.randint(0, 1440))
        if status == PUBLISHED
        else None
    )


def _bulk(model, rows):
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[start : start + BATCH])


def populate(n_laws, n_cases, n_warnings, n_institutions, seed=2026):
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    ip_types = [t for t in IPType.values if t != IPType.GENERAL]

    laws = []
    for i in range(n_laws):
        country = rng.choice(COUNTRIES)
        topic = rng.choice(LAW_TOPICS)
        product = rng.choice(PRODUCTS)
        status = _statuses(rng)
        promulgated = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randint(0, 27000))
        laws.append(
            Law(
                country=country,
                ip_type=rng.choice(IPType.values),
                doc_type=rng.choice(Law.DocType.values),
                title_zh=f"{topic}（第{i}号修订文本）",
                title_original=f"Intellectual Property Act No. {i}",
                issuing_body=rng.choice(BODIES),
                promulgated_on=promulgated,
                effective_on=promulgated + datetime.timedelta(days=rng.randint(0, 365)),
                legal_status=rng.choice(Law.LegalStatus.values),
                summary=f"本文件规定了{topic}的主要制度，涉及{product}等产品的保护、侵权判断和救济，"
                f"以及{_risks(rng)}的应对程序。第{i}条对期限作了规定。",
                source_url=f"https://example.org/law/{i}",
                status=status,
                published_at=_published_at(rng, now, status),
            )
        )
    _bulk(Law, laws)
    print(f"  {n_laws} laws", flush=True)

    cases = []
    for i in range(n_cases):
        status = _statuses(rng)
        product = rng.choice(PRODUCTS)
        forum = rng.choice(TypicalCase.Forum.values)
        cases.append(
            TypicalCase(
                title=f"某{product}企业应对海外{TypicalCase.Forum(forum).label}纠纷（{i}）",
                ip_type=rng.choice(ip_types),
                country=rng.choice(COUNTRIES),
                industry=rng.choice(Industry.values),
                forum=forum,
                year=rng.randint(2015, 2026),
                facts=f"某公司出口的{product}被指控侵犯当地知识产权，对方以{_risks(rng)}为手段施压。",
                response="企业在答辩期内委托律师应诉，提出无效请求并开展规避设计。",
                outcome="双方和解，企业以规避设计产品继续出口。",
                lessons="出口前开展专利自由实施分析，提前在目标市场注册商标。",
                status=status,
                published_at=_published_at(rng, now, status),
            )
        )
    _bulk(TypicalCase, cases)
    print(f"  {n_cases} typical cases", flush=True)

    warnings = []
    for i in range(n_warnings):
        status = _statuses(rng)
        kind = rng.choice(Warning.Kind.values)
        product = rng.choice(PRODUCTS)
        squatting = kind == Warning.Kind.SQUATTING
        warnings.append(
            Warning(
                kind=kind,
                risk_level=rng.choice(Warning.Risk.values),
                title=f"{product}出口{Warning.Kind(kind).label}（{i}）",
                country=rng.choice(COUNTRIES),
                industry=rng.choice(Industry.values),
                ip_type=IPType.TRADEMARK if squatting else rng.choice(ip_types),
                issued_on=today - datetime.timedelta(days=rng.randint(0, 1500)),
                body=f"监测发现{product}领域的知识产权风险上升，建议企业关注{_risks(rng)}。",
                mark=f"晋品{i} JINPIN{i}" if squatting else "",
                filing_number=f"{9000000 + i}" if squatting else "",
                filing_date=today - datetime.timedelta(days=60) if squatting else None,
                opposition_deadline=today + datetime.timedelta(days=rng.randint(1, 90)) if squatting else None,
                status=status,
                published_at=_published_at(rng, now, status),
            )
        )
    _bulk(Warning, warnings)
    print(f"  {n_warnings} warnings", flush=True)

    institutions = []
    for i in range(n_institutions):
        overseas = rng.random() < 0.3
        region = rng.choice(REGIONS)
        institutions.append(
            ServiceInstitution(
                serial=i + 1,
                name=f"{region}某知识产权代理有限公司{i}" if not overseas else f"Overseas IP Law Firm {i}",
                nature="有限责任公司",
                head="张某",
                address=f"{region}某区某路{i}号",
                scope=ServiceInstitution.Scope.OVERSEAS if overseas else ServiceInstitution.Scope.DOMESTIC,
                region=region if not overseas else "",
                country=rng.choice(COUNTRIES) if overseas else "",
                services=f"专利和商标申请、海外维权、{_risks(rng)}应对",
                countries_covered=rng.sample(COUNTRIES, 3),
                languages="中文、英语",
                listed_in="服务机构名录",
                status=PUBLISHED,
                published_at=now - datetime.timedelta(days=rng.randint(0, 700)),
            )
        )
    _bulk(ServiceInstitution, institutions)
    print(f"  {n_institutions} institutions", flush=True)

    CountryGuide.objects.bulk_create(
        [
            CountryGuide(country=code, overview="概况。", enforcement="维权途径。", tips="应对提示。")
            for code in COUNTRIES
        ]
    )
    OfficialFee.objects.bulk_create(
        [
            OfficialFee(
                country=code,
                ip_type=ip_type,
                item=f"{IPType(ip_type).label}申请费（示例）",
                amount=100,
                currency="USD",
                as_of=today,
            )
            for code in COUNTRIES
            for ip_type in (IPType.PATENT, IPType.TRADEMARK)
        ]
    )

    start = time.perf_counter()
    entries = search.reindex_all()
    print(f"  search index: {entries} entries in {time.perf_counter() - start:.1f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- The baseline: a bare view doing one indexed query, behind the same middleware ------------


def baseline_view(request):
    title = Law.objects.filter(pk=request.GET.get("pk", 1)).values_list("title_zh", flat=True).first()
    return HttpResponse(f"<!DOCTYPE html><title>{title}</title><p>{title}</p>")


def install_baseline():
    from portal import urls as portal_urls

    module = types.ModuleType("bench_knowledge_urls")
    module.urlpatterns = [path("bench/baseline/", baseline_view), *portal_urls.urlpatterns]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()


# --- Measuring ---------------------------------------------------------------------------------


def _percentiles(timings):
    timings = sorted(timings)
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return statistics.median(timings), p95


def measure(client, url, repeat, *, fresh=True):
    """p50, p95 (ms) and the queries of one request. `fresh`: move the content version before
    each request (outside the timing) so that the page is rendered, not served from a copy."""
    timings = []
    cpu = []
    queries = 0
    for _ in range(repeat):
        if fresh:
            content_changed()
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            elapsed = (time.perf_counter() - start) * 1000
            cpu.append((time.process_time() - start_cpu) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        timings.append(elapsed)
        queries = len(captured.captured_queries)
    p50, p95 = _percentiles(timings)
    return p50, p95, queries, statistics.median(cpu)


def machine():
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        total = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        mem = f", {int(total.split()[1]) / 2**20:.1f} GiB RAM"
    except (OSError, StopIteration):
        pass
    try:
        load = ", load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        load = ""
    return (
        f"{os.cpu_count()} CPUs (nproc), {model}{mem}{load}; Python {platform.python_version()}, {platform.platform()}"
    )


def database():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    return f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--laws", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=5_000)
    parser.add_argument("--warnings", type=int, default=2_000)
    parser.add_argument("--institutions", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="keep the test database")
    args = parser.parse_args()

    # Like the test environment, but without its template instrumentation (which would slow every
    # render and distort the figures).
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    install_baseline()
    old_name = connection.settings_dict["NAME"]
    print("Machine:", machine(), flush=True)
    print(f"Creating the test database on {connection.vendor}…", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        start = time.perf_counter()
        populate(args.laws, args.cases, args.warnings, args.institutions)
        print(f"Generated the data in {time.perf_counter() - start:.1f} s on {database()}", flush=True)
        client = Client()
        law_pk = Law.objects.filter(status=PUBLISHED).values_list("pk", flat=True).first()
        scenarios = [
            ("baseline: bare view, one indexed query", f"/bench/baseline/?pk={law_pk}"),
            ("law list", "/knowledge/laws/"),
            ("law list, page 50", "/knowledge/laws/?page=50"),
            (
                "law list, filtered (US, patent, law, in force)",
                "/knowledge/laws/?country=US&ip_type=patent&doc_type=law&legal_status=in_force",
            ),
            ("law list, searched 专利法 within DE", "/knowledge/laws/?country=DE&q=专利法"),
            ("country page (US)", "/knowledge/countries/US/"),
            ("case list", "/knowledge/cases/"),
            ("case list, filtered (trademark, customs)", "/knowledge/cases/?ip_type=trademark&forum=customs"),
            ("warning list", "/knowledge/warnings/"),
            ("search 数控机床", "/knowledge/search/?q=数控机床"),
            ("search 337", "/knowledge/search/?q=337"),
            ("search 商标抢注", "/knowledge/search/?q=商标抢注"),
            ("search 美国 商标抢注, filtered by country", "/knowledge/search/?q=美国+商标抢注&country=US"),
            ("institutions", "/knowledge/institutions/"),
            ("knowledge platform front page", "/knowledge/"),
        ]
        for _label, url in scenarios:  # warm up: templates, translations, the URL resolver
            measure(client, url, 2)
        columns = ["p50 ms", "p95 ms", "queries", "x base", "cpu p50", "copy p50"]
        header = f"{'page':<52} " + " ".join(f"{c:>8}" for c in columns) + "  target"
        print("\n" + header)
        print("-" * len(header))
        base_p95 = None
        failures = []
        for label, url in scenarios:
            p50, p95, queries, cpu_p50 = measure(client, url, args.repeat)
            copy_p50 = measure(client, url, args.repeat, fresh=False)[0] if base_p95 is not None else p50
            if base_p95 is None:
                base_p95 = p95
                verdict = ""
            else:
                met = p95 <= 100 and queries <= 8
                verdict = "met" if met else "MISSED"
                if not met:
                    failures.append(label)
            hits = ""
            if "/search/" in url:
                query = parse_qs(urlsplit(url).query)
                found = search.search(query["q"][0], country=query.get("country", [None])[0]).total
                hits = f"  ({found} found)"
            print(
                f"{_pad(label, 52)} {p50:8.1f} {p95:8.1f} {queries:8d} {p95 / base_p95:8.1f} {cpu_p50:8.1f}"
                f" {copy_p50:8.1f}  {verdict}{hits}",
                flush=True,
            )
        print(
            f"\nx base: p95 over the baseline's p95 in this run. cpu p50: this process's CPU time per request (the "
            f"Python side without waiting for a busy CPU or the database). copy p50: the next anonymous visitor, "
            f"served the server copy. Target p95 ≤ 100 ms with ≤ 8 queries: "
            f"{'met by every page' if not failures else 'missed by ' + ', '.join(failures)}."
        )
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
