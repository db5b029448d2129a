"""schema.org data (JSON-LD) and Open Graph values for a listing's public page. The JSON-LD is
a data block (<script type="application/ld+json">): browsers never run it, so the strict CSP
stays as it is; `<`, `>` and `&` are escaped so that no text can close the element."""

import json

from django.utils.safestring import mark_safe

from members.models import Member

_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data: dict) -> str:
    return mark_safe(json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES))  # noqa: S308


def listing_data(*, listing, absolute, photos, packages, place) -> dict:
    """A schema.org Product made by a LocalBusiness (a guild member's shop with its address
    and hours; a home producer with its county only). Offers only for the member's own prices."""
    member = listing.member
    business = {
        "@type": "LocalBusiness",
        "name": member.business_name,
        "address": {
            "@type": "PostalAddress",
            "addressLocality": place["county"],
            "addressRegion": "Qazvin",
            "addressCountry": "IR",
        },
    }
    if member.kind == Member.Kind.GUILD and place.get("address"):
        business["address"]["streetAddress"] = place["address"]
    if member.kind == Member.Kind.GUILD and place.get("opening_hours"):
        business["openingHours"] = place["opening_hours"]
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": listing.name,
        "url": absolute(listing.get_absolute_url()),
        "category": listing.product.name,
        "brand": {"@type": "Brand", "name": member.brand or member.business_name},
        "manufacturer": business,
    }
    if listing.description:
        data["description"] = listing.description
    if photos:
        data["image"] = [absolute(photo.get_absolute_url()) for photo in photos]
    if packages:
        data["weight"] = {"@type": "QuantitativeValue", "value": packages[0].net_grams, "unitCode": "GRM"}
    offers = [
        {
            "@type": "Offer",
            "name": package.label,
            "price": str(package.retail_price_rial),
            "priceCurrency": "IRR",
            "availability": "https://schema.org/InStock",
            "seller": {"@type": "LocalBusiness", "name": member.business_name},
        }
        for package in packages
        if package.retail_price_rial
    ]
    if offers:
        data["offers"] = offers
    return data
