"""Who took part in cases of which procedure, for which requesting unit (docs/performance.md,
"How the screens find a page"): the table, and its rows for the cases already there, from their openers,
steps and dispositions. Going back drops the table (the facts it summarizes stay)."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def fill(apps: Any, schema_editor: Any) -> None:
    from laksana.cases import participation

    participation.fill(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_partial_step_and_journal_indexes"),
        ("org", "0001_agencies_units_positions_people"),
        ("procedures", "0001_procedure_versions"),
    ]

    operations = [
        migrations.CreateModel(
            name="Participation",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "person_id",
                        "procedure_key",
                        "requesting_unit_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("procedure_key", models.CharField(max_length=100)),
                (
                    "person",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="org.person",
                    ),
                ),
                (
                    "requesting_unit",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="org.unit",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["requesting_unit", "procedure_key"], name="participation_unit_idx"
                    )
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
