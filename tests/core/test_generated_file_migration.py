"""The rendering jobs move from the documents app to the kernel with their rows: a file made
before the move is still the latest file of its object, downloadable by the same people, and its
content type (hence admin permissions) is the kernel's."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from core import rendering
from core.models import GeneratedFile
from tests.conftest import login

KIND = "test-moved"
BEFORE = [("documents", "0007_text_limits"), ("core", "0001_initial")]


@pytest.fixture
def kind(org):
    rendering.builder(KIND, can_view=lambda user, obj: user == org.requester)(lambda obj: b"")
    yield KIND
    rendering.BUILDERS.pop(KIND, None)


@pytest.mark.django_db(transaction=True)
def test_jobs_made_before_the_move_stay_with_their_objects(client, org, kind, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    source = org.purchasing  # any object: a job names its source by content type and id
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    try:
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        OldType = old.get_model("contenttypes", "ContentType")
        OldType.objects.get_or_create(app_label="documents", model="generatedfile")
        made = old.get_model("documents", "GeneratedFile").objects.create(
            content_type_id=OldType.objects.get(app_label="departments", model="department").pk,
            object_id=source.pk,
            kind=kind,
            version="1",
            status="ready",
            file=ContentFile(b"PK", name="made-before.docx"),
            finished_at=timezone.now(),
        )
    finally:
        MigrationExecutor(connection).migrate(latest)

    job = rendering.latest_ready(source, kind)
    assert job is not None and job.pk == made.pk and job.status == GeneratedFile.Status.READY
    assert ContentType.objects.get_for_model(GeneratedFile).app_label == "core"
    assert not ContentType.objects.filter(app_label="documents", model="generatedfile").exists()
    tables = connection.introspection.table_names()
    assert "core_generatedfile" in tables and "documents_generatedfile" not in tables
    login(client, org.requester)
    assert client.get(f"/files/{job.pk}/").status_code == 200
    login(client, org.outsider)
    assert client.get(f"/files/{job.pk}/").status_code == 404
    # One file per version still holds, under the kernel's name for it.
    with pytest.raises(IntegrityError, match="(?i)unique"), transaction.atomic():
        GeneratedFile.objects.create(content_type=job.content_type, object_id=source.pk, kind=kind, version="1")
