"""Who chairs a joint meeting: the deputy directors' rotation (副主任轮流主持).

The rule, as the portal applies it
----------------------------------
1. **Order.** Deputies take turns in their `rotation_order` (kept with the deputy
   directors in the admin). Only deputies *in post on the meeting's day* take part:
   `joined_on <= day < left_on`. A deputy who joins partway slots into the order at
   their place from the first meeting after joining; one who leaves drops out from
   the first meeting on or after `left_on`, and any turn they were owed lapses.
2. **Skips keep the turn.** When the deputy whose turn it is is inactive (not
   `active`) or marked absent for that meeting, the next available deputy in order
   chairs, and the skipped deputy *keeps their turn*: they chair the next meeting at
   which they are available, before the rotation moves on. After that the rotation
   carries on from the deputy who last chaired *in order* (so a skip amounts to a
   swap: A absent → B, A, C, A, B…). A deputy skipped twice is owed only one turn.
3. **Director's override.** The director may name another deputy to chair one
   meeting, with a recorded reason. An override changes nothing in the rotation:
   the deputy whose turn it was still has it at the next meeting.
4. **Ad-hoc meetings (临时会议) have their own rotation.** They follow the same order
   and the same rules 1–3, but with a separate pointer: calling an urgent meeting
   neither uses up nor shifts anybody's turn for the quarterly meetings, so the
   quarterly rotation stays predictable however many urgent matters come up, and
   the burden of urgent meetings is still shared in turn.
5. Only meetings whose chair has been settled count (cancelled meetings do not).
   The state is replayed from the recorded history of meetings (chair, whether by
   rotation, and which deputies were skipped), so editing the deputies' dates never
   rewrites who chaired past meetings.

`next_chair` is a pure function on plain values so that the rule can be tested over
many years without a database; `chair_for_meeting` feeds it from the database.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from meetings.models import JointMeeting
from portal.models import DeputyDirector
from portal.transitions import TransitionNotAllowed


@dataclass(frozen=True)
class Deputy:
    id: int
    order: int
    joined_on: object
    left_on: object = None
    active: bool = True

    def serves_on(self, day):
        return self.joined_on <= day and (self.left_on is None or day < self.left_on)


@dataclass(frozen=True)
class PastTurn:
    """One earlier meeting of the same series, as recorded."""

    day: object
    chair_id: int
    by_rotation: bool = True
    skipped_ids: tuple = ()


@dataclass
class RotationState:
    last_in_order: int | None = None  # id of the deputy who last chaired in order
    owed: list = field(default_factory=list)  # ids of skipped deputies, oldest first


@dataclass(frozen=True)
class ChairChoice:
    chair_id: int
    skipped_ids: tuple


def _serving(deputies, day):
    return sorted((d for d in deputies if d.serves_on(day)), key=lambda d: (d.order, d.id))


def replay(deputies, history):
    """The rotation state after the given meetings (in date order)."""
    by_id = {d.id: d for d in deputies}
    state = RotationState()
    for turn in sorted(history, key=lambda t: t.day):
        serving_ids = {d.id for d in _serving(deputies, turn.day)}
        state.owed = [i for i in state.owed if i in serving_ids]
        if not turn.by_rotation:
            continue  # rule 3: an override leaves the rotation as it was
        for skipped in turn.skipped_ids:
            if skipped in serving_ids and skipped not in state.owed and skipped != turn.chair_id:
                state.owed.append(skipped)
        if turn.chair_id in state.owed:
            state.owed.remove(turn.chair_id)  # an owed turn was made up; the pointer stays
        elif turn.chair_id in by_id:
            state.last_in_order = turn.chair_id
    return state


def next_chair(deputies, history, day, *, unavailable=()):
    """The deputy who chairs a meeting on `day`, and who is skipped (rule 1 and 2).

    `deputies` are `Deputy` values, `history` the earlier `PastTurn`s of the same
    series, `unavailable` the ids of deputies marked absent for this meeting.
    Raises TransitionNotAllowed when nobody is available.
    """
    state = replay(deputies, [t for t in history if t.day <= day])
    serving = _serving(deputies, day)
    if not serving:
        raise TransitionNotAllowed(_("会议当日没有在岗的副主任，请由主任指定主持人。"), code="no_chair")

    def available(deputy):
        return deputy.active and deputy.id not in unavailable

    skipped = []
    by_id = {d.id: d for d in serving}
    for owed_id in state.owed:
        deputy = by_id.get(owed_id)
        if deputy and available(deputy):
            return ChairChoice(owed_id, tuple(skipped))
    # Walk the order after the last deputy who chaired in order.
    start = 0
    if state.last_in_order is not None:
        last = next((d for d in deputies if d.id == state.last_in_order), None)
        if last is not None:
            start = next(
                (i for i, d in enumerate(serving) if (d.order, d.id) > (last.order, last.id)),
                0,
            )
    for step in range(len(serving)):
        deputy = serving[(start + step) % len(serving)]
        if available(deputy):
            return ChairChoice(deputy.id, tuple(skipped))
        if deputy.id not in state.owed:
            skipped.append(deputy.id)
    raise TransitionNotAllowed(_("所有在岗副主任均不在岗或缺席，请由主任指定主持人。"), code="no_chair")


def chair_for_meeting(meeting, *, unavailable=()):
    """Apply the rule to a meeting from the database: returns (DeputyDirector, [skipped DeputyDirector])."""
    rows = list(DeputyDirector.objects.all())
    deputies = [
        Deputy(id=d.pk, order=d.rotation_order, joined_on=d.joined_on, left_on=d.left_on, active=d.active) for d in rows
    ]
    earlier = (
        JointMeeting.objects.filter(kind=meeting.kind, chair__isnull=False)
        .exclude(status=JointMeeting.Status.CANCELLED)
        .exclude(pk=meeting.pk)
        .prefetch_related("skipped_deputies")
    )
    day = meeting.date
    history = [
        PastTurn(
            day=m.date,
            chair_id=m.chair_id,
            by_rotation=m.chair_by_rotation,
            skipped_ids=tuple(d.pk for d in m.skipped_deputies.all()),
        )
        for m in earlier
        if (m.date, m.pk) < (day, meeting.pk or 0) or m.date < day
    ]
    choice = next_chair(deputies, history, day, unavailable={getattr(u, "pk", u) for u in unavailable})
    by_id = {d.pk: d for d in rows}
    return by_id[choice.chair_id], [by_id[i] for i in choice.skipped_ids]
