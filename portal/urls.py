from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from dossiers.views.verify import verify
from portal.health import healthz, readyz
from portal.metrics import metrics
from procedures.views.catalogue import home
from stats.api import PublicStatsView, StatsView
from stats.views import dashboard, public_index

api_v1: list[URLPattern | URLResolver] = [
    path("", include("accounts.api.urls")),
    path("", include("procedures.api.urls")),
    path("", include("dossiers.api.urls")),
    path("", include("payments.api.urls")),
    path("", include("complaints.api.urls")),
    path("stats/", StatsView.as_view(), name="stats-api"),
    path("stats/public/", PublicStatsView.as_view(), name="stats-public-api"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("", home, name="home"),
    path("verify/", verify, name="verify"),
    path("service-index/", public_index, name="service-index"),
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/", include("stats.urls")),
    path("", include("procedures.urls")),
    path("", include("dossiers.urls")),
    path("", include("complaints.urls")),
    path("console/", include("dossiers.console_urls")),
    path("manage/staff/", include("accounts.staff_urls")),
    path("manage/", include("procedures.publishing_urls")),
    path("manage/calendar/", include("dossiers.calendar_urls")),
    path("payments/", include("payments.urls")),
    path("accounts/", include("accounts.urls")),
    path("messages/", include("notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's initializer as a script of its own (?script): the CSP allows no inline one.
    path("api/schema/ui/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="schema-ui"),
    path("django-admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.forbidden"
handler404 = "portal.views.not_found"
handler500 = "portal.views.server_error"
