"""Rows of the case app for tests: cases opened through the service, letters at each stage."""

from cases import services
from cases.models import Case
from tests.factories import ApplicationFactory, submitted, with_status


def make_case(by, **application_fields):
    """An accepted application with its case, opened through case_open."""
    application = with_status(submitted(ApplicationFactory(**application_fields)), "accepted")
    return services.case_open(application=application, by=by)


def in_progress_case(staff, **application_fields):
    case = make_case(staff, **application_fields)
    return services.case_assign(case=case, handler=staff, by=staff)


def draft_letter(case, staff, agencies, **kwargs):
    return services.letter_draft(
        case=case,
        subject=kwargs.pop("subject", "商请推荐美国专利诉讼专家"),
        body=kwargs.pop("body", "请推荐熟悉美国 337 调查的专家，并查询对方在美诉讼记录。"),
        agencies=agencies,
        help_kinds=kwargs.pop("help_kinds", ["experts", "overseas_info"]),
        by=staff,
        **kwargs,
    )


def signed_letter(case, staff, signer, agencies, **kwargs):
    letter = draft_letter(case, staff, agencies, **kwargs)
    services.letter_submit(letter=letter, by=staff)
    return services.letter_sign(letter=letter, by=signer)


def refresh(obj):
    obj.refresh_from_db()
    return obj


__all__ = ["Case", "draft_letter", "in_progress_case", "make_case", "refresh", "signed_letter"]
