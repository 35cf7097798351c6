"""Fill the search words of applications entered before they were kept on save."""

from typing import Any

from django.db import migrations


def fill(apps: Any, schema_editor: Any) -> None:
    Application = apps.get_model("catalog", "Application")
    for app in Application.objects.select_related(
        "owner_unit", "managing_unit", "developer_unit", "developer_vendor"
    ).iterator():
        units = [app.owner_unit, app.managing_unit, app.developer_unit]
        parts = [
            app.name,
            app.short_name,
            app.description,
            app.function,
            " ".join(app.urls or []),
            *(u.name for u in units if u is not None),
            *(u.short_name for u in units if u is not None),
            app.developer_vendor.name if app.developer_vendor else "",
        ]
        Application.objects.filter(pk=app.pk).update(
            search_text=" ".join(p for p in parts if p).lower()
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_risks_work_programmes_data_deletions")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
