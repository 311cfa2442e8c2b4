from django.urls import path

from procedures.views import catalogue

app_name = "procedures"

urlpatterns = [
    path("procedures/", catalogue.search, name="search"),
    path("procedures/<str:code>/", catalogue.procedure_detail, name="detail"),
    path("procedures/<str:code>/qr.svg", catalogue.procedure_qr, name="qr"),
    path("agencies/<str:code>/qr/", catalogue.agency_qr_sheet, name="agency-qr-sheet"),
    path("components/<int:pk>/template/", catalogue.component_template, name="component-template"),
]
