"""Small steps the fault tests run inside the portal under test, as its own processes do:
`python -m tests.faults.actions <step> [arguments]` with the stack's environment. Each prints
one JSON value on its last line.

    documents N        request N documents in one transaction (their renders go through the outbox)
    drafts N           N complete draft applications of the smoke applicant, ready to submit
    sweep-orphans      remove the orphan files now (the periodic task waits an hour)
    relay-emails       run the e-mail relay as if each retry wait had passed, until none is pending
    staff-email-page   the admin's e-mail list as staff see it (status code, pending, failed)
"""

import json
import sys

import django


def documents(count):
    from django.db import transaction

    from documents import services
    from documents.models import Document
    from portal.models import User

    staff = User.objects.get(email="staff@smoke.example.cn")
    with transaction.atomic():
        ids = [
            services.document_request(
                kind=Document.Kind.GUIDANCE_OPINION,
                subject=staff,
                template="pdf/guidance_opinion.html",
                context={"title": "海外知识产权纠纷应对行政指导意见书", "addressee": "太原晋成精密机械有限公司"},
                title="海外知识产权纠纷应对行政指导意见书",
                by=staff,
            ).pk
            for _ in range(int(count))
        ]
    return ids


def drafts(count):
    from portal.models import User
    from tests.applications.factories import complete_draft

    applicant = User.objects.get(email="applicant@smoke.example.cn")
    return [complete_draft(applicant).pk for _ in range(int(count))]


def sweep_orphans():
    import datetime

    from portal.files import orphan_files_remove

    return orphan_files_remove(older_than=datetime.timedelta(0))


def relay_emails():
    from django.utils import timezone

    from portal.models import EmailDelivery
    from portal.notifications import email_relay_pending

    rounds = 0
    pending = EmailDelivery.objects.filter(status=EmailDelivery.Status.PENDING)
    while pending.exists() and rounds < 10:
        pending.update(next_attempt_at=timezone.now())
        email_relay_pending()
        rounds += 1
    return rounds


def staff_email_page():
    from django.test import Client
    from django.urls import reverse

    from portal.models import EmailDelivery, User

    staff = User.objects.get(email="staff@smoke.example.cn")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff)
    try:  # a second factor, where staff must have one
        from tests.twofactor import verify_client_session

        verify_client_session(client, staff)
    except ImportError:
        pass
    response = client.get(reverse("admin:portal_emaildelivery_changelist"), {"status": "failed"})
    page = response.content.decode()
    failed = list(EmailDelivery.objects.filter(status=EmailDelivery.Status.FAILED).values_list("to", flat=True))
    return {
        "status": response.status_code,
        "failed": len(failed),
        "listed": sum(1 for address in set(failed) if address in page),
        "pending": EmailDelivery.objects.filter(status=EmailDelivery.Status.PENDING).count(),
        "errors": sorted(set(EmailDelivery.objects.exclude(last_error="").values_list("last_error", flat=True)))[:3],
    }


STEPS = {
    "documents": documents,
    "drafts": drafts,
    "sweep-orphans": sweep_orphans,
    "relay-emails": relay_emails,
    "staff-email-page": staff_email_page,
}

if __name__ == "__main__":
    django.setup()
    step, *arguments = sys.argv[1:]
    print(json.dumps(STEPS[step](*arguments), ensure_ascii=False))
