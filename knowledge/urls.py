"""The knowledge platform's addresses, gathered from one module per part of it."""

from knowledge.views import agency, events, library, service_points, subscriptions

app_name = "knowledge"

urlpatterns = [
    *library.urlpatterns,
    *events.urlpatterns,
    *subscriptions.urlpatterns,
    *agency.urlpatterns,
    *service_points.urlpatterns,
]
