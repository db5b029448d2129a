from core.audit import audit_entries_for, audit_record, diff, snapshot
from core.models import AuditEntry


def test_audit_record_keeps_old_and_new_values_and_masks_ids(actors):
    member = actors.a
    before = snapshot(member, ["status", "owner_national_id"])
    member.status = "suspended"
    member.owner_national_id = "0499370899"
    changes = diff(before, snapshot(member, ["status", "owner_national_id"]))
    entry = audit_record(actor=actors.staff, action="member.suspend", instance=member, changes=changes, note="بدهی")
    assert entry.changes == {"status": ["active", "suspended"], "owner_national_id": ["*******679", "*******899"]}
    assert list(audit_entries_for(member)) == [entry]
    assert AuditEntry.objects.get().actor == actors.staff


def test_audit_admin_is_read_only(client_as, actors):
    audit_record(actor=actors.staff, action="x", instance=actors.a)
    entry = AuditEntry.objects.get()
    client = client_as("superuser")
    assert client.get(f"/admin/cluster_portal/auditentry/{entry.pk}/change/").status_code == 200
    assert client.post(f"/admin/cluster_portal/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/cluster_portal/auditentry/add/").status_code == 403
