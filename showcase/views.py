"""Pages of the showcase. Each view says who may see it; reads go through selectors, writes
through services."""

import mimetypes

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from core.forms import add_service_errors
from core.middleware import mark_public
from members import services as member_services
from members.forms import ContactForm
from members.roles import member_of

from . import page_cache, selectors, services, verify_cache
from .access import active_member_or_403
from .forms import (
    PRICE_HELP,
    LabelBatchForm,
    ListingForm,
    PhotosForm,
    ShowcaseFilterForm,
    StorefrontForm,
    package_formset,
)
from .models import LABELS_PER_SHEET, MAX_PHOTOS
from .qr import qr_svg
from .structured_data import json_ld, listing_data

PAGE_SIZE = 12


# --- public pages -------------------------------------------------------------------------------


@require_GET
def showcase(request):
    """Public: the listed products of active members; filters, Persian search, pages."""
    form = ShowcaseFilterForm(request.GET or None)

    def render_page(csrf_token):
        filters = form.cleaned_data if form.is_valid() else {}
        listings = selectors.showcase_search(
            query=filters.get("q", ""),
            product=filters.get("product"),
            county=filters.get("county", ""),
            kind=filters.get("kind", ""),
            licensed=bool(filters.get("licensed")),
        )
        page = Paginator(listings, PAGE_SIZE).get_page(request.GET.get("page"))
        query_string = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
        return render_to_string(
            "showcase/list.html",
            {"form": form, "page": page, "query_string": query_string, "csrf_token": csrf_token},
            request=request,
        )

    return page_cache.cached_page(request, render_page)


def _detail_context(request, listing, form):
    photos = list(listing.photos.all())
    packages = list(listing.packages.all())
    place = selectors.where_to_buy(listing)
    absolute = request.build_absolute_uri
    return {
        "listing": listing,
        "member": listing.member,
        "photos": photos,
        "packages": packages,
        "place": place,
        "form": form,
        "canonical_url": absolute(listing.get_absolute_url()),
        "og_image": absolute(photos[0].get_absolute_url()) if photos else "",
        "json_ld": json_ld(
            listing_data(listing=listing, absolute=absolute, photos=photos, packages=packages, place=place)
        ),
        "today": timezone.localdate(),
    }


@require_GET
def detail(request, pk):
    """Public: one listed product with its photos, box sizes, licence state and where to buy."""

    def render_page(csrf_token):
        listing = selectors.listing_public_or_404(pk)
        context = _detail_context(request, listing, ContactForm(user=request.user))
        return render_to_string("showcase/detail.html", {**context, "csrf_token": csrf_token}, request=request)

    return page_cache.cached_page(request, render_page)


@require_POST
@ratelimit(key="user_or_ip", rate="5/h", method="POST", block=True)
def contact(request, pk):
    """Public: write to the producer through the portal's contact relay (the members app's
    messages: neither side sees the other's number). Rate-limited."""
    listing = selectors.listing_public_or_404(pk)
    form = ContactForm(request.POST, user=request.user)
    if form.is_valid():
        with translation.override(settings.LANGUAGE_CODE):  # what the producer reads
            about = _("About “%(product)s”:") % {"product": listing.name}
        member_services.contact_message_send(
            member=listing.member,
            sender_user=request.user,
            sender_name=form.cleaned_data["sender_name"],
            sender_mobile=form.cleaned_data.get("sender_mobile", ""),
            body=f"{about}\n{form.cleaned_data['body']}",
        )
        messages.success(request, _("Your message was sent. The producer will answer through the portal."))
        return redirect(listing.get_absolute_url())
    return render(request, "showcase/detail.html", _detail_context(request, listing, form))


@require_GET
def photo(request, pk, variant):
    """A listing's photo: public for public listings; otherwise the member's own users and staff."""
    if variant not in ("full", "thumb"):
        raise Http404
    item = selectors.photo_for_user_or_404(pk=pk, user=request.user, member=member_of(request.user))
    field = item.thumbnail if variant == "thumb" else item.image
    content_type = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    response = FileResponse(field.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if item.is_public:
        return mark_public(response, max_age=3600)  # the same for everybody
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def verify(request, code):
    """Public: the page a box's QR code opens. Tiny (its own template and CSS, no JavaScript,
    no web font), never kept by browsers or proxies, sets no cookie and stores nothing about the
    scanner: one read and one counter for the month. With the shared cache the rendered page is
    kept there until anything it shows changes or the day ends (showcase.verify_cache): a scan
    is then one round trip to the cache for the page and one for the counter, no database."""
    today = timezone.localdate()
    language = translation.get_language()
    entry_key = verify_cache.key(code, today=today, language=language) if verify_cache.enabled() else None
    entry = None
    if entry_key is not None:
        tokens, entry = verify_cache.read(entry_key)
    if entry is not None:
        code_id, html = entry
        status = 200
    else:
        code_id, html = _verify_render(code, today=today, language=language)
        status = 200 if code_id is not None else 404
        if entry_key is not None and code_id is not None:
            verify_cache.store(entry_key, code_id=code_id, html=html, tokens=tokens)
    if code_id is not None:
        services.box_code_scan_count(code_id=code_id, today=today)
    response = HttpResponse(html, status=status)
    response["Cache-Control"] = "private, no-store"  # never kept: it can turn red at any moment
    response["X-Robots-Tag"] = "noindex"
    return response


def _verify_render(code, *, today, language):
    """(the code's id or None when unknown, the page's HTML), from the database."""
    row = selectors.box_code_for_scan(code, today=today)
    context = {"LANGUAGE_CODE": language, "LANGUAGE_BIDI": translation.get_language_bidi(), "today": today}
    if row is not None:
        context.update(
            code=row,
            listing=row.listing,
            member=row.listing.member,
            product=row.listing.product,
            verdict=selectors.verdict(row),
        )
    # Rendered without the request: no context processor, no session, no CSRF cookie.
    return (row.pk if row is not None else None), get_template(verify_cache.TEMPLATE).render(context)


# --- the member's own pages ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def mine(request):
    """Users of an active member: their storefront settings and listings, with scans."""
    member = active_member_or_403(request)
    storefront = selectors.member_storefront(member)
    form = StorefrontForm(request.POST or None, instance=storefront, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.storefront_save(member=member, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your showcase settings were saved."))
            return redirect("showcase:mine")
    return render(
        request,
        "showcase/mine.html",
        {
            "member": member,
            "storefront": storefront,
            "form": form,
            "listings": selectors.member_listings(member=member),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def listing_create(request):
    """Users of an active member add a product to the showcase."""
    member = active_member_or_403(request)
    form = ListingForm(request.POST or None, request.FILES or None, initial={"is_published": True})
    formset = package_formset(data=request.POST or None)
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            try:
                listing = services.listing_create(
                    member=member,
                    actor=request.user,
                    data=form.listing_data(),
                    packages=formset.packages(),
                    photos=form.cleaned_data.get("photos") or [],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your product is in the showcase."))
                return redirect("showcase:listing_edit", pk=listing.pk)
        return render(
            request,
            "showcase/listing_form.html",
            {"form": form, "formset": formset, "creating": True, "price_help": PRICE_HELP},
            status=400,
        )
    return render(
        request,
        "showcase/listing_form.html",
        {"form": form, "formset": formset, "creating": True, "price_help": PRICE_HELP},
    )


@login_required
@require_http_methods(["GET", "POST"])
def listing_edit(request, pk):
    """Users of the listing's member edit it and manage its photos (another member's → 404)."""
    member = active_member_or_403(request)
    listing = selectors.own_listing_or_404(member=member, pk=pk)
    form = ListingForm(request.POST or None, instance=listing, with_photos=False)
    formset = package_formset(data=request.POST or None, listing=listing)
    status = 200
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            try:
                services.listing_update(
                    listing=listing, actor=request.user, data=form.listing_data(), packages=formset.packages()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your product was saved."))
                return redirect("showcase:listing_edit", pk=listing.pk)
        status = 400
    return render(
        request,
        "showcase/listing_form.html",
        {
            "form": form,
            "formset": formset,
            "listing": listing,
            "photos": list(listing.photos.all()),
            "photos_form": PhotosForm(),
            "max_photos": MAX_PHOTOS,
            "price_help": PRICE_HELP,
        },
        status=status,
    )


@login_required
@require_POST
def photos_add(request, pk):
    member = active_member_or_403(request)
    listing = selectors.own_listing_or_404(member=member, pk=pk)
    form = PhotosForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.listing_photos_add(listing=listing, actor=request.user, photos=form.cleaned_data["photos"])
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
    else:
        messages.success(request, _("The photos were added."))
    return redirect(reverse("showcase:listing_edit", args=[listing.pk]) + "#photos")


@login_required
@require_POST
def photo_delete(request, pk, photo_id):
    member = active_member_or_403(request)
    listing = selectors.own_listing_or_404(member=member, pk=pk)
    services.listing_photo_delete(photo=selectors.own_photo_or_404(listing=listing, pk=photo_id), actor=request.user)
    messages.success(request, _("The photo was removed."))
    return redirect(reverse("showcase:listing_edit", args=[listing.pk]) + "#photos")


@login_required
@require_POST
def photo_move(request, pk, photo_id):
    member = active_member_or_403(request)
    listing = selectors.own_listing_or_404(member=member, pk=pk)
    item = selectors.own_photo_or_404(listing=listing, pk=photo_id)
    services.listing_photo_move(photo=item, actor=request.user, direction=request.POST.get("direction", ""))
    return redirect(reverse("showcase:listing_edit", args=[listing.pk]) + "#photos")


@login_required
@require_http_methods(["GET", "POST"])
def labels(request, pk):
    """Users of the listing's member print QR labels and see each sheet's scans."""
    member = active_member_or_403(request)
    listing = selectors.own_listing_or_404(member=member, pk=pk)
    form = LabelBatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.label_batch_create(listing=listing, actor=request.user, sheets=form.cleaned_data["sheets"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("showcase:batch_print", batch_id=batch.pk)
    return render(
        request,
        "showcase/labels.html",
        {"listing": listing, "form": form, "batches": selectors.listing_batches(listing=listing)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def batch_detail(request, batch_id):
    member = active_member_or_403(request)
    batch = selectors.own_batch_or_404(member=member, pk=batch_id)
    codes, by_month = selectors.batch_codes_with_scans(batch=batch)
    return render(request, "showcase/batch.html", {"batch": batch, "codes": codes, "by_month": by_month})


@login_required
@require_GET
def batch_print(request, batch_id):
    """A print-ready A4 page: LABELS_PER_SHEET labels a sheet, a QR code on each."""
    member = active_member_or_403(request)
    batch = selectors.own_batch_or_404(member=member, pk=batch_id)
    codes = list(batch.codes.filter(revoked_at__isnull=True).order_by("id"))
    labels_ = [{"code": code, "svg": qr_svg(request.build_absolute_uri(code.get_absolute_url()))} for code in codes]
    sheets = [labels_[i : i + LABELS_PER_SHEET] for i in range(0, len(labels_), LABELS_PER_SHEET)]
    return render(
        request,
        "showcase/labels_print.html",
        {"batch": batch, "listing": batch.listing, "member": member, "sheets": sheets},
    )


@login_required
@require_POST
def batch_revoke(request, batch_id):
    member = active_member_or_403(request)
    batch = selectors.own_batch_or_404(member=member, pk=batch_id)
    count = services.box_codes_revoke(codes=batch.codes.select_related("listing"), actor=request.user)
    messages.success(request, _("%(count)s codes were withdrawn.") % {"count": count})
    return redirect("showcase:batch_detail", batch_id=batch.pk)


@login_required
@require_POST
def code_revoke(request, code_id):
    member = active_member_or_403(request)
    code = selectors.own_code_or_404(member=member, pk=code_id)
    services.box_codes_revoke(codes=[code], actor=request.user)
    messages.success(request, _("The code was withdrawn: its page now says so."))
    return redirect("showcase:batch_detail", batch_id=code.batch_id)
