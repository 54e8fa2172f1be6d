from django.contrib.auth.decorators import login_required
from django.urls import path

from applications import views

app_name = "applications"
urlpatterns = [
    path("", login_required(views.mine), name="mine"),
    path("new/", login_required(views.new), name="new"),
    path("join/", login_required(views.join), name="join"),
    path("members/<int:request_pk>/<str:decision>/", login_required(views.membership_decide), name="membership_decide"),
    path("<int:pk>/", login_required(views.detail), name="detail"),
    path("<int:pk>/edit/", login_required(views.edit), name="edit"),
    path("<int:pk>/autosave/", views.autosave, name="autosave"),
    path("<int:pk>/evidence/", login_required(views.evidence), name="evidence"),
    path(
        "<int:pk>/evidence/<int:attachment_pk>/delete/",
        login_required(views.attachment_delete),
        name="attachment_delete",
    ),
    path(
        "<int:pk>/evidence/<int:attachment_pk>/download/",
        login_required(views.attachment_download),
        name="attachment_download",
    ),
    path("<int:pk>/withdraw/", login_required(views.withdraw), name="withdraw"),
    path("<int:pk>/review/", login_required(views.review), name="review"),
    path("<int:pk>/messages/", login_required(views.message_create), name="message_create"),
    path(
        "<int:pk>/messages/files/<int:file_pk>/",
        login_required(views.message_file_download),
        name="message_file_download",
    ),
    path("<int:pk>/feedback/", login_required(views.feedback_create), name="feedback_create"),
]
