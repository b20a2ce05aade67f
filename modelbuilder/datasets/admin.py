from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join

from modelbuilder.core.errors import ApplicationError
from modelbuilder.datasets import selectors, services
from modelbuilder.datasets.models import Dataset


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "format", "rows", "size", "status", "is_public", "created_at"]
    list_filter = ["status", "format", "is_public", "created_at"]
    search_fields = ["name", "owner__username", "sha256"]
    list_select_related = ["owner"]
    readonly_fields = [
        "format",
        "file",
        "size",
        "sha256",
        "rows",
        "status",
        "error",
        "created_at",
        "statistics",
        "preview",
    ]
    fields = ["name", "owner", "is_public", *readonly_fields]
    actions = ["revalidate", "mark_public", "mark_private"]

    def has_add_permission(self, request) -> bool:  # uploads go through the API, which validates
        return False

    @admin.display(description="statistics")
    def statistics(self, obj: Dataset):
        rows = obj.schema.get("columns") or [
            {"name": "x", **obj.schema.get("x_stats", {})},
            {"name": "y", **obj.schema.get("target", {})},
        ]
        keys = ["name", "kind", "dtype", "min", "max", "mean", "std", "classes"]
        head = format_html_join("", "<th>{}</th>", ((k,) for k in keys))
        body = format_html_join(
            "",
            "<tr>{}</tr>",
            (
                (format_html_join("", "<td>{}</td>", ((_short(row.get(k, "")),) for k in keys)),)
                for row in rows
            ),
        )
        return format_html("<table><tr>{}</tr>{}</table>", head, body)

    @admin.display(description="first rows")
    def preview(self, obj: Dataset):
        try:
            data = selectors.dataset_preview(dataset=obj, limit=10)
        except ApplicationError as exc:
            return exc.message
        head = format_html_join("", "<th>{}</th>", ((c,) for c in data["columns"]))
        body = format_html_join(
            "",
            "<tr>{}</tr>",
            ((format_html_join("", "<td>{}</td>", ((v,) for v in row)),) for row in data["rows"]),
        )
        return format_html("<table><tr>{}</tr>{}</table>", head, body)

    @admin.action(description="Re-validate the selected datasets")
    def revalidate(self, request, queryset):
        for dataset in queryset:
            services.dataset_revalidate(dataset=dataset)
        invalid = queryset.filter(status=Dataset.Status.INVALID).count()
        level = messages.WARNING if invalid else messages.SUCCESS
        self.message_user(request, f"Re-validated {queryset.count()}; {invalid} invalid.", level)

    @admin.action(description="Mark public (visible to all users)")
    def mark_public(self, request, queryset):
        for dataset in queryset:
            services.dataset_mark_public(dataset=dataset, is_public=True)

    @admin.action(description="Mark private")
    def mark_private(self, request, queryset):
        for dataset in queryset:
            services.dataset_mark_public(dataset=dataset, is_public=False)

    def delete_model(self, request, obj: Dataset) -> None:
        services.dataset_delete(dataset=obj)

    def delete_queryset(self, request, queryset) -> None:
        for dataset in queryset:
            services.dataset_delete(dataset=dataset)


def _short(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"
