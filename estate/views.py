"""Thin views; who may see each one is stated by its decorator."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from core.money import rial_to_toman
from members.roles import is_active_member, is_estates_staff, member_of

from . import selectors, services
from .access import active_member_required
from .forms import DemandForm


@require_GET
def home(request):
    """Public: the milestones, the register's totals; for members, following and their interest."""
    member = member_of(request.user) if is_active_member(request.user) else None
    context = {
        "milestones": selectors.milestones(),
        "changes": selectors.recent_changes(),
        "summary": selectors.register_summary(),
        "ranking": selectors.published_ranking(),
        "member": member,
    }
    if member is not None:
        context.update(
            following=selectors.is_following(request.user),
            registration=selectors.member_registration(member),
            my_rank=selectors.member_rank(member=member, ranking=context["ranking"]),
        )
    return render(request, "estate/home.html", context)


@active_member_required
@require_POST
def follow(request):
    following = services.estate_follow_set(user=request.user, follow=request.POST.get("follow") == "1")
    if following:
        messages.success(request, _("You follow the estate: you will be told when a milestone moves."))
    else:
        messages.info(request, _("You no longer follow the estate."))
    return redirect("estate:home")


@active_member_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="user_or_ip", rate="20/h", method="POST", block=True)
def interest(request):
    member = member_of(request.user)
    registration = selectors.member_registration(member)
    if request.method == "POST":
        form = DemandForm(request.POST)
        if form.is_valid():
            try:
                services.demand_register(member=member, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your interest in the estate is registered."))
                return redirect("estate:home")
        status = 400
    else:
        initial = {}
        if registration is not None:
            initial = {
                "plot_size_m2": registration.plot_size_m2,
                "workers": registration.workers,
                "readiness": registration.readiness,
                "investment_rial": rial_to_toman(registration.investment_rial)
                if registration.investment_rial
                else None,
                "products": list(registration.products.all()),
                "note": registration.note,
            }
        elif member.workers_count is not None:
            initial = {"workers": member.workers_count, "products": list(member.products.all())}
        form = DemandForm(initial=initial)
        status = 200
    return render(request, "estate/interest.html", {"form": form, "registration": registration}, status=status)


@active_member_required
@require_POST
def withdraw(request):
    try:
        services.demand_withdraw(member=member_of(request.user), actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your interest was withdrawn. You can register again at any time."))
    return redirect("estate:home")


@require_GET
def ranking(request):
    """Public: the published ranking (ranks and points, no names; staff see names; a member's
    own row is marked)."""
    current = selectors.published_ranking()
    staff = is_estates_staff(request.user)
    member = member_of(request.user) if request.user.is_authenticated else None
    context = {"ranking": current, "staff_view": staff, "member": member}
    if current is not None:
        context.update(
            criteria=selectors.criteria_labels(current),
            rows=selectors.ranking_rows(current, with_names=staff),
        )
    return render(request, "estate/ranking.html", context)
