from django.urls import path

from experts import views

app_name = "experts"
urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("unavailability/", views.unavailability_add, name="unavailability_add"),
    path("unavailability/<id:pk>/delete/", views.unavailability_delete, name="unavailability_delete"),
    path("invitations/<id:pk>/", views.invitation_detail, name="invitation"),
    path("assignments/<id:pk>/", views.assignment_detail, name="assignment"),
    path("assignments/<id:pk>/evidence/<id:attachment_pk>/", views.evidence_download, name="evidence_download"),
    path("opinion-files/<id:pk>/", views.opinion_file_download, name="opinion_file"),
    path("seminars/<id:pk>/", views.seminar_seat, name="seminar_seat"),
    path("seminar-materials/<id:pk>/", views.seminar_material_download, name="seminar_material"),
    # The center's pages
    path("center/", views.center_index, name="center_index"),
    path("center/health/", views.health, name="health"),
    path("center/cases/<id:case_pk>/", views.case_panel, name="case_panel"),
    path("center/cases/<id:case_pk>/match/", views.match_run, name="match_run"),
    path("center/matchings/<id:pk>/", views.match, name="match"),
    path("center/invitations/<id:pk>/withdraw/", views.invitation_withdraw, name="invitation_withdraw"),
    path(
        "center/assignments/<id:pk>/<slug:action>/",
        views.assignment_action,
        name="assignment_action",
    ),
    path("center/cases/<id:case_pk>/seminars/new/", views.seminar_new, name="seminar_new"),
    path("center/seminars/<id:pk>/", views.seminar_manage, name="seminar_manage"),
]
