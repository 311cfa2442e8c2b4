"""Citizens' pages: filing (dossiers/views/filing.py); my dossiers, a dossier's page, the public lookup
(dossiers/views/following.py)."""

from django.urls import path

from dossiers.views import filing, following

app_name = "dossiers"

urlpatterns = [
    # The "file online" button of a procedure's page: continue the citizen's draft, or start one.
    path("procedures/<str:code>/file/", filing.file, name="file"),
    path("dossiers/", following.mine, name="mine"),
    path("dossiers/claim/", following.claim, name="claim"),
    path("dossiers/<int:pk>/", following.detail, name="detail"),
    path("dossiers/<int:pk>/edit/", filing.edit, name="edit"),
    path("dossiers/<int:pk>/papers/<int:component_id>/", filing.upload, name="upload"),
    path("dossiers/<int:pk>/papers/remove/<int:document_id>/", filing.remove, name="remove"),
    path("dossiers/<int:pk>/review/", filing.review, name="review"),
    path("dossiers/<int:pk>/withdraw/", following.withdraw, name="withdraw"),
    path("dossiers/<int:pk>/rating/", following.rate, name="rate"),
    path("lookup/", following.lookup, name="lookup"),
]
