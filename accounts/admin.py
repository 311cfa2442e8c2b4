from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "get_full_name", "role", "agency", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    # Django's UserAdmin always sets its fieldsets; the stubs type the attribute as optional on every ModelAdmin.
    fieldsets = [*(BaseUserAdmin.fieldsets or ()), ("Portal", {"fields": ["role", "agency", "position"]})]
