"""The counter console: queues, the dossier page with its action forms, walk-in filing (dossiers/views/console.py)."""

from django.urls import path

app_name = "console"

urlpatterns: list = []
