"""Queries the busiest pages run on every visit, compiled to SQL once per process.

Django builds a queryset (filter(), Q objects, joins) and compiles it to SQL on every evaluation;
for the home page's panels, the lists' visibility rule and the request page that is a fifth to a
third of the page's CPU, spent producing the same SQL text with different values each time. A
`Prepared` query is built once per *shape* with stand-in values, compiled once, and afterwards
only the values change: each call copies the compiled parameters, puts the caller's values where
the stand-ins were, and lets Django's own iterables run it and build the model instances (with
select_related, only(), prefetch_related and values_list as the queryset says).

Rules for a builder, `build(*shape, **values) -> QuerySet`:
- `shape` holds whatever changes the SQL text — which filters apply, booleans, None-or-not, limits —
  and must be hashable; `values` are what only fills placeholders: ints, strings, dates and
  datetimes, and lists of ints used with the `__in_array` lookup (`= ANY(%s)` on PostgreSQL: one
  placeholder whatever the list's length);
- the builder must not look at the values (no `if ids:`), only pass them to filters: that is what
  lets the stand-ins take their place.
A call with `once=False` builds and compiles its queryset afresh, as Django always does (for a
value a compiled query cannot take, such as a search text). So does a call whose value the compiled
form cannot take (another type than the first call's, a bool, None, an integer beyond PostgreSQL's
range), and every call on a database other than PostgreSQL (the embedded SQLite default adapts
dates to text, and nothing there is hot). A builder that breaks the rules — its SQL or a parameter
other than the values' changes with the values, or a value is transformed by its lookup, as
`icontains` does — raises ImproperlyConfigured on its first call, which the tests make.
"""

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, ForeignObject, QuerySet
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class _InArray:
    """`column = ANY(%s)` with the list as one array parameter on PostgreSQL, `IN (...)` elsewhere:
    the SQL text does not depend on how many values there are, so a Prepared query can take any
    list (an empty one matches nothing, as `__in=[]` does)."""

    lookup_name = "in_array"

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, [value for value in self.rhs if value is not None])


class InArray(_InArray, In):
    """`__in_array` on a column."""


class RelatedInArray(_InArray, RelatedIn):
    """`__in_array` on a foreign key (its values prepared as RelatedIn prepares them)."""


Field.register_lookup(InArray)
ForeignObject.register_lookup(RelatedInArray)


# Integers a compiled query takes as they are. Beyond PostgreSQL's integer, Django's own lookups
# know that nothing matches (an id of 30 digits in an address) where a bound value would be an error.
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _stand_in(value, n: int):
    """The n-th stand-in for a value of `value`'s type (None: not a type a placeholder takes)."""
    kind = type(value)
    if kind is int:
        return 31_000 + n  # within every integer column's range: Django drops out-of-range lookups
    if kind is str:
        return f"\ue000prepared-{n}\ue000"
    if kind is datetime and value.tzinfo is not None:
        return datetime(1901, 1, 1, tzinfo=UTC) + timedelta(seconds=n)
    if kind is date:
        return date(1901, 1, 1) + timedelta(days=n)
    if kind is list and all(type(item) is int for item in value):
        return [31_000 + n]
    return None  # bools, None, naive datetimes, anything else


def _same_kind(value, stand_in) -> bool:
    if type(value) is not type(stand_in):
        return False
    if type(value) is int:
        return _INT_MIN <= value <= _INT_MAX
    if type(value) is list:
        return all(type(item) is int and _INT_MIN <= item <= _INT_MAX for item in value)
    if type(value) is datetime:
        return value.tzinfo is not None
    return True


def _is(param, stand_in) -> bool:
    """Whether a compiled parameter is this stand-in (an integer may come back as a subclass)."""
    if type(stand_in) is int:
        return isinstance(param, int) and not isinstance(param, bool) and param == stand_in
    return type(param) is type(stand_in) and param == stand_in


def _compile(queryset: QuerySet):
    compiler = queryset.query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        sql, params = None, ()
    return compiler, sql, list(params)


class _Compiled:
    """One shape's SQL, its parameters with the values' positions, and the compiler that made it
    (its select list and model layout tell Django's iterables how to read the rows).

    The shape is built and compiled twice, with two sets of stand-ins: a parameter that differs
    between the two is a value's, one that does not is the query's own, and the two compilations
    must agree on that exactly (same SQL, each value where its stand-ins are and nowhere else), or
    the builder is wrong for a Prepared query and says so at once."""

    def __init__(self, build: Callable[..., QuerySet], shape: tuple, names: dict):
        first = {name: _stand_in(value, 2 * i) for i, (name, value) in enumerate(names.items())}
        second = {name: _stand_in(value, 2 * i + 1) for i, (name, value) in enumerate(names.items())}
        self.stand_ins = first
        self.queryset = build(*shape, **first)
        self.compiler, self.sql, self.params = _compile(self.queryset)
        _compiler, sql, params = _compile(build(*shape, **second))
        # (position, value's name, the type the compiled parameter had: psycopg's Int4 for some integer columns)
        self.slots: list[tuple[int, str, type]] = []
        if sql != self.sql or len(params) != len(self.params):
            raise ImproperlyConfigured(
                "Prepared query: the SQL changes with the values; put what changes it in the shape"
            )
        if self.sql is None:
            return
        for name in names:
            found = [i for i, param in enumerate(self.params) if _is(param, first[name])]
            if not found:
                raise ImproperlyConfigured(
                    f"Prepared query: the value {name!r} is not a parameter of the compiled SQL as given "
                    "(is it transformed by its lookup, or does the builder read it?)"
                )
            if any(params[i] != second[name] for i in found):
                raise ImproperlyConfigured(f"Prepared query: the value {name!r} is not where its stand-in was")
            self.slots.extend((i, name, type(self.params[i])) for i in found)
        taken = {i for i, _name, _kind in self.slots}
        if any(self.params[i] != params[i] for i in range(len(params)) if i not in taken):
            raise ImproperlyConfigured("Prepared query: a parameter changes with the values in a way the builder hides")

    def bind(self, values: dict) -> tuple[str | None, list]:
        params = list(self.params)
        for position, name, kind in self.slots:
            value = values[name]
            params[position] = value if type(value) is kind else kind(value)
        return self.sql, params


class _Bound:
    """Stands in for a queryset's Query while Django's iterable reads it: hands out a copy of the
    compiled compiler that answers with the bound SQL; the rest is read from the real Query. Never
    chained — a change to a prepared queryset would start from the stand-in values."""

    def __init__(self, compiled: _Compiled, sql: str | None, params: list):
        self._compiled = compiled
        self._sql = sql
        self._params = params

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = copy.copy(self._compiled.compiler)
        compiler.connection = connections[using or DEFAULT_DB_ALIAS]
        sql, params = self._sql, self._params

        def as_sql(*args, **kwargs):
            if sql is None:
                raise EmptyResultSet
            return sql, params

        compiler.as_sql = as_sql
        return compiler

    def chain(self, *args, **kwargs):
        raise TypeError("a prepared query is read as it is; change its builder instead")

    clone = chain
    get_count = chain

    def __getattr__(self, name):
        return getattr(self._compiled.queryset.query, name)


class Prepared:
    """`build(*shape, **values)`, compiled once per shape on PostgreSQL. Call it for the list of
    results; `sql()` gives the bound SQL and parameters for wrapping (a count, a page)."""

    LIMIT = 256  # shapes per query: a handful each; a bound all the same

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._shapes: dict[tuple, _Compiled] = {}

    def _compiled(self, shape: tuple, values: dict) -> _Compiled | None:
        using = DEFAULT_DB_ALIAS
        if connections[using].vendor != "postgresql":
            return None
        key = (using, shape)
        compiled = self._shapes.get(key)
        if compiled is None:
            if any(_stand_in(value, 0) is None for value in values.values()):
                return None
            if len(self._shapes) >= self.LIMIT:
                self._shapes.clear()
            compiled = self._shapes[key] = _Compiled(self.build, shape, values)
        if values.keys() != compiled.stand_ins.keys() or not all(
            _same_kind(values[name], stand_in) for name, stand_in in compiled.stand_ins.items()
        ):
            return None  # this call's values, not the shape's SQL, are what the ORM must take
        return compiled

    def __call__(self, *shape, once: bool = True, **values) -> list:
        compiled = self._compiled(shape, values) if once else None
        if compiled is None:
            return list(self.build(*shape, **values))
        # A shallow copy by hand: copy.copy() would pickle-copy the queryset, which evaluates it.
        template = compiled.queryset
        queryset = template.__class__.__new__(template.__class__)
        queryset.__dict__.update(template.__dict__)
        queryset._result_cache = None
        queryset._prefetch_done = False
        # _query, not the query property: its setter would turn a values_list() into values().
        queryset._query = _Bound(compiled, *compiled.bind(values))
        return list(queryset)

    def sql(self, *shape, once: bool = True, **values) -> tuple[str | None, list]:
        """The SQL and parameters of build(*shape, **values); None for SQL when it matches nothing."""
        compiled = self._compiled(shape, values) if once else None
        if compiled is None:
            queryset = self.build(*shape, **values)
            try:
                sql, params = queryset.query.get_compiler(queryset.db).as_sql()
            except EmptyResultSet:
                return None, []
            return sql, list(params)
        return compiled.bind(values)
