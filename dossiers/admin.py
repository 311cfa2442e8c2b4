from django.contrib import admin
from django.http import HttpRequest

from dossiers.models import CalendarDay, Dossier, DossierEvent


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The province's extra days off and make-up working days, on top of the national calendar."""

    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]
    date_hierarchy = "date"


class EventInline(admin.TabularInline):
    model = DossierEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_state", "to_state", "actor", "actor_agency", "at", "comment"]

    def has_add_permission(self, request: HttpRequest, obj: Dossier | None = None) -> bool:
        return False


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    """Read-only: a dossier changes only through the workflow (the console and the API)."""

    list_display = ["code", "state", "agency", "channel", "submitted_at", "due_at"]
    list_filter = ["state", "channel", "agency"]
    search_fields = ["code"]
    inlines = [EventInline]

    def has_change_permission(self, request: HttpRequest, obj: Dossier | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Dossier | None = None) -> bool:
        return False
