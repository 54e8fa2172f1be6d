"""Who opened which confidential file: evidence read by an expert, opinion attachments, seminar
materials. Each view or download is one audit entry on the case."""

from django.utils.translation import gettext as _

from applications.models import Attachment
from experts.models import ExpertAssignment, ExpertOpinion, OpinionAttachment, SeminarMaterial
from experts.permissions import (
    case_visible_assignments,
    visible_opinion_attachments,
    visible_opinions,
    visible_seminar_materials,
)
from portal.access import require
from portal.audit import log_action
from portal.models import User


def _logged(obj, action, *, by, case, name):
    log_action(obj, action, by=by, scope=case, data={"file": name})


def evidence_downloaded(*, assignment: ExpertAssignment, attachment: Attachment, by: User) -> None:
    require(case_visible_assignments(by).filter(pk=assignment.pk).exists(), _("您无权查看该案件材料。"))
    _logged(attachment, "experts.evidence.downloaded", by=by, case=assignment.case, name=attachment.original_name)


def opinion_attachment_downloaded(*, attachment: OpinionAttachment, by: User) -> None:
    require(visible_opinion_attachments(by).filter(pk=attachment.pk).exists(), _("您无权查看该专家意见附件。"))
    opinion = attachment.opinion
    _logged(
        attachment,
        "experts.opinion_attachment.downloaded",
        by=by,
        case=opinion.case,
        name=attachment.original_name,
    )


def opinion_viewed(*, opinion: ExpertOpinion, by: User) -> None:
    require(visible_opinions(by).filter(pk=opinion.pk).exists(), _("您无权查看该专家意见。"))
    log_action(opinion, "experts.opinion.viewed", by=by, scope=opinion.case, data={"expert": opinion.expert_id})


def seminar_material_downloaded(*, material: SeminarMaterial, by: User) -> None:
    require(visible_seminar_materials(by).filter(pk=material.pk).exists(), _("您无权查看该研讨会材料。"))
    _logged(
        material,
        "experts.seminar_material.downloaded",
        by=by,
        case=material.seminar.case,
        name=material.original_name,
    )
