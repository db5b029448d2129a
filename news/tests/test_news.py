import datetime

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from news import services
from news.admin import NewsItemAdmin
from news.forms import NewsItemForm
from news.models import ContactDetails, NewsItem
from tests.upload_corpus import IMAGE_ATTACKS, jpeg_bytes

pytestmark = pytest.mark.django_db


def _item(title, *, days_ago=0, pinned=False, published=True):
    return NewsItem.objects.create(
        title=title,
        body=f"متن {title}",
        published_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        pinned=pinned,
        is_published=published,
    )


def test_home_shows_pinned_first_then_newest_and_never_unpublished_or_future_items(client):
    _item("قدیمی", days_ago=30)
    _item("تازه", days_ago=1)
    _item("سنجاق‌شده", days_ago=60, pinned=True)
    _item("پیش‌نویس", published=False)
    _item("فردا", days_ago=-1)
    html = client.get(reverse("home")).content.decode()
    titles = [t for t in ("سنجاق‌شده", "تازه", "قدیمی", "پیش‌نویس", "فردا") if t in html]
    assert titles == ["سنجاق‌شده", "تازه", "قدیمی"]
    assert html.index("سنجاق‌شده") < html.index("تازه") < html.index("قدیمی")


def test_archive_pages_ten_items_with_a_constant_number_of_queries(client, django_assert_num_queries):
    for number in range(12):
        _item(f"خبر {number}", days_ago=number)
    with django_assert_num_queries(2):  # the count and the page
        response = client.get(reverse("news:list"))
    assert len(response.context["page"]) == 10
    with django_assert_num_queries(2):
        response = client.get(reverse("news:list"), {"page": 2})
    assert [item.title for item in response.context["page"]] == ["خبر 10", "خبر 11"]


def test_unpublished_item_is_404_for_visitors_and_members_but_shown_to_staff(client, client_as):
    draft = _item("پیش‌نویس", published=False)
    url = reverse("news:detail", args=[draft.pk])
    assert client.get(url).status_code == 404
    assert client_as("member_a").get(url).status_code == 404
    response = client_as("staff").get(url)
    assert response.status_code == 200
    assert "این خبر منتشر نشده است و فقط کارشناسان شرکت شهرک‌ها آن را می‌بینند." in response.content.decode()


def test_detail_page_has_open_graph_tags(client):
    item = _item("نمایشگاه نوروزی")
    html = client.get(reverse("news:detail", args=[item.pk])).content.decode()
    assert '<meta property="og:title" content="نمایشگاه نوروزی">' in html


def _form_data(**extra):
    return {
        "title": "خبر با تصویر",
        "body": "متن",
        "published_on": "1405/09/09",
        "is_published": "on",
        **extra,
    }


def test_staff_publish_with_an_image_through_the_admin_service_audited(actors):
    upload = SimpleUploadedFile("photo.jpg", jpeg_bytes((1200, 800)), content_type="image/jpeg")
    form = NewsItemForm(_form_data(), {"image": upload})
    assert form.is_valid(), form.errors
    item = form.save(commit=False)
    services.news_item_save(item=item, actor=actors.staff, image=form.clean_image_file)
    item.refresh_from_db()
    assert item.published_on == datetime.date(2026, 11, 30)  # 1405/09/09 in the Jalali calendar
    assert item.image.name.startswith("news/") and item.image_thumbnail.name.startswith("news/thumbs/")
    assert storages["default"].exists(item.image.name) and storages["default"].exists(item.image_thumbnail.name)
    entry = AuditEntry.objects.get(action="news.create")
    assert (entry.actor, entry.object_id) == (actors.staff, str(item.pk))


def test_replacing_and_removing_the_image_deletes_the_old_files(actors, django_capture_on_commit_callbacks):
    from core.uploads import clean_image

    def photo():
        return clean_image(SimpleUploadedFile("p.jpg", jpeg_bytes((800, 600)), content_type="image/jpeg"))

    item = services.news_item_save(item=NewsItem(title="الف", body="ب"), actor=actors.staff, image=photo())
    first = [item.image.name, item.image_thumbnail.name]
    with django_capture_on_commit_callbacks(execute=True):
        services.news_item_save(item=item, actor=actors.staff, image=photo())
    assert [storages["default"].exists(name) for name in first] == [False, False]
    second = [item.image.name, item.image_thumbnail.name]
    with django_capture_on_commit_callbacks(execute=True):
        services.news_item_save(item=item, actor=actors.staff, remove_image=True)
    item.refresh_from_db()
    assert (item.image.name, item.image_thumbnail.name) == ("", "")
    assert [storages["default"].exists(name) for name in second] == [False, False]


@pytest.mark.parametrize("attack", IMAGE_ATTACKS, ids=lambda a: a.name)
def test_admin_news_image_refuses_hostile_files(attack):
    form = NewsItemForm(_form_data(), {"image": attack.upload()})
    if attack.name == "polyglot_jpeg_html":  # re-encoded: the HTML tail is gone
        assert form.is_valid(), form.errors
        return
    assert not form.is_valid()
    assert list(form.errors) == ["image"]


def test_news_admin_is_for_staff_only(client_as):
    url = reverse("admin:news_newsitem_changelist")
    assert client_as("staff").get(url).status_code == 200
    assert client_as("member_a").get(url).status_code == 302  # to the admin's login
    assert NewsItemAdmin.has_delete_permission(NewsItemAdmin(NewsItem, None), None) is False


def test_contact_details_stay_one_record(actors):
    services.contact_details_save(details=ContactDetails(organisation="اول"), actor=actors.staff)
    services.contact_details_save(details=ContactDetails(organisation="دوم"), actor=actors.staff)
    assert list(ContactDetails.objects.values_list("organisation", flat=True)) == ["دوم"]
