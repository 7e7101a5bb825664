"""Moving an app's own log table into the action log, for the apps' data migrations.

One INSERT ... SELECT per table, so a database with hundreds of thousands of log rows moves in
seconds: the rows keep their time, people, states, reason and comment; the app's action gets
its namespace ("approved" → "task.approved"); the extra columns go into `data` by name, without
the empty ones. Rows are inserted in their old order, so a timeline's order stays the same."""


def _data_expression(vendor: str, columns: dict[str, str], quote) -> str:
    if not columns:
        return "'{}'" if vendor == "sqlite" else "'{}'::jsonb"
    pairs = ", ".join(f"'{key}', {quote(column)}" for key, column in columns.items())
    if vendor == "postgresql":
        return f"jsonb_strip_nulls(jsonb_build_object({pairs}))"
    # JSON merge patch (RFC 7396) drops the members whose value is null.
    return f"json_patch('{{}}', json_object({pairs}))"


def move_into_action_log(
    apps,
    schema_editor,
    *,
    app_label: str,
    log_model: str,
    target_model: str,
    target_column: str,
    prefix: str,
    comment_column: str = "comment",
    acting_for: bool = True,
    reason: bool = True,
    data: dict[str, str] | None = None,
) -> None:
    """Copy every row of `app_label.log_model` into core.ActionLog as an entry of the
    `target_model` row named by `target_column`, its action prefixed with `prefix` ("task.")."""
    connection = schema_editor.connection
    if connection.vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError("The action log migration supports PostgreSQL and SQLite.")
    quote = schema_editor.quote_name
    content_type_model = apps.get_model("contenttypes", "ContentType")
    content_type, _created = content_type_model.objects.using(connection.alias).get_or_create(
        app_label=app_label, model=target_model.lower()
    )
    source = apps.get_model(app_label, log_model)._meta.db_table
    target = apps.get_model("core", "ActionLog")._meta.db_table
    columns = (
        "content_type_id, object_id, actor_id, acting_for_id, action, from_state, to_state, reason, comment, "
        "data, created_at"
    )
    select = ", ".join(
        [
            "%s",
            quote(target_column),
            "actor_id",
            "acting_for_id" if acting_for else "NULL",
            "CAST(%s AS VARCHAR(50)) || action",
            "from_state",
            "to_state",
            "reason" if reason else "''",
            quote(comment_column),
            _data_expression(connection.vendor, data or {}, quote),
            "created_at",
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(target)} ({columns}) "  # noqa: S608  # nosec B608 - names from the models
            f"SELECT {select} FROM {quote(source)} ORDER BY id",
            [content_type.pk, prefix],
        )
