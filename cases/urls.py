from django.urls import path

from cases import views
from cases.opinions import casefile_progress
from cases.opinions import views as opinion_views

app_name = "cases"
urlpatterns = [
    path("agency/", views.agency_inbox, name="agency_inbox"),
    path("agency/letters/<id:letter_pk>/", views.agency_letter, name="agency_letter"),
    path("agency/letters/<id:letter_pk>/acknowledge/", views.agency_acknowledge, name="agency_acknowledge"),
    path("agency/letters/<id:letter_pk>/answer/", views.agency_answer, name="agency_answer"),
    path("agency/letters/<id:letter_pk>/extension/", views.agency_extension, name="agency_extension"),
    path("answer-files/<id:pk>/", views.answer_attachment, name="answer_attachment"),
    path("<id:case_pk>/case-file/", opinion_views.case_file, name="case_file"),
    path("<id:case_pk>/case-file/<id:pk>/", casefile_progress.case_file_progress, name="case_file_progress"),
    path("<id:case_pk>/case-file/<id:pk>/status.json", casefile_progress.case_file_status, name="case_file_status"),
    path("<id:case_pk>/case-file/<id:pk>/retry/", casefile_progress.case_file_retry, name="case_file_retry"),
]
