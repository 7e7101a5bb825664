"""Notifications, preferences, IM robots and the outbox move to the notifications app.

Their tables stay; this migration only takes them out of the requests app's state (the
notifications app's first migration takes them in and renames the tables). A notice about a
request kept a foreign key to it; the notifications app knows nothing of requests, so the
request's page is written into the notice's link first and the key is dropped.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Concat


def links_from_requests(apps, schema_editor):
    Notification = apps.get_model("tasks", "Notification")
    Task = apps.get_model("tasks", "Task")
    number = Task.objects.filter(pk=OuterRef("task_id")).values("number")[:1]
    Notification.objects.using(schema_editor.connection.alias).filter(task__isnull=False).update(
        link=Concat(Value("/requests/"), Subquery(number), Value("/"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0004_task_newest_index"),
    ]
    # The notifications app's first migration takes over these models; it must find them here.
    run_before = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(links_from_requests, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="notification", name="task"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Delivery"),
                migrations.DeleteModel(name="ImRobot"),
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="NotificationPreference"),
            ],
            database_operations=[],
        ),
    ]
