"""Membership numbers under concurrency: two staff approving at the same moment never get the
same number (the counter row is locked). Needs PostgreSQL (SQLite serialises all writes)."""

import threading

import pytest
from django.db import connection, connections

from members import services
from members.models import Member
from members.tests.factories import apply_member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_concurrent_approvals_get_distinct_consecutive_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    applicants = [apply_member() for _ in range(6)]
    barrier = threading.Barrier(len(applicants))
    errors = []

    def approve(member):
        try:
            barrier.wait()
            services.member_approve(member=member, actor=None)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(m,)) for m in applicants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(
        Member.objects.filter(pk__in=[m.pk for m in applicants]).values_list("membership_number", flat=True)
    )
    assert numbers == list(range(1001, 1007))
