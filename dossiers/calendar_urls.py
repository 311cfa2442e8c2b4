from django.urls import path

from dossiers.views import calendar

app_name = "calendar"

urlpatterns = [
    path("", calendar.calendar_page, name="days"),
    path("<str:day>/remove/", calendar.calendar_day_remove, name="remove"),
]
