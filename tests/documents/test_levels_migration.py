"""The migration that adds 机密 and 绝密 and the 保密期限 keeps every existing row as it was: a 秘密
document stays 秘密 (classified, no period marked), an internal one internal."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("documents", "0011_document_legal_hold")]
AFTER = [("documents", "0012_classified_levels_and_secrecy_years")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(list(executor.recorder.applied_migrations())).apps


@pytest.fixture(autouse=True)
def fully_migrated_afterwards():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_secret_documents_stay_secret():
    old = migrate(BEFORE)
    try:
        User = old.get_model("departments", "User")
        Department = old.get_model("departments", "Department")
        Document = old.get_model("documents", "Document")
        person = User.objects.create(username="wang", email="wang@example.com")
        sales = Department.objects.create(code="sales", name="销售部")
        common = {"kind": "notice", "recipients": "采购部", "body": "正文", "department": sales, "drafter": person}
        secret = Document.objects.create(title="秘密通知", secrecy="secret", **common)
        internal = Document.objects.create(title="内部通知", secrecy="internal", **common)
    finally:
        migrate(AFTER)

    from documents.models import Document

    secret, internal = Document.objects.get(pk=secret.pk), Document.objects.get(pk=internal.pk)
    assert (secret.secrecy, secret.secrecy_years, secret.secrecy_mark) == ("secret", None, "秘密")
    assert secret.named_only and not secret.strictest
    assert (internal.secrecy, internal.secrecy_years, internal.named_only) == ("internal", None, False)
