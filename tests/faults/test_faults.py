"""Nothing is lost when a service fails, with real processes on PostgreSQL and Redis.

Each scenario breaks one service under a running portal (gunicorn, celery beat, Celery workers)
and asserts what the people using it get: every document done exactly once, no orphan file, no
HTTP 500, no lost submission. Each prints how long the portal took to recover.
"""

import os
import random
import statistics
import time

import pytest

from tests.faults.conftest import ACCOUNT, VISIBILITY_TIMEOUT, Browser, wait_until

pytestmark = pytest.mark.faults

RENDER = "documents.tasks.render_document"


def report(line):
    print(f"\n[faults] {line}", flush=True)


def _successes(faults, ids):
    wanted = {str(pk) for pk in ids}
    return [entry for entry in faults.traced(RENDER) if entry[2] == "end:SUCCESS" and entry[3] in wanted]


def test_a_worker_killed_mid_render_is_brought_back_by_the_visibility_timeout(faults):
    """kill -9 of the whole worker (its pool process included) while it renders, again and again:
    the unacknowledged message comes back after the broker's visibility timeout and a fresh worker
    renders it; every document ends rendered once, with no file left over.

    Two workers run at a time (each replaced as soon as it is killed), so that one starts up while
    the other renders; each is killed at a random moment of a render it has started and not ended."""
    wanted = int(os.environ.get("FAULT_KILLS", "20"))
    budget = float(os.environ.get("FAULT_KILL_SECONDS", "75"))
    # More documents than kills: a render the kill comes too late for is done, and the next one is killed.
    ids = faults.action("documents", wanted + wanted // 2)
    wanted_ids = {str(pk) for pk in ids}
    kills = []  # (time, document id) of each kill that hit a render in progress
    started = time.monotonic()
    victims = [faults.start_worker() for _ in range(2)]
    while len(kills) < wanted and time.monotonic() - started < budget and not faults.all_ready(ids):
        entries = faults.traced(RENDER)
        ended = {(e[1], e[3]) for e in entries if e[2].startswith("end")}
        open_renders = {e[1]: e[3] for e in entries if e[2] == "start" and (e[1], e[3]) not in ended}
        target = next(
            (
                (name, open_renders[pid])
                for name in victims
                for pid in faults.pool_pids(name)
                if pid in open_renders and open_renders[pid] in wanted_ids
            ),
            None,
        )
        if target is None:
            time.sleep(0.1)
            continue
        name, document = target
        time.sleep(random.uniform(0.05, 0.5))  # anywhere in the render: before, during, after writing the file
        moment = time.time()
        faults.kill(name)
        victims[victims.index(name)] = faults.start_worker()
        if any(e[3] == document and e[2].startswith("end") and e[0] < moment for e in faults.traced(RENDER)):
            continue  # the render ended just before the kill: not counted
        kills.append((moment, document))
    kill_seconds = time.monotonic() - started
    ended_by_budget = kill_seconds >= budget
    assert kills, "no kill hit a render in progress"

    # The killing stops; the two workers left running finish the work.
    faults.worker = victims[0]
    last_kill = kills[-1][0] if kills else time.time()
    wait_until(lambda: faults.all_ready(ids), seconds=180, what="every killed render is brought back and done")
    all_done = time.time() - last_kill
    entries = faults.traced(RENDER)
    redelivered = [
        min(e[0] for e in entries if e[3] == document and e[2] == "start" and e[0] > stamp) - stamp
        for stamp, document in kills
    ]
    done = [
        min(e[0] for e in entries if e[3] == document and e[2] == "end:SUCCESS" and e[0] > stamp) - stamp
        for stamp, document in kills
    ]
    orphans = faults.assert_done_exactly_once(ids)
    faults.assert_no_server_error()
    report(
        f"(a) worker killed (kill -9) mid-render {len(kills)} times in {kill_seconds:.0f} s; all {len(ids)} "
        f"documents rendered exactly once; a killed render started again after median "
        f"{statistics.median(redelivered):.1f} s (at most {max(redelivered):.1f} s) and was done after median "
        f"{statistics.median(done):.1f} s (at most {max(done):.1f} s), with a visibility timeout of "
        f"{VISIBILITY_TIMEOUT} s (production: CELERY_TASK_TIME_LIMIT + 60 s); all done {all_done:.1f} s after "
        f"the last kill; {orphans} orphan file(s) swept"
    )
    if len(kills) < wanted:
        why = "before every render was done"
        if ended_by_budget:
            why = f"in the {budget:.0f} s budget (FAULT_KILL_SECONDS)"
        report(f"(a) only {len(kills)} of {wanted} kills hit a render {why}")


def test_postgresql_restarted_during_renders(faults):
    """PostgreSQL restarts (fast shutdown: every connection cut) while a worker renders: the render
    in progress rolls back, its task retries once the server is back, every document is done."""
    faults.ensure_worker()
    # Twenty: a render takes a fraction of a second, and the restart must find one under way.
    ids = faults.action("documents", 20)
    wanted_ids = {str(pk) for pk in ids}
    before = len(faults.traced(RENDER))

    def in_progress():
        entries = faults.traced(RENDER)[before:]
        ended = {(e[1], e[3]) for e in entries if e[2].startswith("end")}
        return [e for e in entries if e[2] == "start" and e[3] in wanted_ids and (e[1], e[3]) not in ended]

    wait_until(lambda: len(_successes(faults, ids)) >= 1 and in_progress(), seconds=120, what="renders under way")
    interrupted = {e[3] for e in in_progress()}
    restart_started = time.monotonic()
    faults.restart_postgres()
    restart_seconds = time.monotonic() - restart_started
    recovery = wait_until(lambda: faults.all_ready(ids), seconds=180, what="every document rendered")
    orphans = faults.assert_done_exactly_once(ids)
    faults.assert_running()
    status, _location, _page = Browser(faults.url).get("/")
    assert status == 200
    faults.assert_no_server_error()
    retried = [e for e in faults.traced(RENDER)[before:] if e[2] == "end:RETRY"]
    report(
        f"(b) PostgreSQL restarted in {restart_seconds:.1f} s with render(s) {sorted(interrupted)} in progress; "
        f"{len(retried)} render(s) retried; all {len(ids)} documents rendered exactly once "
        f"{recovery:.1f} s after the server was back; {orphans} orphan file(s) swept"
    )


def _receipts(faults, applications):
    rows = faults.sql(
        "SELECT d.id FROM documents_document d JOIN django_content_type t ON t.id = d.subject_type_id "
        "WHERE t.app_label = 'applications' AND t.model = 'application' AND d.kind = 'receipt' "
        "AND d.subject_id = ANY(%s)",
        (list(applications),),
    )
    return [row[0] for row in rows]


def _submit(browser, application):
    """Submit a draft on its review page as the applicant does; the page the applicant then sees."""
    started = time.monotonic()
    status, location, _page = browser.post_form(f"/applications/{application}/review/", {"revision": 0})
    seconds = time.monotonic() - started
    assert status == 302, f"submitting application {application} answered {status}"
    status, _location, page = browser.get(location)
    assert status == 200, f"the application page answered {status}"
    return page, seconds


def test_redis_down_or_refusing_writes_while_an_applicant_submits(faults):
    """An applicant submits through gunicorn while Redis (broker and cache) is stopped, then while it
    refuses writes: each submission is saved and numbered, the page says the receipt follows, no
    500. Once Redis takes writes again the outbox relay (celery beat, every 30 s) hands the
    receipts' renders to the worker."""
    faults.ensure_worker()
    first, second = faults.action("drafts", 2)
    browser = Browser(faults.url)

    faults.stop_redis()
    browser.log_in(ACCOUNT["applicant"], faults.password)
    page, down_seconds = _submit(browser, first)
    assert "已提交" in page and "回执正在生成" in page, page[-3000:]

    faults.start_redis("--maxmemory", "1", "--maxmemory-policy", "noeviction")
    assert "OOM" in faults.redis_cli("set", "probe", "1")  # Redis answers, but refuses every write
    page, refusing_seconds = _submit(browser, second)
    assert "已提交" in page and "回执正在生成" in page, page[-3000:]

    rows = faults.sql("SELECT id, status, number FROM applications_application WHERE id = ANY(%s)", ([first, second],))
    assert {row[1] for row in rows} == {"submitted"} and all(row[2] for row in rows), rows
    receipts = _receipts(faults, [first, second])
    assert len(receipts) == 2
    waiting = faults.sql("SELECT count(*) FROM portal_outboxmessage WHERE relayed_at IS NULL AND task = %s", (RENDER,))[
        0
    ][0]
    assert waiting >= 2, "the receipts' renders should wait in the outbox"

    faults.redis_cli("config", "set", "maxmemory", "0")
    back = time.monotonic()
    # A Celery worker that reconnects to a Redis refusing writes stops ("Unrecoverable error:
    # OutOfMemoryError"): in production its supervisor starts it again, as supervise_workers does.
    exited = []

    def receipts_ready():
        exited.extend(faults.supervise_workers())
        return faults.all_ready(receipts)

    wait_until(receipts_ready, seconds=150, what="the receipts are rendered")
    recovery = time.monotonic() - back
    orphans = faults.assert_done_exactly_once(receipts)
    status, _location, page = browser.get(f"/applications/{first}/")
    assert status == 200 and "回执" in page
    assert not browser.server_errors(), browser.server_errors()
    faults.assert_no_server_error()
    faults.assert_running()
    report(
        f"(c) Redis stopped: submission answered 302 in {down_seconds:.1f} s; Redis refusing writes: "
        f"answered 302 in {refusing_seconds:.1f} s; both saved with their numbers ({', '.join(r[2] for r in rows)}), "
        f"{waiting} render(s) waited in the outbox; receipts rendered {recovery:.1f} s after Redis took writes "
        f"again (outbox relay every 30 s; {len(exited)} worker(s) had stopped on reconnecting to the refusing "
        f"Redis and were started again, as a supervisor does); {orphans} orphan file(s) swept"
    )


def test_mail_server_down(faults):
    """Mail goes to a closed port: the applicant's submission succeeds; each message is tried, kept
    pending with the error, and after its retries marked failed and listed for staff."""
    faults.ensure_worker()
    (application,) = faults.action("drafts", 1)
    browser = Browser(faults.url)
    browser.log_in(ACCOUNT["applicant"], faults.password)
    (last_before,) = faults.sql("SELECT coalesce(max(id), 0) FROM portal_emaildelivery")[0]
    page, seconds = _submit(browser, application)
    assert "已提交" in page
    messages = [row[0] for row in faults.sql("SELECT id FROM portal_emaildelivery WHERE id > %s", (last_before,))]
    assert messages, "the submission records its e-mails"

    def tried():
        rows = faults.sql("SELECT min(attempts) FROM portal_emaildelivery WHERE id = ANY(%s)", (messages,))
        return rows[0][0] >= 1

    first_try = wait_until(tried, seconds=60, what="the worker tries each message")
    rows = faults.sql("SELECT status, last_error FROM portal_emaildelivery WHERE id = ANY(%s)", (messages,))
    assert {row[0] for row in rows} == {"pending"}, rows
    assert all("Connection refused" in row[1] or "ConnectionRefused" in row[1] for row in rows), rows

    rounds = faults.action("relay-emails")  # the retries after 1, 5, 15 and 60 minutes, without the waiting
    staff_view = faults.action("staff-email-page")
    assert staff_view["status"] == 200, staff_view
    assert staff_view["pending"] == 0 and staff_view["failed"] > 0, staff_view
    assert staff_view["listed"] >= 1, "failed messages are listed for staff"
    assert not browser.server_errors(), browser.server_errors()
    faults.assert_no_server_error()
    report(
        f"(d) mail server down: the submission answered 302 in {seconds:.1f} s; its {len(messages)} message(s) "
        f"tried by the worker within {first_try:.1f} s and kept pending with the error; after {rounds} relay round(s) "
        f"{staff_view['failed']} message(s) failed for good, listed for staff (HTTP {staff_view['status']})"
    )
