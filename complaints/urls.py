"""The complaint pages (complaints/views.py): filing from the citizen's dossier page, answering and the list in
the console."""

from django.urls import path

from complaints import views

app_name = "complaints"

urlpatterns = [
    path("dossiers/<int:pk>/complaints/", views.file, name="file"),
    path("console/complaints/", views.console_list, name="console-list"),
    path("console/complaints/<int:pk>/answer/", views.answer, name="answer"),
]
