"""Work of the expert pool triggered by the case services (connected in ExpertsConfig.ready)."""

from django.dispatch import receiver

from cases.signals import letter_answered
from experts.models import ExpertNomination


@receiver(letter_answered, dispatch_uid="experts.nominations_from_letter_answer")
def record_nominations(sender, *, recipient, by, nominations, **kwargs):
    """The experts an agency put forward in its answer wait for staff review in the pool."""
    ExpertNomination.objects.bulk_create(
        [
            ExpertNomination(
                case=recipient.letter.case,
                agency_id=recipient.agency_id,
                letter_recipient=recipient,
                nominated_by=by,
                name=n["name"],
                organisation=n.get("organisation", ""),
                title=n.get("title", ""),
                expertise=n.get("expertise", ""),
                email=n.get("email", ""),
                phone=n.get("phone", ""),
            )
            for n in nominations
            if n.get("name")
        ]
    )
