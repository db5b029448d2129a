from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from catalogue.models import Product
from core.exports import Table, table_response
from core.money import rial_to_toman
from core.templatetags.persian import num
from members.roles import is_union_head, member_of

from . import selectors, services
from .access import active_member_required, staff_required, union_head_or_staff_required, union_head_required
from .exports import export_rows
from .forms import PriceSubmissionForm, ReviewForm
from .models import COST_LINES, Channel, PriceRound, PriceSubmission


@active_member_required
def my_prices(request):
    """The member's own prices: the open round, its position in finished rounds."""
    member = member_of(request.user)
    current_round = selectors.open_round()
    current = (
        list(selectors.member_current_submissions(member=member, price_round=current_round)) if current_round else []
    )
    return render(
        request,
        "pricing/my_prices.html",
        {
            "open_round": current_round,
            "current": current,
            "positions": selectors.member_positions(member=member),
        },
    )


@active_member_required
def submission_detail(request, pk):
    """One of the member's prices with every version and every review decision."""
    member = member_of(request.user)
    submission = selectors.member_submission_or_none(member=member, pk=pk)
    if submission is None:
        raise Http404
    return render(
        request,
        "pricing/submission_detail.html",
        {"submission": submission, "versions": selectors.member_submission_versions(submission=submission)},
    )


@active_member_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="user_or_ip", rate="30/m", method="POST", block=True)
def submit(request):
    member = member_of(request.user)
    current_round = selectors.open_round()
    if request.method == "POST":
        round_id = request.POST.get("price_round")
        posted_round = PriceRound.objects.filter(pk=round_id).first() if round_id and round_id.isdigit() else None
        price_round = posted_round or current_round
    else:
        price_round = current_round
    if price_round is None:
        return render(request, "pricing/submit.html", {"form": None, "price_round": None}, status=200)
    initial = _initial_for(request, member, price_round)
    form = PriceSubmissionForm(request.POST or None, initial=initial, member=member, price_round=price_round)
    if request.method == "POST" and not price_round.is_open:
        messages.error(
            request,
            _("The price round %(round)s is closed; prices can no longer be submitted for it.")
            % {"round": price_round.label},
        )
        form.is_valid()  # show what was typed, with its own messages
        return render(request, "pricing/submit.html", _submit_context(form, price_round), status=409)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            submission, changed = services.price_submission_save(
                member=member,
                user=request.user,
                price_round=price_round,
                product=data["product"],
                channel=data["channel"],
                unit=data["unit"],
                net_grams=data.get("net_grams"),
                price_rial=data["price"],
                note=data.get("note", ""),
                costs=form.costs(),
            )
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return render(request, "pricing/submit.html", _submit_context(form, price_round), status=409)
        for warning in form.warnings:
            messages.warning(request, warning)
        if changed:
            messages.success(
                request,
                _("Your price for %(product)s (%(channel)s) is saved for %(round)s.")
                % {
                    "product": submission.product.name,
                    "channel": submission.get_channel_display(),
                    "round": price_round.label,
                },
            )
        else:
            messages.info(request, _("Nothing changed: this price was already saved."))
        return redirect("pricing:my_prices")
    return render(request, "pricing/submit.html", _submit_context(form, price_round))


def _initial_for(request, member, price_round):
    """Editing: the form starts from the member's current price for ?product=&channel=."""
    product_id, channel = request.GET.get("product", ""), request.GET.get("channel", "")
    initial = {"channel": channel if channel in Channel.values else Channel.WHOLESALE}
    product = Product.objects.filter(pk=product_id, is_active=True).first() if product_id.isdigit() else None
    if product is None:
        return initial
    initial.update(product=product, unit=product.default_unit, net_grams=product.default_net_grams)
    current = PriceSubmission.objects.filter(
        member=member, price_round=price_round, product=product, channel=initial["channel"], is_current=True
    ).first()
    if current:
        from core.money import rial_to_toman

        initial.update(
            unit=current.unit,
            net_grams=current.net_grams,
            price=int(rial_to_toman(current.price_rial)),
            note=current.note,
            **{
                name: int(rial_to_toman(getattr(current, name)))
                for name, _label in COST_LINES
                if getattr(current, name) is not None
            },
        )
    return initial


def _submit_context(form, price_round):
    return {"form": form, "price_round": price_round}


@union_head_required
@require_http_methods(["GET", "POST"])
def review(request):
    """The union head's queue: flags, one-by-one or bulk decisions, history of decisions."""
    rounds = list(selectors.reportable_rounds()[:24])
    price_round = _chosen_round(request, rounds)
    status = request.GET.get("status", PriceSubmission.Status.SUBMITTED)
    if status not in PriceSubmission.Status.values and status != "all":
        status = PriceSubmission.Status.SUBMITTED
    flagged_only = request.GET.get("flagged") == "1"
    rows = (
        selectors.review_queue(
            price_round=price_round, status=None if status == "all" else status, flagged_only=flagged_only
        )
        if price_round
        else []
    )
    form = ReviewForm(
        request.POST or None,
        allowed_ids=[row.submission.pk for row in rows] if request.method == "GET" else _queue_ids(price_round),
    )
    if request.method == "POST":
        if form.is_valid():
            chosen = PriceSubmission.objects.filter(pk__in=form.cleaned_data["ids"], is_current=True).order_by("id")
            try:
                count = services.price_submissions_review_bulk(
                    submissions=list(chosen),
                    reviewer=request.user,
                    decision=form.cleaned_data["decision"],
                    message=form.cleaned_data.get("message", ""),
                )
            except ValidationError as error:
                for text in error.messages:
                    messages.error(request, text)
            else:
                messages.success(request, _("Decision saved for %(count)s price(s).") % {"count": num(count)})
                return redirect(request.get_full_path())
        else:
            for error in form.non_field_errors() + form.errors.get("ids", []) + form.errors.get("decision", []):
                messages.error(request, error)
    return render(
        request,
        "pricing/review.html",
        {
            "rounds": rounds,
            "price_round": price_round,
            "rows": rows,
            "status": status,
            "flagged_only": flagged_only,
            "statuses": PriceSubmission.Status.choices,
            "form": form,
        },
    )


def _queue_ids(price_round):
    if price_round is None:
        return []
    return list(PriceSubmission.objects.filter(price_round=price_round, is_current=True).values_list("pk", flat=True))


def _chosen_round(request, rounds):
    wanted = request.GET.get("round", "")
    if wanted.isdigit():
        for price_round in rounds:
            if price_round.pk == int(wanted):
                return price_round
        raise Http404
    return next((r for r in rounds if r.is_open), None) or (rounds[0] if rounds else None)


@union_head_or_staff_required
def report(request):
    """Robust statistics per product × channel of a round; CSV/XLSX with ?format=."""
    rounds = list(selectors.reportable_rounds()[:24])
    price_round = _chosen_round(request, rounds)
    with_min_max = is_union_head(request.user)
    if price_round is None:
        return render(request, "pricing/report.html", {"rounds": rounds, "price_round": None})
    rows, previous, products = selectors.round_report(price_round=price_round)
    live = {(row.product.pk, row.channel): row.stats for row in rows}
    history_rounds, by_round = selectors.round_history(price_round=price_round, live_stats=live)
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        table = export_rows(rounds=history_rounds, by_round=by_round, products=products, with_min_max=with_min_max)
        filename = f"prices-{price_round.year}-{price_round.month:02d}"
        return table_response(export, [Table(_("prices"), table)], filename=filename)
    composition = selectors.cost_composition(price_round=price_round)
    for item in composition:
        item["product"] = products.get(item["product_id"])
    return render(
        request,
        "pricing/report.html",
        {
            "rounds": rounds,
            "price_round": price_round,
            "previous_round": previous,
            "rows": rows,
            "with_min_max": with_min_max,
            "composition": composition,
            "chart_data": _chart_data(history_rounds, by_round, products),
            "is_staff_view": not with_min_max,
        },
    )


def _chart_data(rounds, by_round, products):
    """Median and Q1–Q3 per product × channel over the last rounds, in Toman per kg."""
    from core.jalali import _is_persian
    from core.persian import digits_to_persian

    channel_labels = dict(Channel.choices)
    series = {}
    for index, price_round in enumerate(rounds):
        for key, cell in by_round.get(price_round.pk, {}).items():
            product = products.get(key[0])
            if product is None:
                continue
            entry = series.setdefault(
                f"{key[0]}-{key[1]}",
                {
                    "label": f"{product.name} · {channel_labels[key[1]]}",
                    "order": (product.sort_order, key[1]),
                    "median": [None] * len(rounds),
                    "q1": [None] * len(rounds),
                    "q3": [None] * len(rounds),
                },
            )
            entry["median"][index] = round(rial_to_toman(round(cell.median)))
            entry["q1"][index] = round(rial_to_toman(round(cell.q1)))
            entry["q3"][index] = round(rial_to_toman(round(cell.q3)))
    ordered = sorted(series.items(), key=lambda item: item[1].pop("order"))
    return {
        "labels": [r.label for r in rounds],
        "series": [{"key": key, **value} for key, value in ordered],
        "persian": _is_persian(),
        "text": {
            "median": _("Median"),
            "q1": _("Q1"),
            "q3": _("Q3"),
            "toman": _("Toman per kg"),
        },
        "digits": digits_to_persian("0123456789") if _is_persian() else "0123456789",
    }


@staff_required
@require_POST
def round_transition(request, pk):
    """Estates staff open, close and publish rounds (also as admin actions)."""
    price_round = get_object_or_404(PriceRound, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "open":
            services.price_round_open(year=price_round.year, month=price_round.month, actor=request.user)
            messages.success(request, _("The round %(round)s is open.") % {"round": price_round.label})
        elif action == "close":
            services.price_round_close(price_round=price_round, actor=request.user)
            messages.success(request, _("The round %(round)s is closed.") % {"round": price_round.label})
        elif action == "publish":
            services.price_round_publish(price_round=price_round, actor=request.user)
            messages.success(request, _("The bands of %(round)s are published.") % {"round": price_round.label})
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect(reverse("pricing:report") + f"?round={price_round.pk}")


def bands(request):
    """Everyone: the published aggregated price bands (≥ 5 members per cell)."""
    rounds = list(selectors.published_rounds()[:24])
    price_round = None
    wanted = request.GET.get("round", "")
    if wanted.isdigit():
        price_round = next((r for r in rounds if r.pk == int(wanted)), None)
        if price_round is None:
            raise Http404
    elif rounds:
        price_round = rounds[0]
    return render(
        request,
        "pricing/bands.html",
        {
            "rounds": rounds,
            "price_round": price_round,
            "bands": selectors.published_bands(price_round=price_round) if price_round else [],
            "min_members": selectors.PUBLISH_MIN_MEMBERS,
        },
    )
