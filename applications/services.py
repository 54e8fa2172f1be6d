"""State changes of an application: submit, accept, return for correction, decline."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.choices import DisputeType
from applications.models import Application, ApplicationEvent
from documents.formatting import chinese_date
from documents.models import Document
from documents.services import document_request
from portal.models import SiteConfiguration
from portal.notifications import notify, notify_staff
from portal.sequences import next_value
from portal.transitions import check_transition

S = Application.Status

# The one map of allowed application transitions.
APPLICATION_TRANSITIONS = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.ACCEPTED, S.RETURNED, S.DECLINED},
    S.RETURNED: {S.SUBMITTED, S.WITHDRAWN},
    S.ACCEPTED: set(),
    S.DECLINED: set(),
    S.WITHDRAWN: set(),
}


def _change_status(application, target, *, by, note="", extra_fields=()):
    check_transition(APPLICATION_TRANSITIONS, application.status, target, labels=dict(S.choices))
    previous = application.status
    application.status = target
    application.revision += 1
    application.save(update_fields=["status", "revision", "updated_at", *extra_fields])
    ApplicationEvent.objects.create(
        application=application, actor=by, from_status=previous, to_status=target, note=note
    )


def _lock(application):
    return Application.objects.select_for_update().get(pk=application.pk)


def application_number(year, value):
    prefix = SiteConfiguration.get().application_number_prefix
    return f"{prefix}-{year}-{value:06d}"


def receipt_context(application):
    return {
        "number": application.number,
        "applicant_name": application.applicant_name,
        "credit_code": application.credit_code,
        "contact_name": application.contact_name,
        "submitted_on": chinese_date(timezone.localdate(application.submitted_at)),
        "dispute_types": [str(DisputeType(value).label) for value in application.dispute_types],
        "countries": application.country_names,
        "attachment_count": application.attachments.count(),
    }


def application_submit(*, application, by):
    """Submit a draft (or a corrected application). Gives the number on first submission,
    queues the receipt PDF and tells the applicant and staff.

    The caller has already validated the form; a second click finds the application
    already submitted and is refused by the transition map, so one application gets one number.
    """
    with transaction.atomic():
        application = _lock(application)
        first_submission = application.number is None
        now = timezone.now()
        fields = ["submitted_at"]
        if first_submission:
            year = timezone.localdate(now).year
            application.number = application_number(year, next_value("application", year))
            fields.append("number")
        application.submitted_at = now
        _change_status(application, S.SUBMITTED, by=by, extra_fields=fields)
        document_request(
            kind=Document.Kind.RECEIPT,
            subject=application,
            template="pdf/receipt.html",
            context=receipt_context(application),
            title=_("申请受理回执"),
            number=application.number,
            applicant=application.applicant,
            released=True,
            by=by,
        )
        notify(
            [by],
            subject=_("您的申请已提交：%(number)s") % {"number": application.number},
            body=_(
                "我们已收到您的海外知识产权纠纷应对指导申请，编号 %(number)s。"
                "工作人员将在 %(days)s 个工作日内与您联系。"
            )
            % {"number": application.number, "days": SiteConfiguration.get().first_contact_days},
            link=f"/applications/{application.pk}/",
        )
        notify_staff(
            subject=_("新的纠纷应对指导申请：%(number)s") % {"number": application.number},
            body=_("%(name)s 提交了申请 %(number)s，请及时审查。")
            % {"name": application.applicant_name, "number": application.number},
            link=f"/admin/applications/application/{application.pk}/change/",
        )
    return application
