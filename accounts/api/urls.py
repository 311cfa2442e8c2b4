from django.urls import path

from accounts.api import identity, views

app_name = "accounts-api"

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("identity/verify/", identity.IdentityVerifyView.as_view(), name="identity-verify"),
]
