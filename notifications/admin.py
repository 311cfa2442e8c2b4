from django.contrib import admin

from notifications.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: messages are evidence of what the portal told whom, and when."""

    list_display = [
        "id",
        "event",
        "channel",
        "to_address",
        "recipient",
        "dossier",
        "created_at",
        "sent_at",
        "attempts",
    ]
    list_filter = ["channel", "event", "language"]
    search_fields = ["to_address", "dossier__code", "recipient__username", "subject"]
    raw_id_fields = ["recipient", "dossier", "dossier_event"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
