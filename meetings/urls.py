from django.urls import path

from meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("<id:pk>/", views.meeting_detail, name="detail"),
    path("<id:pk>/meeting.ics", views.meeting_ics, name="ics"),
    path("<id:pk>/propose/", views.propose_item, name="propose_item"),
    path("actions/", views.agency_actions, name="agency_actions"),
    path("actions/<id:pk>/", views.action_update, name="action_update"),
]
