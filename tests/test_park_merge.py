"""Merging parks in admin: a permission of its own, never a registry zone, audited, undoable."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.test import Client

from archive.models import Article, Correction, Park, ParkMerge
from tests.test_admin import COPY_NAME, admin_client_logged_in, page_copy  # noqa: F401

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/archive/park/"


@pytest.fixture
def corrector_client() -> Client:
    corrector = User.objects.create_user("corrector", password="pw", is_staff=True)
    corrector.groups.add(Group.objects.get(name="corrector"))
    client = Client()
    client.force_login(corrector)
    return client


def duplicate_of(target: Park, page_article: Article) -> Park:
    """A zone a page named that the registry lacks, holding one of target's articles."""
    duplicate = Park.objects.create(
        name="德阳市高新区", slug="deyang-dup", in_registry=False, aliases="德阳新区"
    )
    page_article.park = duplicate
    page_article.save()
    page_article.parks.add(duplicate)
    return duplicate


def merge(client: Client, parks: list[Park], into: Park):
    return client.post(
        CHANGELIST,
        {"action": "merge_into", "_selected_action": [p.pk for p in parks], "into": into.pk},
    )


def test_it_does_not_offer_a_corrector_the_merge(corrector_client: Client) -> None:
    duplicate = Park.objects.create(name="某某高新区", slug="mou-dup", in_registry=False)
    target = Park.objects.get(name="德阳高新区")
    form = corrector_client.get(CHANGELIST).context["action_form"]
    actions = [name for name, _ in form.fields["action"].choices] if form else []
    assert "merge_into" not in actions
    merge(corrector_client, [duplicate], target)
    assert Park.objects.filter(pk=duplicate.pk).exists()
    assert not ParkMerge.objects.exists()


def test_a_corrector_cannot_merge_or_delete_a_registry_zone(corrector_client: Client) -> None:
    registry = Park.objects.get(name="石嘴山高新区")
    target = Park.objects.get(name="德阳高新区")
    merge(corrector_client, [registry], target)
    response = corrector_client.post(f"/admin/archive/park/{registry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    corrector_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [registry.pk], "post": "yes"}
    )
    assert Park.objects.filter(pk=registry.pk).exists()


def test_nobody_merges_or_deletes_a_registry_zone_away(admin_client_logged_in: Client) -> None:  # noqa: F811
    registry = Park.objects.get(name="石嘴山高新区")
    target = Park.objects.get(name="德阳高新区")
    response = merge(admin_client_logged_in, [registry], target)
    assert response.status_code == 302
    messages = [str(m) for m in admin_client_logged_in.get(CHANGELIST).context["messages"]]
    assert any("登记在册的园区不能被合并掉:石嘴山高新区" in m for m in messages)
    response = admin_client_logged_in.post(
        f"/admin/archive/park/{registry.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    admin_client_logged_in.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [registry.pk], "post": "yes"}
    )
    assert Park.objects.filter(pk=registry.pk).exists()
    assert Client().get("/parks/shizuishan/").status_code == 200
    assert not ParkMerge.objects.exists()


def test_a_user_with_the_merge_permission_only_may_merge(corrector_client: Client) -> None:
    user = User.objects.get(username="corrector")
    user.user_permissions.add(Permission.objects.get(codename="merge_park"))
    duplicate = Park.objects.create(name="某某高新区", slug="mou-dup", in_registry=False)
    target = Park.objects.get(name="德阳高新区")
    client = Client()
    client.force_login(user)
    assert merge(client, [duplicate], target).status_code == 302
    assert not Park.objects.filter(pk=duplicate.pk).exists()
    assert ParkMerge.objects.get().user == user


def test_a_staff_merge_is_audited_and_undone_exactly(
    page_copy, admin_client_logged_in: Client  # noqa: F811
) -> None:
    client = admin_client_logged_in
    target = Park.objects.get(name="德阳高新区")
    aliases_before = target.aliases
    article = Article.objects.filter(page__source__endswith=COPY_NAME, park=target).first()
    duplicate = duplicate_of(target, article)
    slug, pk = duplicate.slug, duplicate.pk

    assert merge(client, [duplicate], target).status_code == 302

    article.refresh_from_db()
    assert article.park == target
    assert not Park.objects.filter(pk=pk).exists()
    log = ParkMerge.objects.get()
    assert (log.duplicate_name, log.into, log.user) == ("德阳市高新区", target, client.user)
    assert article.pk in log.moved["about"]
    audit = Correction.objects.get(article=article, field="merge")
    assert (audit.old_value, audit.new_value) == ("德阳市高新区", "德阳高新区")
    assert audit.user == client.user
    # A merge is not a correction of extraction: re-ingest may still relink the article.
    assert "merge" not in article.corrected_fields
    entries = LogEntry.objects.filter(user=client.user)
    assert entries.filter(action_flag=DELETION, object_id=str(pk)).exists()
    assert entries.filter(action_flag=CHANGE, object_id=str(target.pk)).exists()
    assert Client().get(f"/parks/{slug}/").status_code == 404

    response = client.post(
        "/admin/archive/parkmerge/", {"action": "undo", "_selected_action": [log.pk]}
    )
    assert response.status_code == 302

    restored = Park.objects.get(pk=pk)
    assert (restored.name, restored.slug, restored.aliases) == ("德阳市高新区", slug, "德阳新区")
    assert not restored.in_registry
    article.refresh_from_db()
    assert article.park == restored
    assert restored in article.parks.all()
    assert Park.objects.get(pk=target.pk).aliases == aliases_before
    assert ParkMerge.objects.get().undone_at is not None
    assert Correction.objects.filter(article=article, field="merge").count() == 2
    assert Client().get(f"/parks/{slug}/").status_code == 200
    # Undone once: a second undo changes nothing.
    client.post("/admin/archive/parkmerge/", {"action": "undo", "_selected_action": [log.pk]})
    assert Park.objects.filter(name="德阳市高新区").count() == 1
