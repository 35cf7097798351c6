"""Indexes in the case list's order (newest first: ``opened_at``, ``id`` descending).

The case list, the application record's cases and the API's list are read a page at a time
by walking an index in that order and stopping after the page: over the whole list, by
status, by application and by requesting unit. Without them every page sorted all matching
cases first.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_search_text_trigram_indexes"),
        ("catalog", "0005_fill_application_search_text"),
        ("org", "0001_agencies_units_positions_people"),
        ("procedures", "0001_procedure_versions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["-opened_at", "-id"], name="case_opened_idx"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["status", "-opened_at", "-id"], name="case_status_opened_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["application", "-opened_at", "-id"], name="case_application_opened_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["requesting_unit", "-opened_at", "-id"], name="case_unit_opened_idx"
            ),
        ),
    ]
