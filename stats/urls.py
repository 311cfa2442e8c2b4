"""The dashboard's own pages besides /dashboard/ itself (portal/urls.py names that one ``dashboard``)."""

from django.urls import path

from stats import views

app_name = "stats"

urlpatterns = [
    path("dossiers/<int:pk>/", views.dossier, name="dossier"),
]
