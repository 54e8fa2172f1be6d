from django.urls import path

from meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/meeting.ics", views.meeting_ics, name="ics"),
    path("<int:pk>/propose/", views.propose_item, name="propose_item"),
    path("actions/", views.agency_actions, name="agency_actions"),
    path("actions/<int:pk>/", views.action_update, name="action_update"),
]
