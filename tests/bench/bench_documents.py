"""Benchmark: render and sign a 3-page guidance opinion and a 30-page case file, as a worker does
in production: the GB/T 9704 layout with the seal, then a PAdES signature over the seal with an RFC
3161 timestamp from a time-stamping authority on loopback (the development TSA, started here),
the validation data (B-LT) and a document timestamp (B-LTA).

Run: .venv/bin/python tests/bench/bench_documents.py [--repeat 20]
Prints time (median and p95 of the repeats, and the CPU time), peak memory (tracemalloc: Python
allocations; getrusage: the process's peak resident set, each document in a process of its own, as
a worker process) and, measured in the same run, a baseline: a one-page Latin-only document
rendered the same way, one after each measured document (interleaved, pair by pair), so that
figures from machines of different speed compare as ratios. Targets: the opinion in <= 0.30 s and
<= 250 MiB, the case file in <= 3 s. Not collected by pytest. Throughput through a real Celery
worker: tests/bench/bench_render_throughput.py.
"""

import argparse
import logging
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.test_settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from demo.seal import demo_seal_svg  # noqa: E402
from documents import pdf as document_pdf  # noqa: E402
from documents.pdf import render_document  # noqa: E402
from documents.services import qr_data_uri  # noqa: E402
from documents.signing import sign_pdf  # noqa: E402
from portal.models import SiteConfiguration  # noqa: E402

# No database needed: the layout only reads the center's configuration, whose seal is the demo seal.
SiteConfiguration.get = classmethod(lambda cls: SiteConfiguration())
DEMO_SEAL = document_pdf.seal_png_uri(demo_seal_svg("山西省涉外知识产权指导中心").encode(), True)
document_pdf.seal_data_uri = lambda config: DEMO_SEAL

OPINION_SECTIONS = 2
TARGETS = {"opinion": (0.30, 250), "casefile": (3.0, None)}
BASELINE_HTML = "<html><body><p>" + "Baseline: one page of Latin text. " * 40 + "</p></body></html>"
CASE_FILE_ROWS = 46

PARAGRAPH = (
    "经初步比对，涉案专利独立权利要求中“双驱动同步补偿”技术特征未见于申请人产品，"
    "申请人产品存在不落入保护范围的抗辩空间；涉案专利申请日前已有公开的日本专利文献，可作为无效证据进一步检索。"
)


def common(number):
    url = "http://127.0.0.1:8000/documents/verify/ABCDEFGHJK/"
    return {
        "number": number,
        "issued_on_cn": "2026年11月22日",
        "verification_code": "ABCDEFGHJK",
        "verification_url": url,
        "qr_code": qr_data_uri(url),
        "signed": True,
        "signer_name": "赵建国",
        "signer_title": "主任",
        "copy_to": "山西省知识产权局，山西省商务厅",
    }


def opinion_context(sections):
    return {
        **common("晋知指意〔2026〕1号"),
        "title": "海外知识产权纠纷应对行政指导意见书",
        "addressee": "太原晋成精密机械有限公司",
        "case_number": "AJ-2026-000001",
        "application_number": "SQ-2026-000001",
        "submitted_on": "2026年11月2日",
        "sections": [
            {"heading": f"{'一二三四五六七八九十'[n % 10]}、第{n + 1}部分", "paragraphs": [PARAGRAPH] * 3}
            for n in range(sections)
        ],
    }


def case_file_context(rows):
    timeline = [
        {
            "at": "2026-11-02 10:00",
            "what": "案件：办理中 → 等待协助单位或专家意见",
            "who": "李明",
            "note": PARAGRAPH[:60],
        }
        for _ in range(rows)
    ]
    return {
        **common(""),
        "title": "海外知识产权纠纷应对指导案卷",
        "case_number": "AJ-2026-000001",
        "case_status": "已结案",
        "level": "重大/疑难纠纷",
        "handler": "李明",
        "opened_at": "2026-11-02 10:00",
        "closed_at": "",
        "applicant_name": "太原晋成精密机械有限公司",
        "application_rows": [{"label": f"字段{n}", "value": "内容" * 10} for n in range(15)],
        "request": [PARAGRAPH] * 6,
        "impact": [PARAGRAPH] * 3,
        "attachments": [
            {"category": "证明材料", "name": f"evidence-{n}.pdf", "uploaded_at": "2026-11-02", "sha256": "ab" * 32}
            for n in range(20)
        ],
        "timeline": timeline,
        "letters": [
            {
                "number": f"晋知指函〔2026〕{n}号",
                "subject": "商请协助查询境外信息",
                "status": "已办结",
                "signed_at": "2026-11-05",
                "body": [PARAGRAPH] * 3,
                "recipients": [
                    {
                        "agency": "山西省商务厅",
                        "acknowledged_at": "2026-11-06",
                        "answered_at": "2026-11-12",
                        "answer": [PARAGRAPH] * 2,
                    }
                ],
            }
            for n in range(1, 9)
        ],
        "expert_opinions": [
            {
                "kind": "专家意见",
                "author": "吴志远",
                "submitted_at": "2026-11-10",
                "analysis": [PARAGRAPH] * 3,
                "recommendations": [PARAGRAPH],
            }
            for _ in range(6)
        ],
        "opinions": [
            {
                "number": "晋知指意〔2026〕1号",
                "status": "已签发",
                "signed_by": "赵建国",
                "signed_at": "2026-11-20",
                "sections": opinion_context(8)["sections"],
            }
        ],
        "documents": [
            {
                "kind": "受理通知书",
                "number": "晋知指受〔2026〕1号",
                "version": 1,
                "status": "已生成",
                "sha256": "cd" * 32,
            }
        ]
        * 10,
        "compiled_on": "2026年11月22日",
    }


def render_and_sign(template, context):
    rendered = render_document(template, context)
    signed = sign_pdf(rendered.pdf, signer_name="赵建国", signer_title="主任", seal_box=rendered.seal_box)
    return rendered, signed


def latin_page():
    """Seconds for a one-page Latin document through the same WeasyPrint, in this process."""
    from weasyprint import HTML

    start = time.perf_counter()
    HTML(string=BASELINE_HTML).write_pdf()
    return time.perf_counter() - start


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(label, which, template, context, repeat):
    """Render and sign `repeat` times, each run paired with a baseline run (interleaved, so that
    both see the same load); then one traced run for the Python peak."""
    times, render_times, sign_times, cpu_times, references = [], [], [], [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        rendered = render_document(template, context)
        done_rendering = time.perf_counter()
        signed = sign_pdf(rendered.pdf, signer_name="赵建国", signer_title="主任", seal_box=rendered.seal_box)
        done = time.perf_counter()
        cpu_times.append(time.process_time() - cpu)
        times.append(done - start)
        render_times.append(done_rendering - start)
        sign_times.append(done - done_rendering)
        references.append(latin_page())
    tracemalloc.start()
    render_and_sign(template, context)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    reference = statistics.median(references)
    total, p95 = statistics.median(times), percentile(times, 0.95)
    seconds, mebibytes = TARGETS[which]
    verdicts = [f"time {'met' if total <= seconds else 'NOT met'} (median <= {seconds:.2f} s)"]
    if mebibytes is not None:
        verdicts.append(f"memory {'met' if rss <= mebibytes else 'NOT met'} (<= {mebibytes} MiB)")
    print(
        f"{label}: {rendered.pages} pages, {len(signed) / 1024:.0f} KiB signed, "
        f"seal box {'found' if rendered.seal_box else 'MISSING'}; "
        f"median {total:.3f} s, p95 {p95:.3f} s of {repeat} (render {statistics.median(render_times):.3f} s + "
        f"sign {statistics.median(sign_times):.3f} s; CPU time {statistics.median(cpu_times):.3f} s); "
        f"baseline (one Latin page, interleaved) {reference:.3f} s: ratio median {total / reference:.1f}, "
        f"p95 {p95 / reference:.1f}; peak Python allocations (tracemalloc) {peak / 2**20:.0f} MiB; "
        f"process peak RSS {rss:.0f} MiB; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}; "
        f"targets: {', '.join(verdicts)}",
        flush=True,
    )
    return rendered.pages


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
    return f"{os.cpu_count()} CPUs (nproc), {model}{mem}; Python {platform.python_version()}, {platform.platform()}"


def development_pki(folder):
    """A development CA and signing certificate laid out as make_dev_certificate lays them out, and
    the development TSA started on a free loopback port; returns the TSA process."""
    import socket

    pkcs12 = Path(folder) / "bench.p12"
    call_command("make_dev_certificate", output=str(pkcs12), password="bench-pass", verbosity=0)
    settings.SIGNING_CERT_PATH = str(pkcs12)
    settings.SIGNING_CERT_PASSWORD = "bench-pass"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "documents.dev_tsa", "--pkcs12", str(pkcs12), "--password", "bench-pass"]
    tsa = subprocess.Popen(
        [*command, "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    ready = tsa.stdout.readline()
    if "TSA ready" not in ready:
        tsa.kill()
        raise SystemExit(f"The development TSA did not start: {ready!r}")
    settings.TSA_URL = f"http://127.0.0.1:{port}/"
    settings.TSA_TRUST_ROOTS_PATH = str(pkcs12.with_suffix(".ca.pem"))
    return tsa


def run_one(which, repeat):
    with tempfile.TemporaryDirectory() as tmp:
        tsa = development_pki(tmp)
        try:
            start = time.perf_counter()
            render_and_sign("pdf/guidance_opinion.html", opinion_context(1))
            print(
                f"[{which}] warm-up render and sign (fonts, pyHanko, the key and the TSA connection, once per "
                f"process): {time.perf_counter() - start:.2f} s"
            )
            if which == "opinion":
                context = opinion_context(OPINION_SECTIONS)
                pages = measure("Guidance opinion", which, "pdf/guidance_opinion.html", context, repeat)
                wanted = (3, 4)  # three pages of text; the 版记 may take a fourth, even page
            else:
                context = case_file_context(CASE_FILE_ROWS)
                pages = measure("Case file", which, "pdf/case_file.html", context, repeat)
                wanted = (28, 35)
        finally:
            tsa.terminate()
            tsa.wait(timeout=10)
    if not wanted[0] <= pages <= wanted[1]:
        print(f"Note: {which} has {pages} pages, not {wanted[0]}-{wanted[1]}; adjust the sizes.")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", choices=["opinion", "casefile"])
    args = parser.parse_args()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    if args.only:
        run_one(args.only, args.repeat)
        return
    print("Machine:", machine(), flush=True)
    # Each document in its own process, so that the peak RSS belongs to it alone.
    for which in ("opinion", "casefile"):
        subprocess.run([sys.executable, __file__, "--only", which, "--repeat", str(args.repeat)], check=True)


if __name__ == "__main__":
    main()
