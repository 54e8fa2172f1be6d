"""The expert work log (ExpertEvent) moves into the one audit log (portal.LogEntry).

Every row becomes one entry with the same actor, time, from/to status and note, about the object
it concerned (the nomination, matching, invitation, assignment, seminar seat, seminar or expert,
found from the row's case, expert and seminar), scoped to the case. The row's own action, case,
expert and seminar are kept in the entry's data, so going back recreates every row exactly.
"""

import datetime

from django.db import migrations

# old action -> (action type, the kind of object the entry is about)
ACTIONS = {
    "account_open": ("experts.expert.account_opened", "expert"),
    "nomination_approve": ("experts.nomination.approved", "nomination"),
    "nomination_decline": ("experts.nomination.declined", "nomination"),
    "matching_run": ("experts.matching.run", "matching"),
    "invite": ("experts.invitation.sent", "invitation"),
    "invitation_accept": ("experts.invitation.accepted", "invitation"),
    "invitation_decline": ("experts.invitation.declined", "invitation"),
    "invitation_expire": ("experts.invitation.expired", "invitation"),
    "invitation_withdraw": ("experts.invitation.withdrawn", "invitation"),
    "invitation_remind": ("experts.invitation.reminded", "invitation"),
    "declare_no_conflict": ("experts.assignment.declared_no_conflict", "assignment"),
    "declare_conflict": ("experts.assignment.declared_conflict", "assignment"),
    "assignment_withdraw": ("experts.assignment.withdrawn", "assignment"),
    "assign_for_seminar": ("experts.assignment.assigned_for_seminar", "assignment"),
    "opinion_submit": ("experts.assignment.opinion_submitted", "assignment"),
    "rate": ("experts.assignment.rated", "assignment"),
    "release_contact": ("experts.assignment.contact_released", "assignment"),
    "seminar_convene": ("experts.seminar.convened", "seminar"),
    "seminar_respond": ("experts.seminar_invitee.responded", "invitee"),
    "seminar_view": ("experts.seminar_invitee.view_recorded", "invitee"),
    "seminar_held": ("experts.seminar.held", "seminar"),
    "seminar_conclude": ("experts.seminar.concluded", "seminar"),
    "seminar_cancel": ("experts.seminar.cancelled", "seminar"),
    "unavailability_record": ("experts.expert.unavailability_recorded", "expert"),
    "unavailability_delete": ("experts.expert.unavailability_deleted", "expert"),
}
UNKNOWN = "experts.expert.transition"
REVERSE = {action_type: action for action, (action_type, _kind) in ACTIONS.items()}
MODELS = {
    "expert": "expert",
    "nomination": "expertnomination",
    "matching": "matchingrun",
    "invitation": "expertinvitation",
    "assignment": "expertassignment",
    "invitee": "seminarinvitee",
    "seminar": "seminar",
}
NEAR = datetime.timedelta(seconds=5)


def _closest(rows, at, stamp, used):
    """The row (not yet taken) whose time `stamp` is nearest to `at`."""
    free = [row for row in rows if row.pk not in used]
    if not free:
        return None
    return min(free, key=lambda row: abs(getattr(row, stamp) - at))


def _latest_before(rows, at, stamp):
    before = [row for row in rows if getattr(row, stamp) <= at + NEAR]
    return max(before, key=lambda row: getattr(row, stamp)) if before else (rows[-1] if rows else None)


class _Finder:
    """Finds the object an old row was about, from its case, expert and seminar."""

    def __init__(self, apps):
        self.apps = apps
        self.used = {"nomination": set(), "matching": set(), "invite": set()}

    def model(self, name):
        return self.apps.get_model("experts", MODELS[name])

    def find(self, event, kind):
        if kind == "nomination" and event.case_id:
            rows = self.model("nomination").objects.filter(case_id=event.case_id)
            if event.to_status:
                rows = rows.filter(status=event.to_status)
            if event.expert_id:
                rows = rows.filter(expert_id=event.expert_id)
            row = _closest(list(rows), event.at, "created_at", self.used["nomination"])
            if row is not None:
                self.used["nomination"].add(row.pk)
                return row
        if kind == "matching" and event.case_id:
            rows = self.model("matching").objects.filter(case_id=event.case_id)
            row = _closest(list(rows), event.at, "run_at", self.used["matching"])
            if row is not None:
                self.used["matching"].add(row.pk)
                return row
        if kind == "invitation" and event.case_id and event.expert_id:
            rows = list(
                self.model("invitation")
                .objects.filter(case_id=event.case_id, expert_id=event.expert_id)
                .order_by("invited_at", "pk")
            )
            if event.action == "invite":
                row = _closest(rows, event.at, "invited_at", self.used["invite"])
                if row is not None:
                    self.used["invite"].add(row.pk)
            else:
                row = _latest_before(rows, event.at, "invited_at")
            if row is not None:
                return row
        if kind == "assignment" and event.case_id and event.expert_id:
            rows = list(
                self.model("assignment")
                .objects.filter(case_id=event.case_id, expert_id=event.expert_id)
                .order_by("assigned_at", "pk")
            )
            row = _latest_before(rows, event.at, "assigned_at")
            if row is not None:
                return row
        if kind == "invitee" and event.seminar_id:
            rows = self.model("invitee").objects.filter(seminar_id=event.seminar_id)
            if event.expert_id:
                row = rows.filter(expert_id=event.expert_id).first()
            else:  # an answer staff recorded for an agency or a member of staff: the only such
                # seat, or the one whose last answer was recorded at that moment
                others = list(rows.filter(expert__isnull=True))
                answered = [r for r in others if r.responded_at is not None]
                row = others[0] if len(others) == 1 else _closest(answered, event.at, "responded_at", set())
                if row is not None and len(others) > 1 and abs(row.responded_at - event.at) > NEAR:
                    row = None
            if row is not None:
                return row
        if event.seminar_id:
            return self.model("seminar").objects.get(pk=event.seminar_id)
        if event.expert_id:
            return self.model("expert").objects.get(pk=event.expert_id)
        if event.case_id:
            return self.apps.get_model("cases", "Case").objects.get(pk=event.case_id)
        return None


def forwards(apps, schema_editor):
    ExpertEvent = apps.get_model("experts", "ExpertEvent")
    LogEntry = apps.get_model("portal", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Seminar = apps.get_model("experts", "Seminar")
    types = {}

    def type_of(obj):
        meta = obj._meta
        key = (meta.app_label, meta.model_name)
        if key not in types:
            types[key] = ContentType.objects.get_or_create(app_label=key[0], model=key[1])[0]
        return types[key]

    finder = _Finder(apps)
    case_type = None
    entries = []
    for event in ExpertEvent.objects.order_by("at", "pk").iterator():
        action_type, kind = ACTIONS.get(event.action, (UNKNOWN, "expert"))
        obj = finder.find(event, kind)
        case_id = event.case_id
        if case_id is None and event.seminar_id:
            case_id = Seminar.objects.filter(pk=event.seminar_id).values_list("case_id", flat=True).first()
        if case_id and case_type is None:
            case_type = ContentType.objects.get_or_create(app_label="cases", model="case")[0]
        data = {
            "expert_event": {
                "action": event.action,
                "case": event.case_id,
                "expert": event.expert_id,
                "seminar": event.seminar_id,
            }
        }
        if event.expert_id:
            data["expert"] = event.expert_id
        if event.seminar_id:
            data["seminar"] = event.seminar_id
        if obj is not None:
            content_type, object_id = type_of(obj), obj.pk
        else:  # a row about nothing that still exists: kept, about no object
            content_type, object_id = type_of(ExpertEvent), 0
        entries.append(
            LogEntry(
                content_type=content_type,
                object_id=object_id,
                scope_content_type=case_type if case_id else None,
                scope_object_id=case_id,
                action_type=action_type,
                actor_id=event.actor_id,
                created=event.at,
                from_status=event.from_status,
                to_status=event.to_status,
                note=event.note,
                data=data,
            )
        )
        if len(entries) >= 500:
            LogEntry.objects.bulk_create(entries)
            entries = []
    LogEntry.objects.bulk_create(entries)


def backwards(apps, schema_editor):
    """Recreate every ExpertEvent from the entries of the expert workflow that it could have held
    (downloads and views of files, new since, stay in the audit log)."""
    ExpertEvent = apps.get_model("experts", "ExpertEvent")
    LogEntry = apps.get_model("portal", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Seminar = apps.get_model("experts", "Seminar")
    SeminarInvitee = apps.get_model("experts", "SeminarInvitee")
    ExpertInvitation = apps.get_model("experts", "ExpertInvitation")
    ExpertAssignment = apps.get_model("experts", "ExpertAssignment")
    ExpertNomination = apps.get_model("experts", "ExpertNomination")
    MatchingRun = apps.get_model("experts", "MatchingRun")
    models_by_type = {ct.pk: ct.model for ct in ContentType.objects.filter(app_label__in=["experts", "cases"])}
    case_type = ContentType.objects.filter(app_label="cases", model="case").first()
    converted = []
    events = []
    known = set(REVERSE) | {UNKNOWN}
    for entry in LogEntry.objects.filter(action_type__in=known).order_by("created", "pk").iterator():
        legacy = (entry.data or {}).get("expert_event")
        if legacy:
            action, case_id, expert_id, seminar_id = (
                legacy["action"],
                legacy["case"],
                legacy["expert"],
                legacy["seminar"],
            )
        else:
            action = REVERSE.get(entry.action_type, "transition")
            model = models_by_type.get(entry.content_type_id)
            case_id = entry.scope_object_id if case_type and entry.scope_content_type_id == case_type.pk else None
            expert_id = (entry.data or {}).get("expert")
            seminar_id = (entry.data or {}).get("seminar")
            if model == "expert":
                expert_id = entry.object_id
            elif model == "seminar":
                seminar_id = entry.object_id
            elif model == "seminarinvitee":
                seat = SeminarInvitee.objects.filter(pk=entry.object_id).first()
                if seat is not None:
                    seminar_id, expert_id = seat.seminar_id, seat.expert_id
            elif model in {"expertinvitation", "expertassignment", "expertnomination", "matchingrun"}:
                source = {
                    "expertinvitation": ExpertInvitation,
                    "expertassignment": ExpertAssignment,
                    "expertnomination": ExpertNomination,
                    "matchingrun": MatchingRun,
                }[model]
                row = source.objects.filter(pk=entry.object_id).first()
                if row is not None and model != "matchingrun" and expert_id is None:
                    expert_id = row.expert_id
            if seminar_id and not Seminar.objects.filter(pk=seminar_id).exists():
                seminar_id = None
        events.append(
            ExpertEvent(
                at=entry.created,
                actor_id=entry.actor_id,
                action=action,
                case_id=case_id,
                expert_id=expert_id,
                seminar_id=seminar_id,
                from_status=entry.from_status,
                to_status=entry.to_status,
                note=entry.note,
            )
        )
        converted.append(entry.pk)
    times = [event.at for event in events]
    created = ExpertEvent.objects.bulk_create(events)
    # `at` is auto_now_add: bulk_create set it to now; put back the recorded times.
    for event, at in zip(created, times, strict=True):
        ExpertEvent.objects.filter(pk=event.pk).update(at=at)
    LogEntry.objects.filter(pk__in=converted).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0005_audit_log"),
        ("experts", "0004_unavailability_conflict_until"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
