from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from core.exports import Table, table_response
from core.jalali import _is_persian
from core.money import rial_to_toman
from core.persian import digits_to_persian
from core.templatetags.persian import num
from members.roles import member_of

from . import charts, selectors, services
from .access import (
    active_member_required,
    parse_id,
    price_round_for_user_or_404,
    published_round_for_user_or_404,
    report_round_for_user_or_404,
    sees_individual_prices,
    staff_required,
    submission_for_user_or_404,
    union_head_or_staff_required,
    union_head_required,
)
from .exports import export_rows, shared_export_rows
from .forms import PriceSubmissionForm, ReviewFilterForm, ReviewForm
from .models import COST_LINES, Channel, PriceRound, PriceSubmission, Product


@active_member_required
def my_prices(request):
    """The member's own prices: the open round, its own prices in finished rounds beside the
    published bands."""
    member = member_of(request.user)
    current_round = selectors.open_round()
    current = (
        list(selectors.member_current_submissions(member=member, price_round=current_round)) if current_round else []
    )
    positions = selectors.member_positions(member=member)
    return render(
        request,
        "pricing/my_prices.html",
        {
            "open_round": current_round,
            "current": current,
            "positions": positions,
            "position_chart": charts.position_chart(positions=positions) if positions else None,
        },
    )


@active_member_required
def submission_detail(request, pk):
    """One of the member's prices with every version and every review decision."""
    submission = submission_for_user_or_404(request.user, pk)
    return render(
        request,
        "pricing/submission_detail.html",
        {"submission": submission, "versions": selectors.member_submission_versions(submission=submission)},
    )


@active_member_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="user_or_ip", rate="30/m", method="POST", block=True)
def submit(request):
    """A member's price in the open round. A POST for any other round (closed, published,
    not opened, unknown) gets one answer that depends on nothing but that round: no rule
    reads the price, nothing typed is echoed."""
    member = member_of(request.user)
    current_round = selectors.open_round()
    if request.method == "POST":
        posted = request.POST.get("price_round")
        if current_round is None or (posted is not None and parse_id(posted) != current_round.pk):
            return _not_open(request, posted, current_round)
    if current_round is None:
        return render(request, "pricing/submit.html", {"form": None, "price_round": None})
    form = PriceSubmissionForm(request.POST or None, initial=_initial_for(request, member, current_round))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            submission, changed = services.price_submission_save(
                member=member,
                user=request.user,
                price_round=current_round,
                product=data["product"],
                channel=data["channel"],
                unit=data["unit"],
                net_grams=data.get("net_grams"),
                price_rial=data["price"],
                note=data.get("note", ""),
                costs=form.costs(),
                confirm_unit=data.get("confirm_unit", False),
            )
        except services.RoundClosed:  # closed while the member was typing
            return _not_open(request, str(current_round.pk), None)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            for warning in services.price_submission_warnings(
                price_per_kg_rial=submission.price_per_kg_rial, costs=form.costs()
            ):
                messages.warning(request, warning)
            if changed:
                messages.success(
                    request,
                    _("Your price for %(product)s (%(channel)s) is saved for %(round)s.")
                    % {
                        "product": submission.product.name,
                        "channel": submission.get_channel_display(),
                        "round": current_round.label,
                    },
                )
            else:
                messages.info(request, _("Nothing changed: this price was already saved."))
            return redirect("pricing:my_prices")
    return render(request, "pricing/submit.html", {"form": form, "price_round": current_round})


def _not_open(request, posted, current_round):
    """The one answer to a price sent for a round that is not open (409)."""
    round_id = parse_id(posted)
    price_round = PriceRound.objects.filter(pk=round_id).first() if round_id else None
    if price_round is not None and price_round.is_finished:
        text = _("The price round %(round)s is closed; prices can no longer be submitted for it.") % {
            "round": price_round.label
        }
    else:
        text = _("This price round is not open; prices can be submitted only to the open round.")
    messages.error(request, text)
    return render(
        request,
        "pricing/submit.html",
        {"form": None, "price_round": None, "refused": True, "open_round": current_round},
        status=409,
    )


def _initial_for(request, member, price_round):
    """Editing: the form starts from the member's current price for ?product=&channel=."""
    product_id, channel = request.GET.get("product", ""), request.GET.get("channel", "")
    initial = {"channel": channel if channel in Channel.values else Channel.WHOLESALE}
    product_id = parse_id(product_id)
    product = Product.objects.filter(pk=product_id, is_active=True).first() if product_id else None
    if product is None:
        return initial
    initial.update(product=product, unit=product.default_unit, net_grams=product.default_net_grams)
    current = selectors.member_current_submission(
        member=member, price_round=price_round, product=product, channel=initial["channel"]
    )
    if current:
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


@union_head_required
@require_http_methods(["GET", "POST"])
def review(request):
    """The union head's queue: flagged first, 25 a page, filtered by product, channel, status
    and flags; one-by-one or bulk decisions (always an explicit one), history of decisions."""
    rounds = list(selectors.reportable_rounds()[:24])
    price_round = report_round_for_user_or_404(request.user, rounds, request.GET.get("round"))
    filters = ReviewFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    status = chosen.get("status") or PriceSubmission.Status.SUBMITTED
    rows = (
        selectors.review_queue(
            price_round=price_round,
            status=None if status == "all" else status,
            flagged_only=bool(chosen.get("flagged")),
            product_id=chosen["product"].pk if chosen.get("product") else None,
            channel=chosen.get("channel") or None,
        )
        if price_round
        else []
    )
    page = Paginator(rows, selectors.REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.review_page(page.object_list)
    form = ReviewForm(request.POST or None, allowed_ids=selectors.review_queue_ids(price_round=price_round))
    if request.method == "POST":
        if form.is_valid():
            picked = selectors.current_submissions(ids=form.cleaned_data["ids"])
            try:
                count = services.price_submissions_review_bulk(
                    submissions=list(picked),
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
            "rows": page.object_list,
            "page": page,
            "total": len(rows),
            "flagged_total": sum(1 for row in rows if row.flags),
            "query_string": urlencode(
                {
                    k: v
                    for k, v in request.GET.items()
                    if k in ("round", "status", "product", "channel", "flagged") and v
                }
            ),
            "filters": filters,
            "status": status,
            "form": form,
        },
    )


@union_head_or_staff_required
def report(request):
    """Statistics per product × channel of a round; CSV/XLSX with ?format=. The union head (and
    superusers) get the live figures with minimum and maximum; every other reader (estates
    staff) gets what is published: rounded bands of ≥ 5 members and counts."""
    rounds = list(selectors.reportable_rounds()[:24])
    price_round = report_round_for_user_or_404(request.user, rounds, request.GET.get("round"))
    privileged = sees_individual_prices(request.user)
    if price_round is None:
        return render(request, "pricing/report.html", {"rounds": rounds, "price_round": None})
    export = request.GET.get("format")
    filename = f"prices-{price_round.year}-{price_round.month:02d}"
    if not privileged:
        rows, history, products = selectors.shared_report(price_round=price_round)
        if export in ("csv", "xlsx"):
            return table_response(export, [Table(_("prices"), shared_export_rows(history=history))], filename=filename)
        composition = selectors.shared_cost_composition(price_round=price_round)
        chart_data = _chart_data(
            [past for past, _rows in history if past.status == PriceRound.Status.PUBLISHED],
            {past.pk: {(r.product.pk, r.channel): r for r in past_rows if r.median} for past, past_rows in history},
            products,
        )
        return render(
            request,
            "pricing/report.html",
            {
                "rounds": rounds,
                "price_round": price_round,
                "rows": rows,
                "with_min_max": False,
                "is_staff_view": True,
                "composition": composition,
                "cost_chart": charts.cost_chart(composition=composition),
                "chart_data": chart_data,
                "history_chart": charts.history_chart(chart_data),
            },
        )
    rows, previous, products = selectors.round_report(price_round=price_round)
    live = {(row.product.pk, row.channel): row.stats for row in rows}
    history_rounds, by_round = selectors.round_history(price_round=price_round, live_stats=live)
    if export in ("csv", "xlsx"):
        table = export_rows(rounds=history_rounds, by_round=by_round, products=products, with_min_max=True)
        return table_response(export, [Table(_("prices"), table)], filename=filename)
    chart_data = _chart_data(history_rounds, by_round, products)
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
            "with_min_max": True,
            "composition": composition,
            "cost_chart": charts.cost_chart(composition=composition),
            "chart_data": chart_data,
            "history_chart": charts.history_chart(chart_data),
            "is_staff_view": False,
        },
    )


def _chart_data(rounds, by_round, products):
    """Median and Q1–Q3 per product × channel over the last rounds, in Toman per kg."""

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
    price_round = price_round_for_user_or_404(request.user, pk)
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
    """Everyone: the published aggregated price bands (≥ 5 members per cell, rounded)."""
    rounds = list(selectors.published_rounds()[:24])
    price_round = published_round_for_user_or_404(request.user, rounds, request.GET.get("round"))
    bands = selectors.published_bands(price_round=price_round) if price_round else []
    context = {
        "rounds": rounds,
        "price_round": price_round,
        "bands": bands,
        "min_members": selectors.PUBLISH_MIN_MEMBERS,
    }
    if price_round:
        # The trend: the last published rounds up to the one shown, oldest first.
        trend_rounds = [r for r in rounds if (r.year, r.month) <= (price_round.year, price_round.month)]
        trend_rounds = trend_rounds[: selectors.HISTORY_ROUNDS][::-1]
        context["bands_chart"] = charts.bands_chart(bands=bands, price_round=price_round)
        context["trend_chart"] = charts.trend_chart(
            rounds=trend_rounds, stats=selectors.published_trend_stats(rounds=trend_rounds)
        )
    return render(request, "pricing/bands.html", context)
