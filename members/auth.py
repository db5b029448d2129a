from core.validators import normalize_mobile


def axes_username(request, credentials):
    """Lockouts count per normalised mobile number: «۰۹۱۲…» and «+98912…» are one account."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return normalize_mobile(value)
