"""Cluster news that the estates staff publish on the home page, and the estates company's
contact details shown beside them."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NewsItemQuerySet(models.QuerySet):
    def published(self):
        """Items a visitor may read: published, and not dated in the future."""
        return self.filter(is_published=True, published_on__lte=timezone.localdate())


class NewsItem(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=5000)
    published_on = models.DateField(_("date"), default=timezone.localdate)
    is_published = models.BooleanField(
        _("published"), default=True, help_text=_("Unpublished items are kept but no visitor sees them.")
    )
    pinned = models.BooleanField(_("pinned"), default=False, help_text=_("Pinned items come first on the home page."))
    image = models.ImageField(_("image"), upload_to="news/", blank=True, max_length=200)
    image_thumbnail = models.ImageField(upload_to="news/thumbs/", blank=True, editable=False, max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = NewsItemQuerySet.as_manager()

    class Meta:
        ordering = ["-pinned", "-published_on", "-id"]
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        indexes = [models.Index(fields=["is_published", "-pinned", "-published_on", "-id"], name="news_listing")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("news:detail", args=[self.pk])


class ContactDetails(models.Model):
    """The estates company's contact details: one record, kept by the staff in the admin."""

    organisation = models.CharField(_("organisation"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    office_hours = models.CharField(_("office hours"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("contact details")
        verbose_name_plural = _("contact details")

    def __str__(self):
        return self.organisation
