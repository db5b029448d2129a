"""Admin change lists of big tables (price submissions, permits) without a full-table count."""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class LargeTablePaginator(Paginator):
    """Unfiltered, a change list counts its rows from PostgreSQL's statistics (`reltuples`,
    kept fresh by autovacuum) instead of `COUNT(*)` over the whole table; filtered or searched
    lists, small tables and other databases count exactly.

    Use in a ModelAdmin: `paginator = LargeTablePaginator` with `show_full_result_count = False`."""

    estimate_above = 10_000

    @cached_property
    def count(self):
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is not None and not query.where and not query.combinator:
            connection = connections[queryset.db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                        [connection.ops.quote_name(queryset.model._meta.db_table)],
                    )
                    row = cursor.fetchone()
                if row and row[0] > self.estimate_above:
                    return row[0]
        return super().count
