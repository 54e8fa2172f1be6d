from django.urls import path, register_converter

from documents import views
from documents.converters import VerificationCodeConverter

register_converter(VerificationCodeConverter, "verification_code")

app_name = "documents"
urlpatterns = [
    path("<id:pk>/download/", views.download, name="download"),
    path("verify/", views.verify, name="verify"),
    path("verify/<verification_code:code>/", views.verify_code, name="verify_code"),
]
