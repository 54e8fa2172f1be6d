"""The REST API, versioned: /api/v1/… (the schema at /api/v1/schema/, its documentation at
/api/v1/docs/)."""

from django.urls import include, path

from api import views

app_name = "api"

v1 = [
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(url_name="api:schema"), name="docs"),
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
    path("knowledge/", views.KnowledgeListView.as_view(), name="knowledge-list"),
    path("knowledge/<str:kind>/<int:pk>/", views.KnowledgeDetailView.as_view(), name="knowledge-detail"),
    path("cases/", views.CaseRecordListView.as_view(), name="cases"),
    path("consultations/", views.ConsultationCreateView.as_view(), name="consultations"),
    path("documents/verify/<str:code>/", views.DocumentVerifyView.as_view(), name="documents-verify"),
]

urlpatterns = [path("v1/", include(v1))]
