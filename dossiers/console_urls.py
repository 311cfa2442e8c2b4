"""The counter console: queues, the dossier page with its action forms, walk-in filing (dossiers/views/console.py)."""

from django.urls import path

from dossiers.views import console

app_name = "console"

urlpatterns = [
    path("", console.home, name="home"),
    path("queue/<str:queue>/", console.queue, name="queue"),
    path("find/", console.find, name="find"),
    path("identity/", console.identity, name="identity"),
    path("dossiers/<int:pk>/", console.dossier_page, name="dossier"),
    path("dossiers/<int:pk>/assign/", console.assign, name="assign"),
    path("dossiers/<int:pk>/actions/<str:action>/", console.action, name="action"),
    path("walk-in/", console.walk_in, name="walk_in"),
    path("walk-in/<int:pk>/", console.walk_in_documents, name="walk_in_documents"),
    path(
        "walk-in/<int:pk>/documents/<int:document_id>/remove/",
        console.walk_in_remove,
        name="walk_in_remove",
    ),
    path("walk-in/<int:pk>/receive/", console.walk_in_receive, name="walk_in_receive"),
]
