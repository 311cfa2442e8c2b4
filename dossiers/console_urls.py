"""The counter console: queues, the dossier page with its action forms, walk-in filing (dossiers/views/console.py,
walk_in.py)."""

from django.urls import path

from dossiers.views import console, walk_in

app_name = "console"

urlpatterns = [
    path("", console.home, name="home"),
    path("queue/<str:queue>/", console.queue, name="queue"),
    path("find/", console.find, name="find"),
    path("identity/", console.identity, name="identity"),
    path("dossiers/<int:pk>/", console.dossier_page, name="dossier"),
    path("dossiers/<int:pk>/assign/", console.assign, name="assign"),
    path("dossiers/<int:pk>/drafted-result/", console.drafted_result, name="drafted_result"),
    path("dossiers/<int:pk>/actions/<str:action>/", console.action, name="action"),
    path("walk-in/", walk_in.walk_in, name="walk_in"),
    path("walk-in/<int:pk>/", walk_in.walk_in_documents, name="walk_in_documents"),
    path(
        "walk-in/<int:pk>/documents/<int:document_id>/remove/",
        walk_in.walk_in_remove,
        name="walk_in_remove",
    ),
    path("walk-in/<int:pk>/receive/", walk_in.walk_in_receive, name="walk_in_receive"),
]
