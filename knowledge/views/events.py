"""Public pages of training sessions, salons and trade fairs: the list, an event's page with the
registration form (or, for a fair, the desk's help form), the registrant's personal page reached by
the link in the confirmation e-mail, calendar files and the materials after a session.

Only published events exist for the public: anything else answers 404, and so do materials before
the session has started."""

import mimetypes

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from knowledge.calendar import event_calendar
from knowledge.forms_events import FairHelpForm, RegistrationForm
from knowledge.models import Event, EventMaterial, FairHelpRequest, Registration
from knowledge.services import events as services
from portal.converters import get_by_id_or_404
from portal.models import SiteConfiguration
from portal.storage import private_file_response
from portal.throttling import RateLimited, rate_limit
from portal.uploads import sanitise_name

# Public forms: this many sendings per address and window (seconds), as for the other public forms.
FORM_RATE_LIMIT = getattr(settings, "KNOWLEDGE_FORM_RATE_LIMIT", 20)
FORM_RATE_WINDOW = getattr(settings, "KNOWLEDGE_FORM_RATE_WINDOW_SECONDS", 600)

HELP_SESSION_KEY = "knowledge_fair_help_requests"


def _rate_limited(request, scope):
    """A message to show next to the form when the address has sent too many; None otherwise."""
    try:
        rate_limit(request, scope, limit=FORM_RATE_LIMIT, window=FORM_RATE_WINDOW)
    except RateLimited as exc:
        minutes = max(1, -(-exc.retry_after // 60))
        return _("提交过于频繁，请 %(minutes)s 分钟后再试；您填写的内容仍保留在表单中。") % {"minutes": minutes}
    return None


def _error_text(exc):
    return " ".join(exc.messages)


def _calendar_response(content, filename):
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The list and an event's page -----------------------------------------------------------


@require_safe
def event_list(request):
    upcoming, past = services.upcoming_and_past()
    return render(request, "knowledge/events/list.html", {"upcoming": upcoming, "past": past})


def _organisation_of(user):
    """The organisation a logged-in user acts for: its applicant organisation, or its agency."""
    try:
        return user.applicant_account.applicant.name
    except ObjectDoesNotExist:
        pass
    return user.agency.name if getattr(user, "agency_id", None) else ""


def _registration_initial(user):
    if not getattr(user, "is_authenticated", False):
        return {}
    return {
        "organisation": _organisation_of(user),
        "contact_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
    }


def _help_initial(user):
    if not getattr(user, "is_authenticated", False):
        return {}
    return {
        "organisation": _organisation_of(user),
        "contact_name": user.full_name,
        "phone": user.phone,
        "email": user.email,
    }


def _detail(request, event, *, form=None, help_form=None, status=200):
    taken = services.places_taken(event)
    is_fair = event.kind == Event.Kind.TRADE_FAIR
    context = {
        "event": event,
        "is_fair": is_fair,
        "taken": taken,
        "left": services.places_left(event, taken=taken),
        "materials": list(services.visible_materials(event)),
        "materials_pending": not services.materials_visible(event),
        "center": SiteConfiguration.get(),
    }
    if is_fair:
        context["help_closed"] = services.help_accepted_reason(event)
        if not context["help_closed"]:
            context["help_form"] = help_form or FairHelpForm(
                initial=_help_initial(request.user), action=reverse("knowledge:fair_help", args=[event.pk])
            )
    else:
        context["closed"] = services.registration_closed_reason(event, taken=taken)
        if not context["closed"] or form is not None:
            context["form"] = form or RegistrationForm(initial=_registration_initial(request.user))
    return render(request, "knowledge/events/detail.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def event_detail(request, pk):
    event = get_by_id_or_404(services.visible_events(request.user), pk)
    if request.method != "POST" or event.kind == Event.Kind.TRADE_FAIR:
        return _detail(request, event)
    form = RegistrationForm(request.POST)
    limited = _rate_limited(request, "knowledge-register")
    if limited:
        form.is_valid()
        form.add_error(None, limited)
        return _detail(request, event, form=form, status=429)
    if not form.is_valid():
        return _detail(request, event, form=form, status=400)
    try:
        registration = services.registration_create(event=event, data=form.cleaned_data, by=request.user)
    except ValidationError as exc:
        field = "email" if exc.code == "duplicate" else "attendees" if exc.code == "full" else None
        form.add_error(field, _error_text(exc))
        return _detail(request, event, form=form, status=400)
    messages.success(request, _("报名成功！确认邮件已发送至 %(email)s。") % {"email": registration.email})
    return redirect("knowledge:registration", token=registration.token)


@require_safe
def event_ics(request, pk):
    event = get_by_id_or_404(services.visible_events(request.user), pk)
    return _calendar_response(event_calendar(event), f"event-{event.pk}.ics")


@require_safe
def material_download(request, pk):
    material = get_by_id_or_404(EventMaterial.objects.select_related("event"), pk)
    if not services.materials_visible(material.event):
        raise Http404
    extension = material.file.name.rpartition(".")[2] if "." in material.file.name else None
    name = sanitise_name(material.title, extension=extension)
    content_type = mimetypes.guess_type(material.file.name)[0] or "application/octet-stream"
    return private_file_response(material.file, filename=name, content_type=content_type)


# --- The registrant's own page (the personal link) ------------------------------------------


def _registration(token):
    return get_object_or_404(Registration.objects.select_related("event"), token=token)


@never_cache
@require_safe
def registration_detail(request, token):
    registration = _registration(token)
    event = registration.event
    return render(
        request,
        "knowledge/events/registration.html",
        {
            "registration": registration,
            "event": event,
            "can_cancel": registration.status == Registration.Status.REGISTERED and timezone.now() < event.starts_at,
        },
    )


@require_POST
def registration_cancel(request, token):
    registration = _registration(token)
    try:
        services.registration_cancel(registration=registration, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("报名已取消，名额已释放。"))
    return redirect("knowledge:registration", token=registration.token)


@never_cache
@require_safe
def registration_ics(request, token):
    registration = _registration(token)
    content = event_calendar(
        registration.event, cancelled=registration.status == Registration.Status.CANCELLED, attendee=registration
    )
    return _calendar_response(content, f"event-{registration.event_id}.ics")


# --- The fair's on-site service desk --------------------------------------------------------


@require_POST
def fair_help(request, pk):
    event = get_by_id_or_404(services.visible_events(request.user).filter(kind=Event.Kind.TRADE_FAIR), pk)
    action = reverse("knowledge:fair_help", args=[event.pk])
    form = FairHelpForm(request.POST, action=action)
    limited = _rate_limited(request, "knowledge-fair-help")
    if limited:
        form.is_valid()
        form.add_error(None, limited)
        return _detail(request, event, help_form=form, status=429)
    if not form.is_valid():
        return _detail(request, event, help_form=form, status=400)
    try:
        help_request = services.help_request_create(event=event, data=form.cleaned_data, by=request.user)
    except ValidationError as exc:
        form.add_error(None, _error_text(exc))
        return _detail(request, event, help_form=form, status=400)
    # The confirmation page is this browser's own: the request's id is remembered in its session.
    request.session[HELP_SESSION_KEY] = [*request.session.get(HELP_SESSION_KEY, [])[-19:], help_request.pk]
    return redirect("knowledge:fair_help_received", pk=help_request.pk)


@never_cache
@require_safe
def fair_help_received(request, pk):
    if not isinstance(pk, int) or pk not in request.session.get(HELP_SESSION_KEY, []):
        raise Http404
    help_request = get_object_or_404(FairHelpRequest.objects.select_related("event"), pk=pk)
    return render(
        request,
        "knowledge/events/help_received.html",
        {"help_request": help_request, "event": help_request.event, "center": SiteConfiguration.get()},
    )


urlpatterns = [
    path("events/", event_list, name="events"),
    path("events/<id:pk>/", event_detail, name="event"),
    path("events/<id:pk>/event.ics", event_ics, name="event_ics"),
    path("events/<id:pk>/help/", fair_help, name="fair_help"),
    path("events/help/<id:pk>/", fair_help_received, name="fair_help_received"),
    path("events/materials/<id:pk>/", material_download, name="material"),
    path("events/registration/<slug:token>/", registration_detail, name="registration"),
    path("events/registration/<slug:token>/cancel/", registration_cancel, name="registration_cancel"),
    path("events/registration/<slug:token>/event.ics", registration_ics, name="registration_ics"),
]
