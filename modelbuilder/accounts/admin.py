from django.contrib import admin

from modelbuilder.accounts.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used"]
    search_fields = ["user__username", "name", "prefix"]
    readonly_fields = ["user", "key_hash", "prefix", "created_at", "last_used"]

    def has_add_permission(self, request) -> bool:  # tokens are made by the page or create_token
        return False
