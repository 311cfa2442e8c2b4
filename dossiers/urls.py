"""Citizens' pages: filing, my dossiers, a dossier's timeline, the public lookup (dossiers/views/citizen.py)."""

from django.urls import path

from dossiers.views import citizen

app_name = "dossiers"

urlpatterns = [
    # The "file online" button of a procedure's page: continue the citizen's draft, or start one.
    path("procedures/<str:code>/file/", citizen.file, name="file"),
    path("dossiers/", citizen.mine, name="mine"),
    path("dossiers/claim/", citizen.claim, name="claim"),
    path("dossiers/<int:pk>/", citizen.detail, name="detail"),
    path("dossiers/<int:pk>/edit/", citizen.edit, name="edit"),
    path("dossiers/<int:pk>/papers/<int:component_id>/", citizen.upload, name="upload"),
    path("dossiers/<int:pk>/papers/remove/<int:document_id>/", citizen.remove, name="remove"),
    path("dossiers/<int:pk>/review/", citizen.review, name="review"),
    path("dossiers/<int:pk>/withdraw/", citizen.withdraw, name="withdraw"),
    path("dossiers/<int:pk>/rating/", citizen.rate, name="rate"),
    path("lookup/", citizen.lookup, name="lookup"),
]
