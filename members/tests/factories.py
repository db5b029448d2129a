"""Test data for the members app: real objects through the real services."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.uploads import clean_image
from members import services
from members.demo import national_id
from members.models import County, Member

_counter = {"n": 0}


def png_upload(name="logo.png", size=(300, 200), colour="#b5651d", fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}[fmt]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def give_logo(member):
    services._save_logo(member, clean_image(png_upload()))
    member.save()
    return member


def next_n():
    _counter["n"] += 1
    return _counter["n"]


def member_data(**overrides):
    n = overrides.pop("n", None) or next_n()
    data = {
        "kind": Member.Kind.GUILD,
        "business_name": f"شیرینی نمونه {n}",
        "brand": f"نمونه {n}",
        "owner_name": f"مالک {n}",
        "owner_national_id": national_id(300000000 + n),
        "legal_entity_id": "",
        "mobile": f"0914{n:07d}",
        "landline": "",
        "county": County.QAZVIN,
        "address": f"قزوین، کوچه {n}",
        "postal_code": "3413845678",
        "guild_licence_number": f"LIC-{n:05d}",
        "directory_opt_in": True,
        "contact_public": True,
    }
    data.update(overrides)
    return data


def apply_member(*, products=(), logo=None, user_mobile=None, **overrides):
    data = member_data(**overrides)
    return services.member_apply(
        member_data=data,
        products=list(products),
        user_data={
            "mobile": user_mobile or data["mobile"],
            "full_name": data["owner_name"],
            "email": "",
            "password": "test-pass-1405",
        },
        logo=logo,
    )


def active_member(*, actor=None, **overrides):
    member = apply_member(**overrides)
    return services.member_approve(member=member, actor=actor)
