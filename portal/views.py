from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _

from portal.cache import anonymous_page
from portal.context_processors import forget_unread_notifications
from portal.models import PartnerAgency, User
from portal.permissions import landing_url_name
from portal.services import user_activate


@anonymous_page
def home(request):
    agencies = PartnerAgency.objects.filter(active=True)
    return render(request, "portal/home.html", {"agencies": agencies})


@login_required
def landing(request):
    """After login, send each role to where it works."""
    return redirect(landing_url_name(request.user))


def activate(request, uidb64, token):
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is not None and user_activate(user=user, token=token):
        messages.success(request, _("邮箱已确认，账号已启用。请登录。"))
        return redirect("login")
    return render(request, "registration/activation_invalid.html", status=400)


@login_required
def notifications(request):
    items = request.user.notifications.all()[:100]
    response = render(request, "portal/notifications.html", {"items": items})
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    forget_unread_notifications(request.user)
    return response
