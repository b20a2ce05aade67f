from django.contrib import admin

from modelbuilder.sweeps.models import Sweep, SweepTrial


class SweepTrialInline(admin.TabularInline):
    model = SweepTrial
    fields = [
        "number",
        "run",
        "params",
        "status",
        "objective",
        "based_on",
        "error",
        "prune_reason",
        "finished_at",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Sweep)
class SweepAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "status",
        "owner",
        "design_name",
        "dataset_name",
        "strategy",
        "max_trials",
        "objective",
        "best",
        "created_at",
    ]
    list_filter = ["status", "strategy", "pruning", "created_at"]
    search_fields = ["design_name", "dataset_name", "owner__username"]
    list_select_related = ["owner", "best_trial"]
    readonly_fields = [f.name for f in Sweep._meta.fields]
    inlines = [SweepTrialInline]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="best objective")
    def best(self, obj: Sweep):
        return None if obj.best_trial is None else obj.best_trial.objective
