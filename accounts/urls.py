from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import second_factor, views
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
    path("signup/", views.signup, name="signup"),
    path("signup/verify/", views.signup_verify, name="signup-verify"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("second-factor/", second_factor.setup, name="second-factor"),
    path("second-factor/verify/", second_factor.verify, name="second-factor-verify"),
    path("eid/login/", EidLoginView.as_view(), name="eid-login"),
    path("eid/callback/", EidCallbackView.as_view(), name="eid-callback"),
]
