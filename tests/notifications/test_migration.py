"""Moving the models from the requests app to this one keeps every row, turns a notice's request
into its link, renames the tables and keeps the content types (and so admin permissions)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("tasks", "0004_task_newest_index"), ("notifications", None)]
AFTER = [("tasks", "0005_notifications_move_out"), ("notifications", "0001_initial")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    # The models as the migrations applied now leave them, every app included.
    return executor.loader.project_state(list(executor.recorder.applied_migrations())).apps


@pytest.fixture(autouse=True)
def fully_migrated_afterwards():
    """Later migrations of the apps moved back here run again, so the tests after this one (and
    the flush that ends it) find every table as the models have it."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_rows_links_and_permissions():
    old = migrate(BEFORE)
    try:
        User = old.get_model("departments", "User")
        Department = old.get_model("departments", "Department")
        RequestType = old.get_model("tasks", "RequestType")
        Task = old.get_model("tasks", "Task")
        ContentType = old.get_model("contenttypes", "ContentType")
        Permission = old.get_model("auth", "Permission")

        person = User.objects.create(username="wang", email="wang@example.com")
        sales = Department.objects.create(code="sales", name="销售部")
        kind = RequestType.objects.create(department=sales, code="support", name="咨询")
        task = Task.objects.create(
            number="REQ-2026-000042",
            title="报价",
            request_type=kind,
            requester=person,
            requesting_department=sales,
            target_department=sales,
        )
        Notification = old.get_model("tasks", "Notification")
        Notification.objects.create(recipient=person, task=task, kind="approval", message="待审批")
        Notification.objects.create(recipient=person, link="/documents/7/", kind="document.review", message="请审阅")
        Notification.objects.create(recipient=person, kind="mention", message="读过", read_at=timezone.now())
        old.get_model("tasks", "NotificationPreference").objects.create(user=person, email_kinds=["teams"])
        robot = old.get_model("tasks", "ImRobot").objects.create(
            name="群", department=sales, kind="dingtalk", url="https://example.com/hook", kinds=["inbox"]
        )
        old.get_model("tasks", "Delivery").objects.create(
            key="webhook:1:notification:1", channel="webhook", kind="inbox", robot=robot, address=robot.url
        )
        notification_type, _created = ContentType.objects.get_or_create(app_label="tasks", model="notification")
        delivery_type, _created = ContentType.objects.get_or_create(app_label="tasks", model="delivery")
        Permission.objects.get_or_create(
            content_type=delivery_type, codename="change_delivery", defaults={"name": "Can change delivery"}
        )
        ContentType.objects.filter(app_label="notifications").delete()  # as before the move: none yet
    finally:
        new = migrate(AFTER)

    tables = connection.introspection.table_names()
    assert {"notifications_notification", "notifications_delivery", "notifications_imrobot"} <= set(tables)
    assert "tasks_notification" not in tables and "notifications_notificationpreference" in tables
    Notification = new.get_model("notifications", "Notification")
    assert sorted(Notification.objects.values_list("kind", "link")) == [
        ("approval", "/requests/REQ-2026-000042/"),
        ("document.review", "/documents/7/"),
        ("mention", ""),
    ]
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    assert new.get_model("notifications", "NotificationPreference").objects.get().email_kinds == ["teams"]
    delivery = new.get_model("notifications", "Delivery").objects.select_related("robot").get()
    assert delivery.robot.kinds == ["inbox"] and delivery.status == "pending"
    ContentType = new.get_model("contenttypes", "ContentType")
    assert ContentType.objects.get(pk=notification_type.pk).app_label == "notifications"
    assert not ContentType.objects.filter(app_label="tasks", model__in=["notification", "delivery"]).exists()
    # The webhooks app has a Delivery model of its own: its permission is not the one moved.
    moved = new.get_model("auth", "Permission").objects.get(
        codename="change_delivery", content_type_id=delivery_type.pk
    )
    assert moved.content_type_id == delivery_type.pk
    assert ContentType.objects.get(pk=delivery_type.pk).app_label == "notifications"
