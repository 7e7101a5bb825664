"""History rows for bulk writes. `bulk_create` and `bulk_update` send no signals, so the model
history that django-simple-history keeps (registered by the confighistory app) would miss them:
a bulk import calls `record_bulk` once its rows are written, and each created or changed row gets
its historical row, its many-to-many fields as they now stand included. Models without history
are left alone, so the caller need not know which are recorded."""

from collections.abc import Iterable

from django.db.models import Model
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_manager_for_model, get_m2m_field_name


def record_bulk(
    model: type[Model],
    *,
    created: Iterable[int] = (),
    changed: Iterable[int] = (),
    by=None,
    reason: str = "",
    batch_size: int | None = None,
) -> int:
    """One "+" historical row per created pk and one "~" per changed pk (a pk in both counts as
    created), read from the database as the rows now stand. Returns the number of rows written."""
    try:
        history = get_history_manager_for_model(model)
    except NotHistoricalModelError:
        return 0
    created = set(created)
    changed = set(changed) - created
    written = 0
    for pks, update in ((created, False), (changed, True)):
        if not pks:
            continue
        objects = list(model._default_manager.filter(pk__in=pks).order_by("pk"))
        rows = history.bulk_history_create(
            objects, batch_size=batch_size, update=update, default_user=by, default_change_reason=reason
        )
        written += len(rows or [])
        _snapshot_many_to_many(history.model, rows or [], batch_size)
    return written


def _snapshot_many_to_many(history_model, rows: list, batch_size: int | None) -> None:
    """The rows' many-to-many fields as they stand, as a save's historical row keeps them."""
    pk_name = history_model.instance_type._meta.pk.attname
    by_object = {getattr(row, pk_name): row for row in rows}
    for field in history_model._history_m2m_fields:
        m2m_history = getattr(history_model, field.name).model
        through = field.remote_field.through
        own = get_m2m_field_name(field)
        names = [f.attname for f in through._meta.fields]
        links = through.objects.filter(**{f"{own}__in": list(by_object)}).values(*names)
        m2m_history.objects.bulk_create(
            [m2m_history(history=by_object[link[own + "_id"]], **link) for link in links],
            batch_size=batch_size,
        )
