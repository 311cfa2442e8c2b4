from django.urls import path

from accounts import staff_views

app_name = "staff"

urlpatterns = [
    path("", staff_views.staff_list, name="list"),
    path("new/", staff_views.staff_new, name="new"),
    path("<int:pk>/", staff_views.staff_detail, name="detail"),
    path("<int:pk>/deactivate/", staff_views.staff_deactivate, name="deactivate"),
    path("<int:pk>/activate/", staff_views.staff_activate, name="activate"),
    path("<int:pk>/password-reset/", staff_views.staff_password_reset, name="password-reset"),
    path("<int:pk>/second-factor/", staff_views.staff_second_factor_remove, name="second-factor"),
]
