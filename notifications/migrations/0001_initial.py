"""The notifications app takes over its models from the requests app (tasks 0005 lets go of them):
the same tables, renamed from tasks_* to notifications_*, with their rows, and the same content
types (moved to this app, so admin permissions and the admin log keep pointing at them).

On a new database the requests app's migrations create the tables first and this one renames
them, so every database ends in the same shape.
"""

import datetime

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import notifications.models

MODELS = ("imrobot", "notificationpreference", "delivery", "notification")


def content_types_to(app_label: str, other: str):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        types = ContentType.objects.using(schema_editor.connection.alias)
        for model in MODELS:
            if not types.filter(app_label=app_label, model=model).exists():
                types.filter(app_label=other, model=model).update(app_label=app_label)

    return move


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("departments", "0004_people_manager"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImRobot",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=60, verbose_name="name")),
                        ("kind", models.CharField(choices=[("dingtalk", "DingTalk (钉钉)"), ("wecom", "WeCom (企业微信)"), ("feishu", "Feishu (飞书)"), ("slack", "Slack-compatible")], max_length=10, verbose_name="kind")),
                        ("url", models.URLField(max_length=500, verbose_name="webhook URL")),
                        ("secret", models.CharField(blank=True, help_text="DingTalk 加签 or Feishu signature secret, if the robot uses one.", max_length=200, verbose_name="signing secret")),
                        ("kinds", models.JSONField(blank=True, default=list, help_text='Event kinds to post, e.g. ["inbox", "escalation"]; empty means inbox and escalations.', verbose_name="events")),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                        ("department", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="robots", to="departments.department", verbose_name="department")),
                    ],
                    options={
                        "verbose_name": "IM robot",
                        "verbose_name_plural": "IM robots",
                        "db_table": "tasks_imrobot",
                    },
                ),
                migrations.CreateModel(
                    name="NotificationPreference",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("email_kinds", models.JSONField(blank=True, default=notifications.models.default_email_kinds, verbose_name="e-mail me about")),
                        ("digest_enabled", models.BooleanField(default=True, verbose_name="daily digest by e-mail")),
                        ("digest_time", models.TimeField(default=datetime.time(8, 30), verbose_name="digest time")),
                        ("last_digest_on", models.DateField(blank=True, editable=False, null=True, verbose_name="last digest")),
                        ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="notification_preference", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "notification preference",
                        "verbose_name_plural": "notification preferences",
                        "db_table": "tasks_notificationpreference",
                    },
                ),
                migrations.CreateModel(
                    name="Delivery",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=200, unique=True, verbose_name="idempotency key")),
                        ("channel", models.CharField(choices=[("email", "E-mail"), ("webhook", "IM robot")], max_length=10, verbose_name="channel")),
                        ("kind", models.CharField(max_length=30, verbose_name="kind")),
                        ("address", models.CharField(blank=True, max_length=500, verbose_name="address")),
                        ("subject", models.CharField(blank=True, max_length=300, verbose_name="subject")),
                        ("body", models.TextField(blank=True, verbose_name="text")),
                        ("html", models.TextField(blank=True, verbose_name="HTML")),
                        ("status", models.CharField(choices=[("pending", "Pending"), ("sending", "Sending"), ("sent", "Sent"), ("failed", "Failed")], default="pending", max_length=10, verbose_name="status")),
                        ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                        ("last_error", models.TextField(blank=True, verbose_name="last error")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created")),
                        ("next_attempt_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="next attempt")),
                        ("claimed_at", models.DateTimeField(blank=True, null=True, verbose_name="claimed")),
                        ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
                        ("recipient", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="recipient")),
                        ("robot", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="deliveries", to="notifications.imrobot")),
                    ],
                    options={
                        "verbose_name": "delivery",
                        "verbose_name_plural": "deliveries",
                        "ordering": ["-created_at"],
                        "db_table": "tasks_delivery",
                        "indexes": [
                            models.Index(condition=models.Q(("status", "pending")), fields=["next_attempt_at"], name="tasks_delivery_pending"),
                            models.Index(condition=models.Q(("status", "sending")), fields=["claimed_at"], name="tasks_delivery_sending"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(max_length=30, verbose_name="kind")),
                        ("message", models.CharField(max_length=300, verbose_name="message")),
                        ("link", models.CharField(blank=True, max_length=300, verbose_name="link")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="at")),
                        ("read_at", models.DateTimeField(blank=True, null=True, verbose_name="read")),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("recipient", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="notifications", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "notification",
                        "verbose_name_plural": "notifications",
                        "ordering": ["-created_at"],
                        "db_table": "tasks_notification",
                        "indexes": [
                            models.Index(condition=models.Q(("read_at__isnull", True)), fields=["recipient", "-created_at"], name="tasks_notification_unread"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        # The tables and their indexes take this app's names.
        migrations.AlterModelTable(name="imrobot", table=None),
        migrations.AlterModelTable(name="notificationpreference", table=None),
        migrations.AlterModelTable(name="delivery", table=None),
        migrations.AlterModelTable(name="notification", table=None),
        migrations.RenameIndex(model_name="delivery", new_name="notifications_outbox_pending", old_name="tasks_delivery_pending"),
        migrations.RenameIndex(model_name="delivery", new_name="notifications_outbox_sending", old_name="tasks_delivery_sending"),
        migrations.RenameIndex(model_name="notification", new_name="notifications_unread", old_name="tasks_notification_unread"),
        migrations.RunPython(content_types_to("notifications", "tasks"), content_types_to("tasks", "notifications")),
    ]
