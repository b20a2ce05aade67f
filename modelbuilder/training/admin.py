from django.contrib import admin

from modelbuilder.training.models import EpochMetric, Run


class EpochMetricInline(admin.TabularInline):
    model = EpochMetric
    fields = ["epoch", "logs", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "status",
        "owner",
        "design_name",
        "dataset_name",
        "device",
        "duration",
        "final_metrics",
        "created_at",
    ]
    list_filter = ["status", "device", "created_at"]
    search_fields = ["design_name", "dataset_name", "owner__username", "task_id"]
    list_select_related = ["owner"]
    readonly_fields = [f.name for f in Run._meta.fields]
    inlines = [EpochMetricInline]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="duration (s)", ordering="wall_time")
    def duration(self, obj: Run):
        return None if obj.wall_time is None else round(obj.wall_time, 2)
