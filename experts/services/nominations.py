"""Experts put forward by partner agencies: staff approve them into the pool or decline them."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from experts.models import Expert, ExpertNomination
from experts.permissions import can_review_nomination
from experts.services.common import expert_data
from portal.access import require
from portal.models import User
from portal.notifications import notify
from portal.transitions import transition

REVIEW_DENIED = gettext_lazy("只有中心工作人员可以审核专家推荐。")


def nomination_approve(*, nomination: ExpertNomination, by: User, **profile) -> Expert:
    """Approve a partner agency's nomination into the pool: creates the Expert (or links the one
    already in the pool). `profile` may add expertise fields (right_types, countries…) staff filled
    in while reviewing."""
    require(can_review_nomination(by, nomination), REVIEW_DENIED)
    with transaction.atomic():
        nomination = (
            ExpertNomination.objects.select_for_update(of=("self",)).select_related("agency").get(pk=nomination.pk)
        )
        expert = Expert.objects.filter(name=nomination.name, organisation=nomination.organisation).first()
        if expert is None:  # rolled back with the rest if the nomination was already reviewed
            expert = Expert.objects.create(
                name=nomination.name,
                organisation=nomination.organisation,
                title=nomination.title,
                email=nomination.email,
                phone=nomination.phone,
                bio=nomination.expertise[:2000],
                **profile,
            )
        nomination.expert = expert
        transition(
            nomination,
            ExpertNomination.Status.APPROVED,
            by=by,
            permission=can_review_nomination,
            denied_message=REVIEW_DENIED,
            action="experts.nomination.approved",
            scope=nomination.case,
            note=_("由%(agency)s推荐入库") % {"agency": nomination.agency},
            data=expert_data(expert),
            update_fields=("expert",),
        )
        if nomination.nominated_by_id:
            notify(
                [nomination.nominated_by],
                subject=_("推荐的专家已入库"),
                body=_("你单位推荐的专家%(name)s已纳入专家库。") % {"name": nomination.name},
            )
    return expert


def nomination_decline(*, nomination: ExpertNomination, by: User, reason: str = "") -> ExpertNomination:
    require(can_review_nomination(by, nomination), REVIEW_DENIED)
    with transaction.atomic():
        nomination = ExpertNomination.objects.select_for_update().get(pk=nomination.pk)
        return transition(
            nomination,
            ExpertNomination.Status.DECLINED,
            by=by,
            permission=can_review_nomination,
            denied_message=REVIEW_DENIED,
            action="experts.nomination.declined",
            scope=nomination.case,
            note=reason,
        )
