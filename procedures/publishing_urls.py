from django.urls import path

from procedures.views import publishing

app_name = "publishing"

urlpatterns = [
    path("procedures/", publishing.procedure_list, name="list"),
    path("procedures/new/", publishing.procedure_new, name="new"),
    path("procedures/<str:code>/", publishing.procedure_detail, name="procedure"),
    path("procedures/<str:code>/draft/", publishing.draft_create, name="draft"),
    path("versions/<int:pk>/edit/", publishing.version_edit, name="edit"),
    path("versions/<int:pk>/preview/", publishing.version_preview, name="preview"),
    path("versions/<int:pk>/result-preview/", publishing.result_preview, name="result_preview"),
    path("versions/<int:pk>/publish/", publishing.version_publish, name="publish"),
    path("versions/<int:pk>/archive/", publishing.version_archive, name="archive"),
]
