"""Benchmark: render and sign a 3-page guidance opinion and a 30-page case file.

Run: .venv/bin/python tests/bench/bench_documents.py [--repeat 3]
Prints time (median of the repeats) and peak memory (tracemalloc: Python allocations;
getrusage: the process's peak resident set) with the machine's figures. Not collected by pytest.
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

from documents.certificates import make_development_pkcs12  # noqa: E402
from documents.pdf import render_pdf  # noqa: E402
from documents.services import qr_data_uri  # noqa: E402
from documents.signing import sign_pdf  # noqa: E402
from portal.models import SiteConfiguration  # noqa: E402

# No database needed: the layout only reads the center's configuration.
SiteConfiguration.get = classmethod(lambda cls: SiteConfiguration())

OPINION_SECTIONS = 2
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


def measure(label, template, context, repeat):
    """Time without tracing (median of `repeat`), then one traced run for the Python peak."""
    times, render_times, sign_times = [], [], []
    for _ in range(repeat):
        start = time.perf_counter()
        pdf, pages = render_pdf(template, context)
        rendered = time.perf_counter()
        signed = sign_pdf(pdf, signer_name="赵建国", signer_title="主任")
        done = time.perf_counter()
        times.append(done - start)
        render_times.append(rendered - start)
        sign_times.append(done - rendered)
    tracemalloc.start()
    pdf, _pages = render_pdf(template, context)
    sign_pdf(pdf, signer_name="赵建国", signer_title="主任")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{label}: {pages} pages, {len(signed) / 1024:.0f} KiB signed; "
        f"total {statistics.median(times):.2f} s (render {statistics.median(render_times):.2f} s + "
        f"sign {statistics.median(sign_times):.2f} s), median of {repeat}; "
        f"peak Python allocations (tracemalloc) {peak / 2**20:.0f} MiB; process peak RSS {rss:.0f} MiB",
        flush=True,
    )
    return pages


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


def run_one(which, repeat):
    with tempfile.TemporaryDirectory() as tmp:
        blob, _ca = make_development_pkcs12("bench-pass")
        path = Path(tmp) / "bench.p12"
        path.write_bytes(blob)
        settings.SIGNING_CERT_PATH = str(path)
        settings.SIGNING_CERT_PASSWORD = "bench-pass"
        start = time.perf_counter()
        sign_pdf(render_pdf("pdf/guidance_opinion.html", opinion_context(1))[0], signer_name="a", signer_title="b")
        print(
            f"[{which}] warm-up render and sign (fonts, pyHanko and the key loaded once per process): "
            f"{time.perf_counter() - start:.2f} s"
        )
        if which == "opinion":
            pages = measure("Guidance opinion", "pdf/guidance_opinion.html", opinion_context(OPINION_SECTIONS), repeat)
            wanted = (3, 3)
        else:
            pages = measure("Case file", "pdf/case_file.html", case_file_context(CASE_FILE_ROWS), repeat)
            wanted = (28, 35)
    if not wanted[0] <= pages <= wanted[1]:
        print(f"Note: {which} has {pages} pages, not {wanted[0]}-{wanted[1]}; adjust the sizes.")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
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
