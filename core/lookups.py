"""Query building blocks the ORM does not offer directly."""

from django.db.models import F, Lookup


class AnyOf(Lookup):
    """`column = ANY(ARRAY(subquery))` on PostgreSQL, `column IN (subquery)` elsewhere.

    Inside an OR, PostgreSQL runs `IN (subquery)` as a filter on every row of a sequential scan;
    `= ANY(ARRAY(subquery))` runs the subquery once, first, and leaves an array an index can
    look up, so the whole OR becomes a bitmap of index scans. The visibility rule is such an
    OR: for someone who sees a few thousand of 100,000 requests it is the difference between
    reading the table and reading their rows.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def __init__(self, column: str, subquery):
        super().__init__(F(column), subquery)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)


class AnyOfList(Lookup):
    """`column = ANY(%s)`, the values passed as one array parameter (PostgreSQL only).

    Unlike `IN (%s, %s, …)` the statement does not grow with the list, and unlike AnyOf's
    `ANY(ARRAY(subquery))`, whose length PostgreSQL cannot know when it plans (it assumes ten),
    the planner sees how many values there are and can weigh an index scan for each against
    intersecting their index bitmap with another one.
    """

    lookup_name = "any_of_list"
    prepare_rhs = False

    def __init__(self, column: str, values):
        super().__init__(F(column), list(values))

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, self.rhs)
