from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.eid import EidCallbackView, EidLoginView
from accounts.forms import LoginForm
from accounts.landing import PortalLoginView

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        PortalLoginView.as_view(template_name="accounts/login.html", authentication_form=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("eid/login/", EidLoginView.as_view(), name="eid-login"),
    path("eid/callback/", EidCallbackView.as_view(), name="eid-callback"),
]
