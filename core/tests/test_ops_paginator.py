from django.contrib.auth import get_user_model
from django.db import connection

from core.paginators import LargeTablePaginator

User = get_user_model()


class EstimateAlways(LargeTablePaginator):
    estimate_above = -1


def test_filtered_lists_and_small_tables_count_exactly(db, django_assert_num_queries):
    User.objects.create_user("09150000001", "x-pass-1405", full_name="الف")
    User.objects.create_user("09150000002", "x-pass-1405", full_name="ب")
    assert LargeTablePaginator(User.objects.filter(full_name="الف").order_by("pk"), 20).count == 1
    assert LargeTablePaginator(User.objects.order_by("pk"), 20).count == 2  # small: exact


def test_an_unfiltered_big_table_uses_the_planner_statistics(db):
    for number in range(3):
        User.objects.create_user(f"0915000001{number}", "x-pass-1405", full_name="ج")
    paginator = EstimateAlways(User.objects.order_by("pk"), 20)
    if connection.vendor != "postgresql":
        assert paginator.count == 3  # exact elsewhere
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {User._meta.db_table}")
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [User._meta.db_table])
        estimate = cursor.fetchone()[0]
    assert paginator.count == estimate
