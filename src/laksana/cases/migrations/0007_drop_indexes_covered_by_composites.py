"""Drop three indexes that a composite index already serves (the case's steps by the unique
(case, step, visit), the journal by the unique (case, seq), a person's notices by (person,
read_at)): each is written on every action (docs/performance.md).

Only the indexes are dropped: Django's own AlterField would rebuild the tables on SQLite and
re-check the foreign keys on PostgreSQL, which on a large installation takes long.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = [
    ("cases_casestep_case_id_70bbe3b6", "cases_casestep", "case_id"),
    ("cases_journalentry_case_id_d9984d18", "cases_journalentry", "case_id"),
    ("cases_notification_person_id_53a68831", "cases_notification", "person_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_list_order_indexes"),
        ("org", "0001_agencies_units_positions_people"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX {name} ON {table} ({column})",
                )
                for name, table, column in INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="casestep",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="steps",
                        to="cases.case",
                    ),
                ),
                migrations.AlterField(
                    model_name="journalentry",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="journal",
                        to="cases.case",
                    ),
                ),
                migrations.AlterField(
                    model_name="notification",
                    name="person",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to="org.person",
                    ),
                ),
            ],
        )
    ]
