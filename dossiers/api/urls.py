from django.urls import path

from dossiers.api import ratings, results, slips, views

app_name = "dossiers-api"

urlpatterns = [
    path("dossiers/", views.DossierListView.as_view(), name="list"),
    path("dossiers/claim/", views.ClaimView.as_view(), name="claim"),
    path("dossiers/<int:pk>/", views.DossierDetailView.as_view(), name="detail"),
    path("dossiers/<int:pk>/access-log/", views.AccessLogView.as_view(), name="access-log"),
    path("dossiers/<int:pk>/documents/", views.DocumentUploadView.as_view(), name="documents"),
    path("dossiers/<int:pk>/documents/<int:document_id>/", views.DocumentView.as_view(), name="document"),
    path("dossiers/<int:pk>/actions/<str:action>/", views.ActionView.as_view(), name="action"),
    path("dossiers/<int:pk>/assign/", views.AssignView.as_view(), name="assign"),
    path("dossiers/<int:pk>/result/", results.ResultView.as_view(), name="result"),
    path("dossiers/<int:pk>/drafted-result/", results.DraftedResultView.as_view(), name="drafted-result"),
    path("dossiers/<int:pk>/slips/<str:kind>/", slips.SlipView.as_view(), name="slip"),
    path("dossiers/<int:pk>/rating/", ratings.RatingView.as_view(), name="rating"),
    path("lookup/", views.LookupView.as_view(), name="lookup"),
    path("verify/", results.VerifyView.as_view(), name="verify"),
]
