from django.urls import path

from portal.twofactor import views

app_name = "twofactor"

urlpatterns = [
    path("", views.account, name="account"),
    path("verify/", views.verify, name="verify"),
    path("setup/", views.setup, name="setup"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("recovery-codes/download/", views.recovery_codes_download, name="recovery_codes_download"),
    path("recovery-codes/renew/", views.renew_codes, name="renew_codes"),
    path("disable/", views.disable, name="disable"),
    path("confirm/", views.confirm, name="confirm"),
]
