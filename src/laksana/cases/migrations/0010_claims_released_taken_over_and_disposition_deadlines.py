# The journal kinds of releasing a claimed step and taking it over; the SLA sweep's mark of a
# disposition whose deadline has passed, and the index the sweep finds those by.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_participation"),
    ]

    operations = [
        migrations.AlterField(
            model_name="journalentry",
            name="kind",
            field=models.CharField(
                choices=[
                    ("opened", "Opened"),
                    ("step_activated", "Step activated"),
                    ("claimed", "Claimed"),
                    ("dispositioned", "Dispositioned"),
                    ("read", "Read"),
                    ("withdrawn", "Withdrawn"),
                    ("completed", "Completed"),
                    ("comment", "Comment"),
                    ("file_added", "File added"),
                    ("closed", "Closed"),
                    ("remark", "Journal remark"),
                    ("held", "Put on hold"),
                    ("resumed", "Resumed"),
                    ("released", "Released"),
                    ("taken_over", "Taken over"),
                ],
                max_length=30,
            ),
        ),
        migrations.AddField(
            model_name="disposition",
            name="overdue_notified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="disposition",
            index=models.Index(
                condition=models.Q(
                    ("deadline__isnull", False),
                    ("overdue_notified_at__isnull", True),
                    ("status__in", ["unread", "read"]),
                ),
                fields=["deadline"],
                name="disposition_deadline_idx",
            ),
        ),
    ]
