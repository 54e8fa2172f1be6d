"""The documents of a case: the one answer every page uses (the applicant's case page, the
staff's case page in the admin, the case file's catalogue, the expert's seminar page).

A case's documents are those issued about it (`Document.case`: notices on the case, letters,
upward reports, guidance opinions, seminar minutes, case files) and those issued on its
application before the case existed (receipt, correction and acceptance notices). Who sees
which of them is decided by `documents.permissions.entitled_documents`: staff see all,
old versions included; applicants, agencies and experts the current versions delivered to them.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from documents.models import Document
from documents.permissions import entitled_documents


def _application_of(case):
    """(content type, id) of the case's application, without importing the applications app."""
    model = case._meta.get_field("application").related_model
    return ContentType.objects.get_for_model(model), case.application_id


def documents_of_case(case):
    """Every document of the case, whatever its status or version, for nobody in particular."""
    application_type, application_id = _application_of(case)
    return Document.objects.filter(Q(case_id=case.pk) | Q(subject_type=application_type, subject_id=application_id))


def documents_of_application(application):
    """Every document issued on an application (used while it has no case)."""
    return Document.objects.filter(
        subject_type=ContentType.objects.get_for_model(application), subject_id=application.pk
    )


def documents_of_subject(subject):
    """Every document issued on one object (a letter, an upward report, a meeting…)."""
    return Document.objects.filter(subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk)


def subject_documents(user, subject, *, include_superseded=False, include_unready=False):
    """The documents of one object that `user` may read, newest first, with the options of
    `case_documents` (staff pages show unfinished renders and old versions too)."""
    return scoped_documents(
        user, documents_of_subject(subject), include_superseded=include_superseded, include_unready=include_unready
    ).reverse()


def case_documents(user, case, *, include_superseded=False, include_unready=False):
    """The documents of `case` that `user` may read, oldest first.

    `include_superseded` adds old versions and revoked documents, for center staff only
    (everybody else only ever sees current versions). `include_unready` adds documents still
    being rendered or whose render failed (the staff's case page shows them with their state)."""
    return scoped_documents(
        user, documents_of_case(case), include_superseded=include_superseded, include_unready=include_unready
    )


def scoped_documents(user, documents, *, include_superseded=False, include_unready=False):
    """`documents` narrowed to what `user` may read, with the same options as `case_documents`."""
    if not include_unready:
        documents = documents.filter(status=Document.Status.READY)
    if not include_superseded:
        documents = documents.filter(superseded_by__isnull=True, revoked_at__isnull=True)
    return entitled_documents(user, documents).select_related("superseded_by").order_by("created_at", "pk")
