from django.contrib.auth.decorators import login_required
from django.urls import path

from applications import invitation_views, views

app_name = "applications"
urlpatterns = [
    path("", login_required(views.mine), name="mine"),
    path("new/", login_required(views.new), name="new"),
    path("register/", views.register, name="register"),
    path("invitations/<str:token>/", invitation_views.invitation_accept, name="invitation_accept"),
    path("join/", login_required(views.join), name="join"),
    path("members/<id:request_pk>/<str:decision>/", login_required(views.membership_decide), name="membership_decide"),
    path("<id:pk>/", login_required(views.detail), name="detail"),
    path("<id:pk>/edit/", login_required(views.edit), name="edit"),
    path("<id:pk>/autosave/", views.autosave, name="autosave"),
    path("<id:pk>/evidence/", login_required(views.evidence), name="evidence"),
    path(
        "<id:pk>/evidence/<id:attachment_pk>/delete/",
        login_required(views.attachment_delete),
        name="attachment_delete",
    ),
    path(
        "<id:pk>/evidence/<id:attachment_pk>/download/",
        login_required(views.attachment_download),
        name="attachment_download",
    ),
    path("<id:pk>/withdraw/", login_required(views.withdraw), name="withdraw"),
    path("<id:pk>/review/", login_required(views.review), name="review"),
    path("<id:pk>/messages/", login_required(views.message_create), name="message_create"),
    path(
        "<id:pk>/messages/files/<id:file_pk>/",
        login_required(views.message_file_download),
        name="message_file_download",
    ),
    path("<id:pk>/feedback/", login_required(views.feedback_create), name="feedback_create"),
]
