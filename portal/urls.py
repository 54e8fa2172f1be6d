from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView, TemplateView

from portal import errors, health, metrics, views
from portal.forms import QueuedPasswordResetForm

admin.site.site_header = _("海外知识产权纠纷应对指导 · 工作台")
admin.site.site_title = _("指导中心工作台")
admin.site.index_title = _("工作台")

portal_patterns = (
    [
        path("", views.home, name="home"),
        path("me/", views.landing, name="landing"),
        path("notifications/", views.notifications, name="notifications"),
        # Registration of an applicant with its organisation lives in applications; the old address still works.
        path(
            "accounts/register/",
            RedirectView.as_view(pattern_name="applications:register", query_string=True),
        ),
        path("accounts/activate/<uidb64>/<token>/", views.activate, name="activate"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path("accounts/two-factor/", include("portal.twofactor.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("applications/", include("applications.urls")),
    path("cases/", include("cases.urls")),
    path("experts/", include("experts.urls")),
    path("meetings/", include("meetings.urls")),
    path("documents/", include("documents.urls")),
    path("knowledge/", include("knowledge.urls")),
    path("statistics/", include("reporting.urls")),
    path("jobs/", include("portal.jobs_urls")),
    path("api/", include("api.urls")),
    # For search engines: what not to crawl, and where the knowledge platform's sitemap is.
    path(
        "robots.txt",
        TemplateView.as_view(
            template_name="robots.txt",
            content_type="text/plain; charset=utf-8",
            extra_context={"sitemap_url": f"{settings.SITE_URL}/knowledge/sitemap.xml"},
        ),
        name="robots_txt",
    ),
    # The center's CA certificate and CRL, at the addresses named in the certificates it issues.
    # (pki-ca-certificate: /pki/ca.crt, pki-crl: /pki/ca.crl; by name, so the base imports no app.)
    path("pki/", include("documents.pki_views")),
    # For the load balancer and Prometheus (portal.health, portal.metrics): no login, no page.
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
