"""Citizens' pages: filing, my dossiers, a dossier's timeline, the public lookup (dossiers/views/citizen.py)."""

from django.urls import path

app_name = "dossiers"

urlpatterns: list = [
    # path("procedures/<str:code>/file/", citizen.file, name="file"),  -- the "file online" button of a procedure
]
