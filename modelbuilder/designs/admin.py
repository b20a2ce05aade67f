from django.contrib import admin

from modelbuilder.designs.models import Design, DesignVersion


class DesignVersionInline(admin.TabularInline):
    model = DesignVersion
    fields = ["version", "name", "valid", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(Design)
class DesignAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "version", "valid", "updated_at"]
    list_filter = ["updated_at"]
    search_fields = ["name", "owner__username"]
    list_select_related = ["owner"]
    readonly_fields = ["graph", "validation", "version", "created_at", "updated_at"]
    inlines = [DesignVersionInline]

    @admin.display(boolean=True)
    def valid(self, obj: Design) -> bool:
        return obj.is_valid
