from django.urls import path

from procedures.api import views

app_name = "procedures-api"

urlpatterns = [
    path("procedures/", views.ProcedureListView.as_view(), name="procedure-list"),
    path("procedures/<str:code>/", views.ProcedureDetailView.as_view(), name="procedure-detail"),
    path("agencies/", views.AgencyListView.as_view(), name="agency-list"),
    path("sectors/", views.SectorListView.as_view(), name="sector-list"),
]
