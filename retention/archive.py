"""The archive a retention run writes before it removes anything, and its check.

`<stamp>.jsonl.gz`: one JSON object a line, one line per request or document, holding every
row of it and of what hangs under it (approvals, comments, holds, reminders, attachments'
metadata, the action log, opinions, versions, acknowledgements, generated files; a request's
sub-tasks inside it with theirs), as Django's "python" serializer gives them. `<stamp>-files.tar.gz`
beside it: the attached and generated files, under their storage names.
"""

import gzip
import json
import tarfile
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder

from core.models import ActionLog, GeneratedFile
from documents.models import Document
from tasks.models import Task

# What hangs under each kind (reverse relations by their related names).
CHILDREN = {
    "request": ["approvals", "comments", "attachments", "holds", "reminders", "team_links"],
    "document": ["opinions", "acknowledgements", "versions", "attachments"],
}
MODELS = {"request": Task, "document": Document}


class ArchiveError(Exception):
    """The archive could not be written or does not read back as written."""


def _rows(objects) -> list[dict]:
    return serializers.serialize("python", objects)


class ArchiveWriter:
    """Append records to the .jsonl.gz and their files to the .tar.gz; `close()` then `verify()`."""

    def __init__(self, folder: Path, stamp: str):
        self.path = folder / f"retention-{stamp}.jsonl.gz"
        self.files_path = folder / f"retention-{stamp}-files.tar.gz"
        self.written: dict[str, list[int]] = {kind: [] for kind in MODELS}
        self.file_names: set[str] = set()
        self.missing_files: list[str] = []
        self._lines = gzip.open(self.path, "wt", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self._tar = tarfile.open(self.files_path, "w:gz")  # noqa: SIM115 - closed in close()

    def add(self, kind: str, objects: list) -> None:
        """Write these objects (a batch of one kind) with everything under them."""
        for obj in objects:
            record = {"kind": kind, **self._record(kind, obj)}
            self._lines.write(json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n")
            self.written[kind].append(obj.pk)

    def _record(self, kind: str, obj) -> dict:
        content_type = ContentType.objects.get_for_model(type(obj))
        children = {name: _rows(getattr(obj, name).all()) for name in CHILDREN[kind]}
        children["logs"] = _rows(ActionLog.objects.filter(content_type=content_type, object_id=obj.pk))
        generated = list(GeneratedFile.objects.filter(content_type=content_type, object_id=obj.pk))
        children["generated_files"] = _rows(generated)
        for attachment in [*obj.attachments.all(), *generated]:
            self._add_file(attachment.file.name)
        if kind == "request":
            children["subtasks"] = [self._record(kind, sub) for sub in obj.subtasks.all()]
        return {"object": _rows([obj])[0], "children": children}

    def _add_file(self, name: str) -> None:
        if not name or name in self.file_names:
            return
        try:
            with default_storage.open(name, "rb") as source:
                info = tarfile.TarInfo(name)
                info.size = default_storage.size(name)
                self._tar.addfile(info, source)
        except (FileNotFoundError, OSError):
            self.missing_files.append(name)
            return
        self.file_names.add(name)

    def close(self) -> None:
        self._lines.close()
        self._tar.close()

    def verify(self) -> None:
        """Read both files back whole: every record written is there, and every file."""
        found: dict[str, list[int]] = {kind: [] for kind in MODELS}
        try:
            with gzip.open(self.path, "rt", encoding="utf-8") as lines:
                for line in lines:
                    record = json.loads(line)
                    found[record["kind"]].append(record["object"]["pk"])
            with tarfile.open(self.files_path, "r:gz") as tar:
                names = {member.name for member in tar.getmembers()}
        except (OSError, EOFError, ValueError, KeyError, tarfile.TarError) as error:
            raise ArchiveError(f"the archive {self.path} does not read back: {error}") from error
        if found != self.written:
            raise ArchiveError(f"the archive {self.path} does not hold every record written to it")
        if not self.file_names <= names:
            raise ArchiveError(f"the files archive {self.files_path} lacks some of the files written to it")


def read(path: Path):
    """The records of an archive, one at a time (for operators and tests)."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)
