"""Keep the search index up to date: post_save/post_delete receivers for requests, documents,
people and teams, connected in ReportsConfig.ready(). The index row is written after the commit of
the change, so a failed write never leaves a stale entry and the writer's own queries are untouched."""

from django.db import transaction

INDEXED_TASK_FIELDS = {"number", "title", "description", "target_department"}
INDEXED_DOCUMENT_FIELDS = {"title", "recipients", "body", "department"}
INDEXED_TEAM_FIELDS = {"name", "goal", "metric"}
INDEXED_PERSON_FIELDS = {"display_name", "first_name", "last_name", "username", "job_title", "email", "is_active"}


def _touches(update_fields, indexed) -> bool:
    return update_fields is None or bool(set(update_fields) & indexed)


def _later(make, instance, kind, alive=True):
    from reports import search

    pk = instance.pk

    def run():
        if alive:
            search.store([make(instance)])
        else:
            search.remove(kind, pk)

    transaction.on_commit(run)


def task_saved(sender, instance, created, update_fields=None, **kwargs):
    """A request is saved whole on every step of its way; its index entry changes only with its
    number, title, description or department. After the commit the entry is compared with the one
    the index holds, so a step that changes none of them writes nothing, and a request saved twice
    in one transaction (filed and submitted) is written once: the object remembers the entry it
    wrote, so its second save after the same commit need not ask the index again."""
    if not _touches(update_fields, INDEXED_TASK_FIELDS):
        return
    from reports import search

    def run():
        entry = search.entry_for_task(instance)
        words = (entry.title, entry.text, entry.url, entry.department_id)
        if getattr(instance, "search_entry_written", None) == words:
            return
        if created or not search.holds(entry):
            search.store([entry])
        instance.search_entry_written = words

    transaction.on_commit(run)


def document_saved(sender, instance, created, update_fields=None, **kwargs):
    if _touches(update_fields, INDEXED_DOCUMENT_FIELDS):
        from reports.search import entry_for_document

        _later(entry_for_document, instance, "document")


def person_saved(sender, instance, created, update_fields=None, **kwargs):
    if _touches(update_fields, INDEXED_PERSON_FIELDS):
        from reports.search import entry_for_person

        _later(entry_for_person, instance, "person", alive=instance.is_active)


def people_changed_in_bulk(sender, people, **kwargs):
    """People written in bulk (the workbook import): their entries, after the commit, in one batch."""
    ids = list(people)

    def run():
        from departments.models import User
        from reports import search
        from reports.models import SearchEntry

        found = list(User.objects.filter(pk__in=ids))
        search.store([search.entry_for_person(person) for person in found if person.is_active])
        gone = [person.pk for person in found if not person.is_active]
        SearchEntry.objects.filter(kind=SearchEntry.Kind.PERSON, object_id__in=gone).delete()

    transaction.on_commit(run)


def team_saved(sender, instance, created, update_fields=None, **kwargs):
    if _touches(update_fields, INDEXED_TEAM_FIELDS):
        from reports.search import entry_for_team

        _later(entry_for_team, instance, "team")


# The index's kind of each indexed model, by model name.
KIND_OF = {"task": "task", "document": "document", "user": "person", "team": "team"}


def deleted(sender, instance, **kwargs):
    _later(None, instance, KIND_OF[sender._meta.model_name], alive=False)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from departments import signals as departments_signals
    from departments.models import User
    from documents.models import Document
    from tasks.models import Task
    from teams.models import Team

    post_save.connect(team_saved, sender=Team, dispatch_uid="reports_index_team")
    post_delete.connect(deleted, sender=Team, dispatch_uid="reports_unindex_team")
    post_save.connect(task_saved, sender=Task, dispatch_uid="reports_index_task")
    post_save.connect(document_saved, sender=Document, dispatch_uid="reports_index_document")
    post_save.connect(person_saved, sender=User, dispatch_uid="reports_index_person")
    departments_signals.people_changed_in_bulk.connect(people_changed_in_bulk, dispatch_uid="reports_index_people")
    post_delete.connect(deleted, sender=Task, dispatch_uid="reports_unindex_task")
    post_delete.connect(deleted, sender=Document, dispatch_uid="reports_unindex_document")
    post_delete.connect(deleted, sender=User, dispatch_uid="reports_unindex_person")
