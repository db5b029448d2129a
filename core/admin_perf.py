"""What the admin change lists of big tables share (members, price submissions, permits):
no full-table count, no count per filter choice, 50 rows a page, and the row checkbox written
directly instead of through the form-widget template (≈1 ms a row: half of a page's time)."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .paginators import LargeTablePaginator


class LargeTableAdminMixin:
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = LargeTablePaginator
    list_per_page = 50

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        """The same markup as ModelAdmin.action_checkbox (a CheckboxInput widget)."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(_("Select this object for an action - {}"), str(obj)),
        )
