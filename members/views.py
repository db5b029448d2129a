"""Pages of the members app. Each view says who may see it; reads go through selectors,
writes through services."""

import hashlib
import logging
import mimetypes

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from core import fragment_cache, phone_codes
from core.middleware import mark_public
from core.persian import normalize_digits_only

from . import dashboard_cache, join_flow, roles, selectors, services
from .access import active_member_or_403, own_member_or_403, owner_member_or_403
from .extensions import dashboard_section_providers
from .forms import (
    ChangeRequestForm,
    ColleagueInviteForm,
    ContactForm,
    ContactReplyForm,
    DirectoryFilterForm,
    InvitationAcceptForm,
    MemberProfileForm,
    MembershipApplicationForm,
)
from .models import County, Member, User

logger = logging.getLogger(__name__)

DIRECTORY_PAGE_SIZE = 12
DIRECTORY_CACHE_SECONDS = 60


def _form_error(form, error: ValidationError):
    for message in error.messages:
        form.add_error(None, message)


# --- application ----------------------------------------------------------------------------


def _signed_in_target(request):
    return "members:dashboard" if roles.member_of(request.user) else "home"


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="20/h", method="POST", block=True)
def join(request):
    """Anonymous visitors apply; signed-in users are sent to their dashboard or home. A valid
    application is kept (session) while the applicant's number is verified by SMS code."""
    if request.user.is_authenticated:
        return redirect(_signed_in_target(request))
    state = join_flow.pending(request)
    options = {"kept_password": bool(state.get("password_hash")), "kept_logo": bool(state.get("logo"))}
    status = 200
    if request.method == "POST":
        form = MembershipApplicationForm(request.POST, request.FILES, **options)
        valid = form.is_valid()
        if form.clean_logo_file is not None:  # a good logo is kept even when another field is wrong
            join_flow.keep_logo(request, form.clean_logo_file)
            form["logo"].help_text = _("Your logo is kept. Choose a file only to replace it.")
        if valid:
            previous_mobile = state.get("mobile")
            state = join_flow.keep_form(request, form)
            if join_flow.is_verified(state):
                return _join_complete(request, state)
            try:
                join_flow.send_code(request, state["mobile"])
            except phone_codes.CodeRefused as refused:
                if refused.reason == "resend" and previous_mobile == state["mobile"]:
                    return redirect("members:join_verify")  # the code sent a moment ago is live
                form.add_error("user_mobile", refused.message)
                status = 429
            else:
                return redirect("members:join_verify")
    else:
        form = MembershipApplicationForm(initial=join_flow.initial(state), **options)
    return render(
        request,
        "members/join.html",
        {"form": form, "waiting_mobile": state.get("mobile") if state.get("data") else None},
        status=status,
    )


def _join_complete(request, state):
    """The number is verified: send the application kept in the session."""
    form = MembershipApplicationForm(join_flow.typed_data(state), kept_password=True, kept_logo=bool(state.get("logo")))
    if form.is_valid() and form.cleaned_data["user_mobile"] == state.get("mobile"):
        try:
            member = services.member_apply(
                member_data=form.member_data(),
                products=form.cleaned_data.get("products") or [],
                user_data=form.user_data(password_hash=state.get("password_hash", "")),
                logo=join_flow.kept_logo(state),
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            join_flow.finish(request)
            user = member.user_links.get().user
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your application was received. The estates staff will review it soon."))
            return redirect("members:dashboard")
    # Something changed while the code was on its way (another application took the national
    # ID, say): the form again, as typed, with the reason; the number stays verified.
    return render(request, "members/join.html", {"form": form, "waiting_mobile": None})


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
def join_verify(request):
    """Anonymous visitors with an application waiting: type the SMS code sent to their number,
    or ask for a new one. The application is sent as soon as the code is right."""
    if request.user.is_authenticated:
        return redirect(_signed_in_target(request))
    state = join_flow.pending(request)
    if not state.get("data"):
        return redirect("members:join")
    mobile = state["mobile"]
    if join_flow.is_verified(state):
        return _join_complete(request, state)
    if request.method == "POST" and "resend" in request.POST:
        try:
            join_flow.send_code(request, mobile)
        except phone_codes.CodeRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("A new code was sent."))
        return redirect("members:join_verify")
    form = phone_codes.PhoneCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = phone_codes.code_check(purpose=join_flow.PURPOSE, mobile=mobile, code=form.cleaned_data["code"])
        if result.ok:
            return _join_complete(request, join_flow.mark_verified(request))
        form.add_error("code", result.message)
    return render(
        request,
        "members/join_verify.html",
        {
            "form": form,
            "mobile": mobile,
            "status": phone_codes.code_status(purpose=join_flow.PURPOSE, mobile=mobile),
            "business_name": (state["data"].get("business_name") or [""])[0],
            "change_url": reverse("members:join"),
        },
    )


# --- dashboard and self-service -------------------------------------------------------------


def _dashboard_sections(request, member, csrf_token) -> list[dict]:
    """Sections the other apps registered (members.extensions.register_dashboard_section)."""
    sections = []
    for provider in dashboard_section_providers():
        section = provider(request=request, member=member)
        if section:
            context = {**(section.get("context") or {}), "csrf_token": csrf_token}
            section["html"] = render_to_string(section["template"], context, request=request)
            sections.append(section)
    return sorted(sections, key=lambda section: section.get("order", 100))


@login_required
@require_GET
def dashboard(request):
    """A member's users: status, membership number, the apps' sections, messages, colleagues.
    An applicant sees only that the application awaits approval. Cached per user and member
    (members/dashboard_cache.py: never shown to anybody else, renewed by their writes)."""
    html = dashboard_cache.cached_html(request)
    if html is not None:
        return HttpResponse(html)
    member = own_member_or_403(request)
    if member.status == Member.Status.APPLIED:
        return render(request, "members/awaiting.html", {"member": member})

    def render_page(csrf_token):
        context = {
            "member": member,
            "csrf_token": csrf_token,
            **selectors.member_dashboard_lists(member=member, user=request.user),
        }
        if member.status == Member.Status.REJECTED:
            return render_to_string("members/rejected.html", context, request=request)
        context["sections"] = _dashboard_sections(request, member, csrf_token) if member.is_active_member else []
        context["reply_form"] = ContactReplyForm()
        context["invite_form"] = ColleagueInviteForm()
        return render_to_string("members/dashboard.html", context, request=request)

    return HttpResponse(dashboard_cache.cached_page(request, member=member, render=render_page))


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    """Active members' users edit the profile (identity fields are locked)."""
    member = active_member_or_403(request)
    form = MemberProfileForm(request.POST or None, request.FILES or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update_profile(
                member=member,
                actor=request.user,
                data=form.profile_data(),
                products=list(form.cleaned_data.get("products") or []),
                logo=form.clean_logo_file,
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect("members:dashboard")
    member.refresh_from_db()
    return render(request, "members/edit.html", {"form": form, "member": member})


@login_required
@require_http_methods(["GET", "POST"])
def change_request(request):
    """Active members' users ask the staff to correct a locked identity field."""
    member = active_member_or_403(request)
    form = ChangeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_request_change(
                member=member,
                actor=request.user,
                field=form.cleaned_data["field"],
                new_value=form.cleaned_data["new_value"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Your change request was sent to the staff."))
            return redirect("members:dashboard")
    return render(request, "members/change_request.html", {"form": form, "member": member})


@login_required
@require_http_methods(["GET", "POST"])
def colleague_invite(request):
    """The owner of an active member invites a colleague by mobile number."""
    member = owner_member_or_403(request)
    form = ColleagueInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_invite_colleague(
                member=member,
                actor=request.user,
                mobile=form.cleaned_data["mobile"],
                full_name=form.cleaned_data["full_name"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The invitation was sent by SMS."))
            return redirect(reverse("members:dashboard") + "#colleagues")
    return render(request, "members/colleague_invite.html", {"form": form, "member": member})


@login_required
@require_POST
def colleague_remove(request, pk):
    """The owner removes a colleague of their own member (another member's link → 404)."""
    member = owner_member_or_403(request)
    link = selectors.member_colleague_link_or_404(member=member, pk=pk)
    try:
        services.member_remove_colleague(member=member, actor=request.user, link=link)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s no longer acts for the business.") % {"name": link.user.full_name})
    return redirect(reverse("members:dashboard") + "#colleagues")


@login_required
@require_POST
def invitation_cancel(request, pk):
    """The owner withdraws an invitation of their own member (another member's → 404)."""
    member = owner_member_or_403(request)
    invitation = selectors.member_invitation_or_404(member=member, pk=pk)
    services.invitation_cancel(invitation=invitation, actor=request.user)
    messages.success(request, _("The invitation was withdrawn."))
    return redirect(reverse("members:dashboard") + "#colleagues")


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="20/h", method="POST", block=True)
def invitation_accept(request, token):
    """Whoever holds the link: a new colleague creates an account; a signed-in user with the
    invited number joins; anyone else gets 404."""
    invitation = selectors.open_invitation_or_404(token)
    user = request.user if request.user.is_authenticated else None
    if user is not None and user.mobile != invitation.mobile:
        raise Http404
    form = InvitationAcceptForm(
        request.POST or None, mobile=invitation.mobile, initial={"full_name": invitation.full_name}
    )
    if user is not None:
        form = None
    existing_account = user is None and User.objects.filter(mobile=invitation.mobile).exists()
    if request.method == "POST" and not existing_account and (form is None or form.is_valid()):
        try:
            link = services.invitation_accept(
                invitation=invitation,
                user=user,
                full_name=form.cleaned_data["full_name"] if form else "",
                password=form.cleaned_data["password1"] if form else "",
            )
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
            else:
                _form_error(form, error)
        else:
            if user is None:
                login(request, link.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("You now act for %(name)s.") % {"name": invitation.member.business_name})
            return redirect("members:dashboard")
    return render(
        request,
        "members/invitation_accept.html",
        {"invitation": invitation, "form": form, "existing_account": existing_account},
    )


@login_required
@require_POST
def message_reply(request, pk):
    """A member's users answer a message sent through the directory (another member's → 404)."""
    member = active_member_or_403(request)
    message = selectors.member_message_or_404(member=member, pk=pk)
    form = ContactReplyForm(request.POST)
    if form.is_valid():
        services.contact_message_reply(message=message, actor=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Your reply was sent through the portal."))
    else:
        messages.error(request, _("Write a reply first."))
    return redirect(reverse("members:dashboard") + "#messages")


# --- public directory -----------------------------------------------------------------------


DIRECTORY_QUERY_MAX = 100  # DirectoryFilterForm.q's max_length


def directory_params(request) -> dict[str, str]:
    """The directory's known query parameters, normalised (digits in ASCII, spaces collapsed,
    a page of 1 or an unknown county left out), in a fixed order. Cache keys and every link in a
    cached page are made from these alone: an extra parameter (`?utm_x=…`) never reaches
    another visitor's page nor makes a new cache entry."""
    params = {}
    q = " ".join(request.GET.get("q", "").split())[:DIRECTORY_QUERY_MAX].strip()
    if q:
        params["q"] = q
    product = normalize_digits_only(request.GET.get("product", ""))
    if product.isdigit() and 0 < int(product) < 2**31:
        params["product"] = str(int(product))
    county = request.GET.get("county", "")
    if county in County.values:
        params["county"] = county
    page = normalize_digits_only(request.GET.get("page", ""))
    if page.isdigit() and 1 < int(page) < 100_000:
        params["page"] = str(int(page))
    return params


# A member or a product saved (members.dashboard_cache's table versions) renews the directory.
DIRECTORY_VERSIONS = (
    dashboard_cache.table_version("members.member"),
    dashboard_cache.table_version("catalogue.product"),
)


def directory_keys(language, digest) -> tuple[str, str]:
    """The cache keys of the directory's whole page (visitors) and its body (everybody)."""
    return f"directory:page:{language}:{digest}", f"directory:body:{language}:{digest}"


@require_GET
def directory(request):
    """Public: active members that chose to be listed; filter by product and county.

    The same for every visitor, so cached for DIRECTORY_CACHE_SECONDS per normalised query,
    filters, page and language (and a token renewed whenever a member or product is saved): the
    page's body (filters and results) for everybody, signed in or not; for anonymous visitors the whole page, with this request's CSRF
    token. The page's own address in its links (language switch, log in) is the normalised one
    (`request.canonical_path`, read by the navigation)."""
    params = directory_params(request)
    request.canonical_path = request.path + (f"?{urlencode(params)}" if params else "")
    digest = hashlib.sha256(repr(sorted(params.items())).encode()).hexdigest()[:32]
    whole_page = not request.user.is_authenticated and not len(messages.get_messages(request))
    # The page's body (title, filters as chosen, results) is the same for everybody, signed in
    # or not: only the layout around it (the navigation) is the user's. Both are kept under the
    # member and product tables' tokens, read with them in one round trip.
    page_key, body_key = directory_keys(translation.get_language(), digest)
    tokens, entries = fragment_cache.read(DIRECTORY_VERSIONS, [page_key, body_key] if whole_page else [body_key])
    if page_key in entries:
        return HttpResponse(entries[page_key].replace(dashboard_cache.CSRF_PLACEHOLDER, get_token(request)))
    body_html = entries.get(body_key)
    if body_html is None:
        form = DirectoryFilterForm(params or None)
        filters = form.cleaned_data if form.is_valid() else {}
        members = selectors.directory_members(
            query=filters.get("q", ""), product=filters.get("product"), county=filters.get("county", "")
        )
        page = Paginator(members, DIRECTORY_PAGE_SIZE).get_page(params.get("page"))
        query_string = urlencode({name: value for name, value in params.items() if name != "page"})
        results_html = render_to_string(
            "members/_directory_results.html", {"page": page, "query_string": query_string}, request=request
        )
        body_html = render_to_string(
            "members/_directory_body.html",
            # Rendered by our own template (escaped there).
            {"form": form, "results_html": mark_safe(results_html)},  # noqa: S308  # nosec B308 B703
            request=request,
        )
        fragment_cache.store(body_key, body_html, tokens, DIRECTORY_CACHE_SECONDS)
    # Rendered by our own template (escaped there).
    context = {"body_html": mark_safe(body_html)}  # noqa: S308  # nosec B308 B703
    if not whole_page:
        return render(request, "members/directory.html", context)
    html = render_to_string(
        "members/directory.html", {**context, "csrf_token": dashboard_cache.CSRF_PLACEHOLDER}, request=request
    )
    fragment_cache.store(page_key, html, tokens, DIRECTORY_CACHE_SECONDS)
    return HttpResponse(html.replace(dashboard_cache.CSRF_PLACEHOLDER, get_token(request)))


@require_GET
def directory_detail(request, pk):
    """Public: one listed member; contact details only when the member shows them."""
    member = selectors.directory_member_or_404(pk)
    return render(
        request,
        "members/directory_detail.html",
        {"member": member, "contact": selectors.public_contact(member), "form": ContactForm(user=request.user)},
    )


@require_POST
@ratelimit(key="user_or_ip", rate="5/h", method="POST", block=True)
def contact(request, pk):
    """Public: write to a listed member through the portal (rate-limited)."""
    member = selectors.directory_member_or_404(pk)
    form = ContactForm(request.POST, user=request.user)
    if form.is_valid():
        services.contact_message_send(
            member=member,
            sender_user=request.user,
            sender_name=form.cleaned_data["sender_name"],
            sender_mobile=form.cleaned_data.get("sender_mobile", ""),
            body=form.cleaned_data["body"],
        )
        messages.success(request, _("Your message was sent. The producer will answer through the portal."))
        return redirect(member.get_absolute_url())
    return render(
        request,
        "members/directory_detail.html",
        {"member": member, "contact": selectors.public_contact(member), "form": form},
        status=200,
    )


@require_GET
def logo(request, pk, variant):
    """A member's logo: public for listed members; otherwise the member's own users and staff."""
    field = selectors.member_logo_or_404(pk=pk, user=request.user, variant=variant)
    content_type = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    response = FileResponse(field.open("rb"), content_type=content_type)
    member = field.instance
    listed = member.status == member.Status.ACTIVE and member.directory_opt_in
    # Only a listed member's logo may sit in shared caches; others are for their viewer only.
    if listed:
        mark_public(response, max_age=3600)
    else:
        response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
