"""Indexes of steps and journal entries that hold only the rows their queries look for
(docs/performance.md, "How the step path is built"):

* the actor and due-time indexes hold the active steps only, the inbox the active steps that
  were claimed (they held every step; their columns are unchanged, status first):
  completing a step takes it out of them instead of moving it to the far end;
* steps by claimant and by the person who completed them, and journal entries by actor, hold
  only rows that have one: a new step, or an entry of the engine's own, enters none;
* the plain due-time index, which only the (active) due-time queries used, is dropped.

The plain indexes of the foreign keys are dropped by name: Django's own AlterField would
rebuild the tables on SQLite and re-check the foreign keys on PostgreSQL.
"""

import django.db.models.deletion
from django.db import migrations, models

PLAIN = [
    ("cases_casestep_claimed_by_id_3797a97c", "cases_casestep", "claimed_by_id"),
    ("cases_casestep_completed_by_id_fa35939e", "cases_casestep", "completed_by_id"),
    ("cases_casestep_due_at_09af8ba9", "cases_casestep", "due_at"),
    ("cases_journalentry_actor_id_06c6f5a1", "cases_journalentry", "actor_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_drop_indexes_covered_by_composites"),
        ("org", "0001_agencies_units_positions_people"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="casestep", name="case_step_inbox_idx"),
        migrations.RemoveIndex(model_name="casestep", name="case_step_actor_idx"),
        migrations.RemoveIndex(model_name="casestep", name="case_step_due_idx"),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX {name} ON {table} ({column})",
                )
                for name, table, column in PLAIN
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="casestep",
                    name="claimed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.person",
                        verbose_name="claimed by",
                    ),
                ),
                migrations.AlterField(
                    model_name="casestep",
                    name="completed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.person",
                        verbose_name="completed by",
                    ),
                ),
                migrations.AlterField(
                    model_name="casestep",
                    name="due_at",
                    field=models.DateTimeField(blank=True, null=True, verbose_name="due at"),
                ),
                migrations.AlterField(
                    model_name="journalentry",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.person",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="casestep",
            index=models.Index(
                condition=models.Q(("claimed_by__isnull", False), ("status", "active")),
                fields=["status", "claimed_by"],
                name="case_step_inbox_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="casestep",
            index=models.Index(
                condition=models.Q(("status", "active")),
                fields=["status", "actor_key"],
                name="case_step_actor_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="casestep",
            index=models.Index(
                condition=models.Q(("status", "active")),
                fields=["status", "due_at"],
                name="case_step_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="casestep",
            index=models.Index(
                condition=models.Q(("claimed_by__isnull", False)),
                fields=["claimed_by"],
                name="case_step_claimed_by_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="casestep",
            index=models.Index(
                condition=models.Q(("completed_by__isnull", False)),
                fields=["completed_by"],
                name="case_step_completed_by_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="journalentry",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)),
                fields=["actor"],
                name="journal_actor_idx",
            ),
        ),
    ]
