import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_claims_released_taken_over_and_disposition_deadlines"),
        ("org", "0001_agencies_units_positions_people"),
    ]

    operations = [
        migrations.CreateModel(
            name="JournalSeal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("count", models.PositiveIntegerField()),
                ("first_entry_id", models.BigIntegerField(blank=True, null=True)),
                ("last_entry_id", models.BigIntegerField(blank=True, null=True)),
                ("digest", models.CharField(max_length=64)),
                ("prev_digest", models.CharField(blank=True, max_length=64)),
                ("key_id", models.CharField(max_length=16)),
                ("sealed_at", models.DateTimeField()),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.agency",
                    ),
                ),
            ],
            options={
                "verbose_name": "journal seal",
                "verbose_name_plural": "journal seals",
                "ordering": ["agency", "day"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("agency", "day"), name="journal_seal_day_unique"
                    )
                ],
            },
        ),
    ]
