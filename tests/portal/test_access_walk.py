"""Who may open which page: every URL of the portal, for every kind of person.

The URL patterns are read from the URL conf, so a new URL without a rule here fails the suite. The
world is the demo data. Each person below is a role fixture; each URL's path values name an object
that belongs to applicant A, to the addressed agency or to the invited expert, so the table says who
else may reach it. Expected answers:

- 200: the page;
- 302: sent to log in (anonymous) or on to the next step (a GET on an action answers with a redirect);
- 404: the object is not visible to this person, or the page does not exist for this role;
- 400: an empty form posted where the person may act (the answer names the missing fields);
- 401: the form's background save, for someone not logged in;
- 405: a method the URL does not take (a GET on logout);
- 403: a visible object, an action refused with a message.

URLs that take only POST are walked with an empty POST, each request in a savepoint rolled back
afterwards, so an allowed action changes nothing for the next person.

The admin's own URLs are checked by rule: the center's roles reach every change list and the change
page of the world's objects; everyone else is sent to the admin's login, never shown data.
"""

import datetime

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from applications.services.invitations import token_hash
from cases.opinions.services import case_file_export
from documents.selectors import documents_of_case
from documents.services import document_render
from experts.permissions import case_visible_assignments, visible_seminar_seats
from experts.services import assignment_declare
from portal.models import Job, User
from portal.roles import Role
from tests.demo_data import demo_data, demo_data_once  # noqa: F401 (fixtures: the demo data, seeded once)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_data")]

PEOPLE = [
    "anonymous",
    "applicant_a",
    "applicant_b",
    "addressed_agency",
    "other_agency",
    "invited_expert",
    "other_expert",
    "staff",
    "director",
    "deputy",
    "station",
    "other_station",
]
CENTER = {"staff": 200, "director": 200, "deputy": 200}


def only(allowed, *, anonymous=302, others=404, **more):
    """A rule: the people in `allowed` get `allowed`'s answer, anonymous goes to log in, others 404."""
    rule = dict.fromkeys(PEOPLE, others)
    rule["anonymous"] = anonymous
    rule.update(allowed)
    rule.update(more)
    return rule


def post(rule):
    """The URL takes only POST: the walk posts an empty form (rolled back) instead of a GET."""
    return {**rule, "method": "post"}


def everyone(status=200):
    return dict.fromkeys(PEOPLE, status)


APPLICANT_A = {"applicant_a": 200}
AGENCY = {"addressed_agency": 200}
EXPERT = {"invited_expert": 200}
ALL_EXPERTS = {"invited_expert": 200, "other_expert": 200}
ALL_AGENCIES = {"addressed_agency": 200, "other_agency": 200}
ALL_APPLICANTS = {"applicant_a": 200, "applicant_b": 200}
# Those who must use a second factor (the others may opt in).
SECOND_FACTOR = {
    "addressed_agency": 200,
    "other_agency": 200,
    "staff": 200,
    "director": 200,
    "deputy": 200,
    "station": 200,
    "other_station": 200,
}
# Workstation staff work in the admin, on their own workstation's applicants and cases.
STATIONS = {"station": 200, "other_station": 200}
LOGGED_IN = {person: 200 for person in PEOPLE if person != "anonymous"}

# url name → rule. A GET, or for the URLs that take only POST an empty POST (see `post`).
RULES = {
    "portal:home": everyone(),
    "portal:landing": only(dict.fromkeys(LOGGED_IN, 302)),
    "portal:notifications": only(LOGGED_IN),
    "applications:register": everyone(),
    "portal:activate": everyone(400),  # the walk's link is not a valid one: a clear 400 page
    "login": only(dict.fromkeys(LOGGED_IN, 302), anonymous=200),  # a logged-in person goes on to their page
    "logout": everyone(405),
    "password_change": only(LOGGED_IN),
    "password_change_done": only(LOGGED_IN),
    "password_reset": everyone(),
    "password_reset_done": everyone(),
    "password_reset_confirm": everyone(),
    "password_reset_complete": everyone(),
    "set_language": everyone(302),
    "applications:mine": only(ALL_APPLICANTS),
    "applications:new": post(only(dict.fromkeys(ALL_APPLICANTS, 302))),
    "applications:join": post(only({})),  # only for a person without an organisation yet
    "applications:membership_decide": post(only({"applicant_a": 302, **dict.fromkeys(CENTER, 302)})),
    "applications:detail": only({**APPLICANT_A, **CENTER, "station": 200}),
    # Staff and applicant A's workstation: back to the page.
    "applications:edit": only({"applicant_a": 200, **dict.fromkeys(CENTER, 302), "station": 302}),
    "applications:autosave": post(only({"applicant_a": 200}, anonymous=401)),  # JSON for the form's script
    "applications:evidence": only({"applicant_a": 200, **dict.fromkeys(CENTER, 302), "station": 302}),
    "applications:attachment_delete": post(only({"applicant_a": 302})),
    "applications:attachment_download": only({**APPLICANT_A, **CENTER, "station": 200}),
    "applications:withdraw": post(only({"applicant_a": 302, **dict.fromkeys(CENTER, 403), "station": 403})),
    "applications:review": only({"applicant_a": 200, **dict.fromkeys(CENTER, 302), "station": 302}),
    "applications:message_create": post(only({"applicant_a": 400, **dict.fromkeys(CENTER, 400), "station": 400})),
    "applications:message_file_download": only({**APPLICANT_A, **CENTER, "station": 200}),
    "applications:feedback_create": post(only({"applicant_a": 400, **dict.fromkeys(CENTER, 403), "station": 403})),
    "cases:agency_inbox": only(ALL_AGENCIES),
    "cases:agency_letter": only(AGENCY),
    "cases:agency_acknowledge": post(only({"addressed_agency": 302})),
    "cases:agency_answer": post(only({"addressed_agency": 400})),
    "cases:agency_extension": post(only({"addressed_agency": 400})),
    "cases:answer_attachment": only({**AGENCY, **CENTER}),
    "experts:workspace": only(ALL_EXPERTS),
    "experts:unavailability_add": post(only(ALL_EXPERTS)),  # the empty form comes back with its errors
    "experts:unavailability_delete": post(only({"invited_expert": 302})),
    "experts:invitation": only(EXPERT),
    "experts:assignment": only(EXPERT),
    "experts:evidence_download": only({**EXPERT, **CENTER}),
    "experts:opinion_file": only({**EXPERT, **CENTER}),
    "experts:seminar_seat": only(EXPERT),
    "experts:seminar_material": only({**EXPERT, **CENTER}),
    "experts:center_index": only(CENTER),
    "experts:health": only(CENTER),
    "experts:case_panel": only(CENTER),
    "experts:match_run": post(only(dict.fromkeys(CENTER, 302))),
    "experts:match": only(CENTER),
    "experts:invitation_withdraw": post(only(dict.fromkeys(CENTER, 302))),
    "experts:assignment_action": post(only(dict.fromkeys(CENTER, 302))),
    "experts:seminar_new": only(CENTER),
    "experts:seminar_manage": only(CENTER),
    "meetings:calendar": only(LOGGED_IN),  # each person's own meetings and seminars
    "meetings:detail": only({**CENTER, **ALL_AGENCIES}),
    "meetings:ics": only({**CENTER, **ALL_AGENCIES}),
    "meetings:propose_item": only({**CENTER, **ALL_AGENCIES}),
    "meetings:agency_actions": only({**ALL_AGENCIES, **CENTER}),
    "meetings:action_update": only({**AGENCY, **CENTER}),
    "documents:download": only({**APPLICANT_A, **CENTER}),
    "documents:verify": everyone(),
    "documents:verify_code": everyone(),
    "pki-ca-certificate": everyone(),  # the root a stranger checks signatures against
    "pki-crl": everyone(),  # its revocation list, named in every certificate it issues
    # The admin's door: others go to its login; workstation staff pass it and find no such case file.
    "cases:case_file": post(only(dict.fromkeys(CENTER, 302), others=302, **dict.fromkeys(STATIONS, 404))),
    "twofactor:account": only(LOGGED_IN),
    "twofactor:verify": only(dict.fromkeys(LOGGED_IN, 302)),  # a verified session goes on
    "twofactor:setup": only(LOGGED_IN),
    "twofactor:recovery_codes": only(LOGGED_IN),
    "twofactor:recovery_codes_download": only({}),  # only right after codes were made
    "twofactor:renew_codes": post(only({**dict.fromkeys(LOGGED_IN, 302)})),
    "twofactor:disable": post(only({**dict.fromkeys(LOGGED_IN, 302), **dict.fromkeys(SECOND_FACTOR, 403)})),
    "twofactor:confirm": only({**dict.fromkeys(LOGGED_IN, 302), **SECOND_FACTOR}),
    # The knowledge platform: its published pages are for everyone; a token is the key to its own page.
    "robots_txt": everyone(),
    # For the load balancer and Prometheus: no login; /metrics answers loopback (the test client's
    # address) when no METRICS_TOKEN is set (tests/portal/test_metrics.py pins the other cases).
    "healthz": everyone(),
    "metrics": everyone(),
    "knowledge:index": everyone(),
    "knowledge:search": everyone(),
    "knowledge:laws": everyone(),
    "knowledge:law": everyone(),
    "knowledge:law_attachment": everyone(),
    "knowledge:countries": everyone(),
    "knowledge:country": everyone(),
    "knowledge:cases": everyone(),
    "knowledge:case": everyone(),
    "knowledge:warnings": everyone(),
    "knowledge:warning": everyone(),
    "knowledge:institutions": everyone(),
    "knowledge:institution": everyone(),
    "knowledge:events": everyone(),
    "knowledge:event": everyone(),
    "knowledge:event_ics": everyone(),
    "knowledge:fair_help": post(everyone(400)),  # the empty form comes back with its errors
    "knowledge:fair_help_received": everyone(404),  # only the browser that asked for help
    "knowledge:material": everyone(),
    "knowledge:registration": everyone(),
    "knowledge:registration_cancel": post(everyone(302)),
    "knowledge:registration_ics": everyone(),
    "knowledge:subscribe": everyone(),
    "knowledge:subscription": everyone(),
    "knowledge:subscription_confirm": everyone(),
    "knowledge:unsubscribe": post(everyone(302)),
    "knowledge:feed_rss": everyone(),
    "knowledge:feed_atom": everyone(),
    "knowledge:sitemap": everyone(),
    "knowledge:sitemap_section": everyone(),
    "knowledge:agency_submissions": only(ALL_AGENCIES),
    "knowledge:agency_submit": only(ALL_AGENCIES),
    "knowledge:agency_edit": only(AGENCY),  # an item the addressed agency sent and got back
    "knowledge:consent": everyone(),
    "knowledge:service_points": everyone(),
    # The invited person, not logged in, sets a password; a logged-in person of another address is refused.
    "applications:invitation_accept": only({}, anonymous=200, others=403),
    # Statistics: the center sees all, a workstation its own scope, an agency is sent to its own letters' page.
    "reporting:statistics": only({**CENTER, **STATIONS}, **dict.fromkeys(ALL_AGENCIES, 302)),
    # Without a table named, those who may export are told so (400); the others get 404.
    "reporting:statistics_export": only(dict.fromkeys({**CENTER, **STATIONS, **ALL_AGENCIES}, 400)),
    "reporting:agency_statistics": only(ALL_AGENCIES),
    "reporting:national": only(CENTER),
    # A job is its starter's alone (the walk's job was started by the staff member).
    "jobs:list": only(LOGGED_IN),
    "jobs:detail": only({"staff": 200}),
    "jobs:status": only({"staff": 200}),
    "jobs:download": only({"staff": 200}),
    "jobs:retry": post(only({"staff": 302})),
    # The case file's progress page: center members; everyone else is sent to the admin's login.
    "cases:case_file_progress": only(CENTER, others=302, **dict.fromkeys(STATIONS, 404)),
    "cases:case_file_status": only(CENTER, others=302, **dict.fromkeys(STATIONS, 404)),
    "cases:case_file_retry": post(only(dict.fromkeys(CENTER, 302), others=302, **dict.fromkeys(STATIONS, 404))),
    # The API answers tokens only: a logged-in session is no client (401 with a JSON body).
    "api:schema": everyone(),
    "api:docs": everyone(),
    "api:statistics": everyone(401),
    "api:knowledge-list": everyone(401),
    "api:knowledge-detail": everyone(401),
    "api:cases": everyone(401),
    "api:consultations": post(everyone(401)),
    "api:documents-verify": everyone(401),
}


def _model(label):
    return apps.get_model(label)


def _first(label, **lookup):
    found = _model(label).objects.filter(**lookup).order_by("pk").first()
    assert found is not None, f"the demo data has no {label} with {lookup}"
    return found


class World:
    """The demo data: the people of the table and the objects the URLs name."""

    def __init__(self):
        applicant_a = User.objects.get(email="applicant@demo.cn")
        self.case = _first("cases.Case", application__created_by=applicant_a)
        self.application = self.case.application
        self.draft = _model("applications.Application").objects.create(
            applicant=self.application.applicant, created_by=applicant_a
        )
        self.attachment = _first("applications.Attachment", application=self.application)
        self.recipient = _first("cases.LetterRecipient", letter__case=self.case, letter__signed_by__isnull=False)
        expert_user = User.objects.get(email="expert@demo.cn")
        self.invitation = _first("experts.ExpertInvitation", expert__user=expert_user)
        # The demo expert still owes the declaration of no conflict: give it, so that the case's material
        # and the seminar seat are theirs to open.
        for waiting in _model("experts.ExpertAssignment").objects.filter(
            expert__user=expert_user, status="awaiting_declaration"
        ):
            assignment_declare(assignment=waiting, by=expert_user, no_conflict=True)
        self.assignment = case_visible_assignments(expert_user).order_by("pk").first()
        self.seminar_invitee = visible_seminar_seats(expert_user).order_by("pk").first()
        assert self.assignment and self.seminar_invitee, "the demo expert has an open assignment and a seminar seat"
        self.meeting = _first("meetings.JointMeeting")
        notice = documents_of_case(self.case).filter(kind="acceptance_notice").first()
        self.document = document_render(document_id=notice.pk)
        other_expert = _model("experts.Expert").objects.exclude(user=expert_user).order_by("pk").first()
        if other_expert.user_id is None:
            other_expert.user = User.objects.create_user(email="other-expert@example.cn", full_name="另一位专家")
            other_expert.user.groups.add(Group.objects.get_or_create(name=Role.EXPERT)[0])
            other_expert.save(update_fields=["user"])
        other_agency = (
            User.objects.filter(groups__name=Role.AGENCY)
            .exclude(agency__in=self.recipient.letter.recipients.values("agency"))
            .first()
        )
        if other_agency is None:
            agency = _model("portal.PartnerAgency").objects.exclude(
                pk__in=self.recipient.letter.recipients.values("agency")
            )[0]
            other_agency = User.objects.create_user(
                email="other-agency@example.cn", full_name="其他单位", agency=agency
            )
            other_agency.groups.add(Group.objects.get(name=Role.AGENCY))
        # Applicant A is helped by the demo workstation; another workstation's user sees none of it.
        station = User.objects.get(email="station@demo.cn")
        _model("applications.Applicant").objects.filter(pk=self.application.applicant_id).update(
            service_point=station.service_point
        )
        points = _model("portal.ServicePoint")
        other_point = next(
            point
            for point in points.objects.exclude(pk__in=points.scope_ids(station.service_point_id))
            if station.service_point_id not in points.scope_ids(point.pk)
        )
        other_station = User.objects.create_user(
            email="other-station@example.cn", full_name="其他工作站", service_point=other_point, is_staff=True
        )
        other_station.groups.add(Group.objects.get(name=Role.SERVICE_POINT))
        self.people = {
            "anonymous": None,
            "applicant_a": applicant_a,
            "applicant_b": User.objects.get(email="laochencu@demo.cn"),
            "addressed_agency": User.objects.filter(groups__name=Role.AGENCY, agency=self.recipient.agency).first(),
            "other_agency": other_agency,
            "invited_expert": expert_user,
            "other_expert": other_expert.user,
            "staff": User.objects.get(email="staff@demo.cn"),
            "director": User.objects.get(email="director@demo.cn"),
            "deputy": User.objects.get(email="deputy@demo.cn"),
            "station": station,
            "other_station": other_station,
        }

    def path_values(self, name):
        """The path values for URL `name`: an object of applicant A, the addressed agency, the invited expert."""
        w = self
        values = {
            "portal:activate": {"uidb64": "MQ", "token": "set-password"},
            "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
            "applications:membership_decide": lambda: {
                "request_pk": _membership_request(w).pk,
                "decision": "approve",
            },
            "applications:detail": {"pk": w.application.pk},
            "applications:edit": {"pk": w.draft.pk},
            "applications:autosave": {"pk": w.draft.pk},
            "applications:evidence": {"pk": w.draft.pk},
            "applications:attachment_delete": lambda: {"pk": w.draft.pk, "attachment_pk": _draft_attachment(w).pk},
            "applications:attachment_download": {"pk": w.application.pk, "attachment_pk": w.attachment.pk},
            "applications:withdraw": {"pk": w.draft.pk},
            "applications:review": {"pk": w.draft.pk},
            "applications:message_create": {"pk": w.application.pk},
            "applications:message_file_download": lambda: {
                "pk": w.application.pk,
                "file_pk": _message_file(w).pk,
            },
            "applications:feedback_create": {"pk": w.application.pk},
            "cases:agency_letter": {"letter_pk": w.recipient.letter_id},
            "cases:agency_acknowledge": {"letter_pk": w.recipient.letter_id},
            "cases:agency_answer": {"letter_pk": w.recipient.letter_id},
            "cases:agency_extension": {"letter_pk": w.recipient.letter_id},
            "cases:answer_attachment": lambda: {"pk": _answer_file(w).pk},
            "experts:unavailability_delete": lambda: {"pk": _unavailability(w).pk},
            "experts:invitation": {"pk": w.invitation.pk},
            "experts:assignment": {"pk": w.assignment.pk},
            "experts:evidence_download": lambda: {
                "pk": w.assignment.pk,
                "attachment_pk": _model("applications.Attachment")
                .objects.filter(application__case=w.assignment.case)
                .exclude(category="standing")  # proof of standing waits for the contact release
                .first()
                .pk,
            },
            "experts:opinion_file": lambda: {"pk": _opinion_file(w).pk},
            "experts:seminar_seat": {"pk": w.seminar_invitee.pk},
            "experts:seminar_material": lambda: {"pk": _seminar_material(w).pk},
            "experts:case_panel": {"case_pk": w.case.pk},
            "experts:match_run": {"case_pk": w.case.pk},
            "experts:match": lambda: {"pk": _first("experts.MatchingRun").pk},
            "experts:invitation_withdraw": {"pk": w.invitation.pk},
            "experts:assignment_action": {"pk": w.assignment.pk, "action": "withdraw"},
            "experts:seminar_new": {"case_pk": w.case.pk},
            "experts:seminar_manage": {"pk": w.seminar_invitee.seminar_id},
            "meetings:detail": {"pk": w.meeting.pk},
            "meetings:ics": {"pk": w.meeting.pk},
            "meetings:propose_item": {"pk": w.meeting.pk},
            "meetings:action_update": lambda: {"pk": _action_item(w).pk},
            "documents:download": {"pk": w.document.pk},
            "documents:verify_code": {"code": w.document.verification_code},
            "cases:case_file": {"case_pk": w.case.pk},
            "knowledge:law": lambda: {"pk": _published("knowledge.Law").pk},
            "knowledge:law_attachment": lambda: {"pk": _law_with_attachment().pk},
            "knowledge:country": {"code": "US"},
            "knowledge:case": lambda: {"pk": _published("knowledge.TypicalCase").pk},
            "knowledge:warning": lambda: {"pk": _published("knowledge.Warning").pk},
            "knowledge:institution": lambda: {"pk": _published("knowledge.ServiceInstitution").pk},
            "knowledge:event": lambda: {"pk": _published("knowledge.Event", kind="trade_fair").pk},
            "knowledge:event_ics": lambda: {"pk": _published("knowledge.Event").pk},
            "knowledge:fair_help": lambda: {"pk": _published("knowledge.Event", kind="trade_fair").pk},
            "knowledge:fair_help_received": {"pk": 1},
            "knowledge:material": lambda: {"pk": _first("knowledge.EventMaterial").pk},
            "knowledge:registration": lambda: {"token": _first("knowledge.Registration", status="registered").token},
            "knowledge:registration_cancel": lambda: {
                "token": _first("knowledge.Registration", status="registered").token
            },
            "knowledge:registration_ics": lambda: {
                "token": _first("knowledge.Registration", status="registered").token
            },
            "knowledge:subscription": lambda: {"token": _subscription().token},
            "knowledge:subscription_confirm": lambda: {"token": _subscription().token},
            "knowledge:unsubscribe": lambda: {"token": _subscription().token},
            "knowledge:feed_rss": {"section": "warnings"},
            "knowledge:feed_atom": {"section": "laws"},
            "knowledge:sitemap_section": {"section": "laws"},
            "knowledge:agency_submit": {"kind": "case"},
            "knowledge:agency_edit": lambda: {"kind": "law", "pk": _returned_law(w).pk},
            "knowledge:consent": lambda: {"token": _consent_asked().consent_token},
            "applications:invitation_accept": lambda: {"token": _invitation(w)},
            "api:knowledge-detail": lambda: {"kind": "law", "pk": _published("knowledge.Law").pk},
            "api:documents-verify": {"code": w.document.verification_code},
            "jobs:detail": lambda: {"pk": _job(w).pk},
            "jobs:status": lambda: {"pk": _job(w).pk},
            "jobs:download": lambda: {"pk": _job(w).pk},
            "jobs:retry": lambda: {"pk": _job(w, failed=True).pk},
            "cases:case_file_progress": lambda: {"case_pk": w.case.pk, "pk": _case_file(w).pk},
            "cases:case_file_status": lambda: {"case_pk": w.case.pk, "pk": _case_file(w).pk},
            "cases:case_file_retry": lambda: {"case_pk": w.case.pk, "pk": _case_file(w).pk},
        }.get(name, {})
        return values() if callable(values) else values


def _job(world, *, failed=False):
    """A finished export of the staff member's (or a failed one, to run again)."""
    job = Job.objects.create(
        kind="reporting.national_export",
        label="信息报送导出",
        params={"period": "year", "year": "2026", "format": "json"},
        created_by=world.people["staff"],
        status=Job.Status.FAILED if failed else Job.Status.SUCCEEDED,
        last_error="OSError: disk full" if failed else "",
    )
    if not failed:
        job.result_file.save("export.json", ContentFile(b"{}"), save=False)
        job.result_name, job.result_content_type = "export.json", "application/json"
        job.save()
    return job


def _case_file(world):
    """The case file of the walk's case, asked for by the staff member."""
    return case_file_export(case=world.case, by=world.people["staff"])


def _published(label, **lookup):
    return _first(label, status="published", **lookup)


def _law_with_attachment():
    law = _published("knowledge.Law")
    if not law.attachment:
        law.attachment.save("law.pdf", ContentFile(b"%PDF-1.4 law text"), save=True)
    return law


def _subscription():
    subscription, _created = _model("knowledge.Subscription").objects.get_or_create(
        email="subscriber@example.cn", defaults={"countries": ["US"]}
    )
    return subscription


def _returned_law(world):
    agency = world.people["addressed_agency"].agency
    return _model("knowledge.Law").objects.create(
        status="returned",
        agency=agency,
        submitted_by=world.people["addressed_agency"],
        review_reason="请补充来源链接。",
        country="US",
        ip_type="patent",
        doc_type="law",
        title_zh="待修改的法律",
    )


def _consent_asked():
    item = _published("knowledge.TypicalCase")
    if not item.consent_token:
        _model("knowledge.TypicalCase").objects.filter(pk=item.pk).update(
            consent="requested", consent_token="walk-consent"
        )
        item.refresh_from_db()
    return item


def _invitation(world):
    """An open invitation to applicant A's organisation, for an address without an account."""
    token = "walk-invitation"
    _model("applications.Invitation").objects.get_or_create(
        token_hash=token_hash(token),
        defaults={
            "applicant": world.application.applicant,
            "email": "invitee@example.cn",
            "full_name": "受邀人",
            "sent_by": world.people["staff"],
            "expires_at": timezone.now() + datetime.timedelta(days=14),
        },
    )
    return token


def _draft_attachment(world):
    evidence = _model("applications.Attachment").objects
    return evidence.filter(application=world.draft).first() or evidence.create(
        application=world.draft,
        category=_model("applications.Attachment")._meta.get_field("category").choices[0][0],
        content_type="application/pdf",
        sha256="0" * 64,
        uploaded_by=world.people["applicant_a"],
        **_pdf("evidence.pdf"),
    )


def _membership_request(world):
    request = _model("applications.MembershipRequest").objects.filter(applicant=world.application.applicant).first()
    if request is None:
        user = User.objects.create_user(email="joiner@example.cn", full_name="申请加入者")
        request = _model("applications.MembershipRequest").objects.create(
            applicant=world.application.applicant, user=user
        )
    return request


def _message_file(world):
    files = _model("applications.MessageAttachment").objects
    found = files.filter(message__application=world.application).first()
    if found is None:
        message = _model("applications.Message").objects.create(
            application=world.application, author=world.people["staff"], from_center=True, body="请补充材料。"
        )
        found = files.create(
            message=message,
            file=ContentFile(b"%PDF-1.4 test", name="note.pdf"),
            original_name="note.pdf",
            content_type="application/pdf",
            size=13,
        )
    return found


def _answer_file(world):
    found = _model("cases.AnswerAttachment").objects.filter(recipient=world.recipient).first()
    if found is None:
        found = _model("cases.AnswerAttachment").objects.create(
            recipient=world.recipient,
            uploaded_by=world.people["addressed_agency"],
            file=ContentFile(b"%PDF-1.4 test", name="answer.pdf"),
            original_name="answer.pdf",
            content_type="application/pdf",
            size=13,
            sha256="0" * 64,
        )
    return found


def _unavailability(world):
    expert = world.invitation.expert
    found = _model("experts.Unavailability").objects.filter(expert=expert).first()
    if found is None:
        today = datetime.date.today()
        found = _model("experts.Unavailability").objects.create(
            expert=expert, starts_on=today + datetime.timedelta(days=30), ends_on=today + datetime.timedelta(days=40)
        )
    return found


def _pdf(name):
    return {"file": ContentFile(b"%PDF-1.4 test", name=name), "original_name": name, "size": 13}


def _opinion_file(world):
    files = _model("experts.OpinionAttachment").objects
    found = files.filter(opinion__expert=world.assignment.expert).first()
    if found is None:
        assignment = world.assignment
        opinion = _model("experts.ExpertOpinion").objects.filter(assignment=assignment).first()
        if opinion is None:
            opinion = _model("experts.ExpertOpinion").objects.create(
                assignment=assignment,
                case=assignment.case,
                expert=assignment.expert,
                analysis="分析",
                recommendations="建议",
                submitted_at=timezone.now(),
            )
        found = files.create(opinion=opinion, content_type="application/pdf", sha256="0" * 64, **_pdf("opinion.pdf"))
    return found


def _seminar_material(world):
    materials = _model("experts.SeminarMaterial").objects
    seminar = world.seminar_invitee.seminar
    return materials.filter(seminar=seminar).first() or materials.create(seminar=seminar, **_pdf("material.pdf"))


def _action_item(world):
    return _first("meetings.ActionItem", assignee_agency=world.recipient.agency)


def _walk(patterns=None, namespace=None, prefix=""):
    """(namespaced name, pattern) for every endpoint of the URL conf."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            yield from _walk(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def _portal_urls():
    return sorted({name for name, _pattern in _walk() if not name.startswith("admin:")})


@pytest.fixture
def world():
    return World()


def test_every_url_of_the_portal_has_an_access_rule():
    """A new URL fails here until someone decides who may open it."""
    assert [name for name in _portal_urls() if name not in RULES] == []
    assert [name for name in RULES if name not in _portal_urls()] == []


def _session_keys(world):
    """Each signed-in person's session, from one login each (a login costs more than most pages)."""
    keys = {}
    for person in PEOPLE:
        if world.people[person] is not None:
            client = Client()
            client.force_login(world.people[person])
            keys[person] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys


def test_every_person_gets_the_expected_answer_from_every_url(world):
    mismatches = []
    session_keys = _session_keys(world)
    for name in _portal_urls():
        rule = RULES[name]
        path = reverse(name, kwargs=world.path_values(name))
        for person in PEOPLE:
            # A new client each time, with nothing from the requests before it but the session.
            client = Client()
            if person in session_keys:
                client.cookies[settings.SESSION_COOKIE_NAME] = session_keys[person]
            # Each request in its own rolled-back savepoint: a POST that is allowed changes nothing
            # for the people after it, and a page that changes the session (logging out, say) leaves
            # it as the login made it.
            with transaction.atomic():
                status = getattr(client, rule.get("method", "get"))(path).status_code
                transaction.set_rollback(True)
            if status != rule[person]:
                mismatches.append(f"{name:<40} {person:<17} expected {rule[person]}, got {status}  {path}")
    assert mismatches == [], "\n" + "\n".join(mismatches)


def test_the_admin_shows_data_only_to_the_center(world):
    """Every change list and the change page of a world object: the center reads them, everyone else is
    sent to the admin's login page."""
    pages = []
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        pages.append((model, reverse(f"admin:{info[0]}_{info[1]}_changelist")))
        first = model_admin.get_queryset(_request_for(world.people["staff"])).order_by("pk").first()
        if first is not None and f"{info[0]}_{info[1]}_change" in _admin_url_names():
            pages.append((model, reverse(f"admin:{info[0]}_{info[1]}_change", args=[first.pk])))
    mismatches = []
    for person in PEOPLE:
        user = world.people[person]
        client = Client()
        if user is not None:
            client.force_login(user)
        for model, path in pages:
            response = client.get(path)
            if person in CENTER:
                # The center's groups hold view permissions model by model (accounts and login records
                # are for administrators), and a page of figures decides on its own who reads it;
                # without either the admin answers 403, never data.
                may_view = admin.site._registry[model].has_view_or_change_permission(_request_for(user))
                ok = response.status_code == (200 if may_view else 403)
            elif person in STATIONS:
                ok = response.status_code in _station_answers(user, model, path)
            else:
                ok = response.status_code == 302 and "/admin/login/" in response["Location"]
            if not ok:
                mismatches.append(f"{person:<17} {path} → {response.status_code}")
    assert mismatches == [], "\n" + "\n".join(mismatches)


def _station_answers(user, model, path):
    """A workstation user reads the admin's pages of the models its role covers, and of those only the
    objects of its own workstation and those under it. Another model's list is a 403; an object it may
    not read is a 403 or a 404 (the center's own pages answer 404 to anyone outside the center)."""
    model_admin = admin.site._registry[model]
    request = _request_for(user)
    may_view = model_admin.has_view_or_change_permission(request)
    if not path.endswith("/change/"):
        return {200} if may_view else {403}
    pk = path.rstrip("/").split("/")[-2]
    if may_view and model_admin.get_queryset(request).filter(pk=pk).exists():
        return {200}
    return {403, 404}


def test_a_workstation_reads_its_own_applicant_and_case_and_no_other(world):
    """Applicant A is helped by the demo workstation: its user reads A's application and case in the
    admin; another workstation's user gets 404 for the same ids, however it guesses them."""
    pages = [
        reverse("admin:applications_application_change", args=[world.application.pk]),
        reverse("admin:applications_applicant_change", args=[world.application.applicant_id]),
        reverse("admin:cases_case_change", args=[world.case.pk]),
        reverse("admin:cases_case_history", args=[world.case.pk]),
    ]
    for person, expected in (("station", 200), ("other_station", 404)):
        client = Client()
        client.force_login(world.people[person])
        assert [client.get(page).status_code for page in pages] == [expected] * len(pages), person


def _admin_url_names():
    """A page of figures (a proxy model without objects of its own) has a list and no change page."""
    return {pattern.name for pattern in admin.site.get_urls() if getattr(pattern, "name", None)} | {
        name
        for model_admin in admin.site._registry.values()
        for pattern in model_admin.urls
        if (name := getattr(pattern, "name", None))
    }


def _request_for(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request
