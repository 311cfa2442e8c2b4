from django.urls import path

from complaints.api import views

app_name = "complaints-api"

urlpatterns = [
    path("dossiers/<int:pk>/complaints/", views.DossierComplaintsView.as_view(), name="dossier-complaints"),
    path("complaints/", views.ComplaintListView.as_view(), name="list"),
    path("complaints/<int:pk>/", views.ComplaintDetailView.as_view(), name="detail"),
    path("complaints/<int:pk>/answer/", views.ComplaintAnswerView.as_view(), name="answer"),
]
