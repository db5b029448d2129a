"""Thin views: who may see each one is stated by its decorator; another member's case or
document is a 404 (selectors.case_for_user_or_404 / document_for_user_or_404)."""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from core import fragment_cache
from core.access import role_required
from core.exports import Table, table_response
from core.forms import add_service_errors
from core.templatetags.persian import fa_digits, jdate, num
from core.uploads import safe_download_name
from members.roles import is_active_member, is_estates_staff, member_of

from . import charts, selectors, services, summary
from .forms import CaseAdvanceForm, CaseBackForm, CaseOpenForm, DocumentForm, PermitIssueForm, WorkerForm
from .models import CaseStepKind, ChecklistItem, Worker

# Role checks: the platform's one decorator factory.
_signed_in = role_required()
active_member_required = role_required(is_active_member)  # users acting for an active member
member_or_staff_required = role_required(is_estates_staff, is_active_member)  # their own objects / all
staff_required = role_required(is_estates_staff)


# -- member pages -----------------------------------------------------------------------------


def _home(request, *, case_form=None, worker_form=None, status=200):
    member = member_of(request.user)
    context = selectors.member_permits_overview(member=member)
    context.update(
        member=member,
        case_form=case_form or CaseOpenForm(member=member, initial={"permit_type": request.GET.get("type")}),
        worker_form=worker_form or WorkerForm(),
    )
    return render(request, "permits/home.html", context, status=status)


@active_member_required
@require_GET
def home(request):
    return _home(request)


@active_member_required
@require_POST
def case_open(request):
    member = member_of(request.user)
    form = CaseOpenForm(request.POST, member=member)
    if form.is_valid():
        try:
            case = services.permit_case_open(member=member, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The case is open. Tick the documents as you gather them."))
            return redirect(case.get_absolute_url())
    return _home(request, case_form=form, status=400)


@active_member_required
@require_POST
def worker_add(request):
    member = member_of(request.user)
    form = WorkerForm(request.POST)
    if form.is_valid():
        try:
            services.worker_create(member=member, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The worker was added."))
            return redirect("permits:home")
    return _home(request, worker_form=form, status=400)


@active_member_required
@require_POST
def worker_leave(request, worker_id):
    worker = get_object_or_404(Worker, pk=worker_id, member=member_of(request.user), is_active=True)
    services.worker_update(worker=worker, actor=request.user, is_active=False)
    messages.success(request, _("%(name)s is no longer on your list of workers.") % {"name": worker.full_name})
    return redirect("permits:home")


def _detail(request, case, *, advance_form=None, back_form=None, issue_form=None, document_form=None, status=200):
    context = selectors.case_detail(case=case)
    context.update(
        case=case,
        advance_form=advance_form or CaseAdvanceForm(case=case),
        back_form=back_form or CaseBackForm(case=case),
        issue_form=issue_form or PermitIssueForm(case=case),
        document_form=document_form or DocumentForm(case=case),
        can_issue=case.is_open and bool(case.tracking_code),
        is_staff_view=is_estates_staff(request.user),
    )
    return render(request, "permits/detail.html", context, status=status)


@member_or_staff_required
@require_GET
def detail(request, case_id):
    return _detail(request, selectors.case_for_user_or_404(user=request.user, case_id=case_id))


@member_or_staff_required
@require_POST
def case_advance(request, case_id):
    case = selectors.case_for_user_or_404(user=request.user, case_id=case_id)
    form = CaseAdvanceForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.permit_case_advance(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The case moved to “%(step)s”.") % {"step": CaseStepKind(form.cleaned_data["step"]).label}
            )
            return redirect(case.get_absolute_url())
    return _detail(request, case, advance_form=form, status=400)


@member_or_staff_required
@require_POST
def case_back(request, case_id):
    case = selectors.case_for_user_or_404(user=request.user, case_id=case_id)
    form = CaseBackForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.permit_case_move_back(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The case moved back to “%(step)s”.") % {"step": CaseStepKind(form.cleaned_data["step"]).label},
            )
            return redirect(case.get_absolute_url())
    return _detail(request, case, back_form=form, status=400)


@member_or_staff_required
@require_POST
def case_issue(request, case_id):
    case = selectors.case_for_user_or_404(user=request.user, case_id=case_id)
    form = PermitIssueForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.permit_issue(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The permit is recorded and the case is closed as issued."))
            return redirect(case.get_absolute_url())
    return _detail(request, case, issue_form=form, status=400)


@member_or_staff_required
@require_POST
def checklist_tick(request, case_id, item_id):
    case = selectors.case_for_user_or_404(user=request.user, case_id=case_id)
    item = get_object_or_404(ChecklistItem, pk=item_id, permit_type_id=case.permit_type_id)
    ticked = request.POST.get("ticked") == "1"
    services.checklist_tick_set(case=case, item=item, actor=request.user, ticked=ticked)
    item.ticked = ticked
    if request.headers.get("HX-Request"):
        return render(request, "permits/_checklist_item.html", {"case": case, "item": item})
    return redirect(case.get_absolute_url())


@member_or_staff_required
@require_POST
@ratelimit(key="user_or_ip", rate="30/m", method="POST", block=True)
def document_upload(request, case_id):
    case = selectors.case_for_user_or_404(user=request.user, case_id=case_id)
    form = DocumentForm(request.POST, request.FILES, case=case)
    if form.is_valid():
        services.case_document_add(
            case=case,
            actor=request.user,
            clean=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
            checklist_item=form.cleaned_data["checklist_item"],
        )
        messages.success(request, _("The document was saved."))
        return redirect(case.get_absolute_url())
    return _detail(request, case, document_form=form, status=400)


@_signed_in
@require_GET
def document(request, document_id):
    """The only way to a stored document: the member's users and estates staff, as an
    attachment with a safe name. Anyone else signed in gets a 404 (never a 403), so a URL
    reveals nothing about whether a document exists; anonymous visitors are sent to sign in
    (the same answer for every id, real or guessed)."""
    doc = selectors.document_for_user_or_404(user=request.user, document_id=document_id)
    storage = storages["private"]
    try:
        handle = storage.open(doc.storage_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=safe_download_name(doc.title, doc.extension),
        content_type=doc.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@member_or_staff_required
@require_POST
def document_delete(request, document_id):
    doc = selectors.document_for_user_or_404(user=request.user, document_id=document_id)
    case = doc.case
    services.case_document_delete(document=doc, actor=request.user)
    messages.success(request, _("The document was removed."))
    return redirect(case.get_absolute_url())


# -- public -------------------------------------------------------------------------------------


@require_GET
@ratelimit(key="ip", rate="60/m", method="GET", block=True)
def verify(request, code):
    """Public: the page a permit's verification link or QR code opens. Tiny (its own template and
    CSS, no JavaScript, no web font), one query, no cookie, nothing stored about the visitor;
    never cached (it can turn red at any moment), so visitors are rate-limited per address
    instead. Only the business name: no personal data (a worker's card shows the business)."""
    today = timezone.localdate()
    permit = selectors.permit_for_verification(code, today=today)
    context = {
        "LANGUAGE_CODE": translation.get_language(),
        "LANGUAGE_BIDI": translation.get_language_bidi(),
        "today": today,
        "permit": permit,
    }
    # Rendered without the request: no context processor, no session, no CSRF cookie.
    response = HttpResponse(get_template("permits/verify.html").render(context), status=404 if permit is None else 200)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# -- staff ------------------------------------------------------------------------------------


@staff_required
@require_GET
def dashboard(request):
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        return _bottleneck_export(export)
    token = summary.current_token()
    key = selectors.staff_dashboard_cache_key(token=token)
    body_html = cache.get(key) if fragment_cache.reads_enabled() else None
    if body_html is None:
        figures = summary.current(token=token)
        body_html = _dashboard_body(selectors.staff_dashboard(summary=figures))
        # Kept only when the figures are today's, of the tables as they are: figures waiting
        # for their refresh are not kept for longer than they wait.
        if summary.is_current(figures, token=token):
            cache.set(key, body_html, selectors.STAFF_DASHBOARD_CACHE_SECONDS)
    # Rendered by our own template (escaped there); the same for every estates staff member.
    return render(request, "permits/dashboard.html", {"body_html": mark_safe(body_html)})  # noqa: S308  # nosec B308 B703


STAFF_LIST_PAGE_SIZE = 50
STAFF_LIST_TITLES = {
    "expiring": gettext_lazy("Expiring in the next 30 days"),
    "expired": gettext_lazy("Expired"),
    "expired-cards": gettext_lazy("Members with an expired worker health card"),
    "stale": gettext_lazy("Open cases, longest without update first"),
    "overdue": gettext_lazy("Past the legal response time"),
    "home-without": gettext_lazy("Home producers without a home-business permit"),
}


@staff_required
@require_GET
def dashboard_list(request, kind):
    """One of the dashboard's lists in full, 50 rows a page, read live."""
    rows = selectors.staff_list(kind) if kind in STAFF_LIST_TITLES else None
    if rows is None:
        raise Http404
    page = Paginator(rows, STAFF_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _list_rows(kind, selectors.staff_list_rows(kind, page.object_list), _Shown())
    context = {"kind": kind, "title": STAFF_LIST_TITLES[kind], "page": page}
    return render(request, "permits/dashboard_list.html", context)


_LINKS = {
    "expiring": "admin:permits_permit_change",
    "expired": "admin:permits_permit_change",
    "expired-cards": "admin:members_member_change",
    "home-without": "admin:members_member_change",
    "stale": "permits:detail",
    "overdue": "permits:detail",
}
_MARKER = "987654321"


def _url_for_each(name):
    """A function giving the URL of `name` for one argument: reversed once, the argument put in
    for each row (reversing an admin URL per row was a tenth of the dashboard's rendering)."""
    head, tail = reverse(name, args=[_MARKER]).split(_MARKER)
    return lambda arg: f"{head}{arg}{tail}"


class _Shown:
    """Numbers and dates as the templates' filters print them (`num`, `jdate`, `fa_digits`),
    each distinct value formatted once a render: the dashboard prints some 300 of them, ≈ 10 µs
    each through a filter in the template, mostly the same few values (0, 1, …)."""

    def __init__(self):
        self._numbers = {}
        self._dates = {}

    def num(self, value):
        if value is None:
            return None
        text = self._numbers.get(value)
        if text is None:
            text = self._numbers[value] = num(value)
        return text

    def date(self, value):
        if value is None:
            return ""
        text = self._dates.get(value)
        if text is None:
            text = self._dates[value] = jdate(value)
        return text


def _list_rows(kind, rows, shown):
    """The rows of one list as its partial prints them: each row's link (`link`) and its
    figures and dates as text; a permit's state badge rendered once for each state listed
    (permits/_state.html) rather than included for every row."""
    link = _url_for_each(_LINKS[kind])
    badges = {}
    state_template = get_template("permits/_state.html")
    for row in rows:
        row["link"] = link(row["id"])
        if kind in ("expiring", "expired"):
            state = row["state"]
            if state not in badges:
                badges[state] = state_template.render({"state": state})
            row["badge"] = badges[state]
            row["number_text"] = fa_digits(row["number"])
            row["expiry_text"] = shown.date(row["expiry_date"])
        elif kind == "expired-cards":
            row["cards_text"] = shown.num(row["expired_cards"])
        elif kind == "stale":
            row["age_text"] = shown.num(row["age_days"])
            row["idle_text"] = shown.num(row["idle_days"])
        elif kind == "overdue":
            row["days_allowed_text"] = shown.num(row["days_allowed"])
            row["due_text"] = shown.date(row["due_on"])
            row["delay_text"] = shown.num(row["delay_days"])
            row["escalated_text"] = shown.date(row["escalated_at"])
    return rows


_DASHBOARD_LISTS = (
    ("expiring", "expiring"),
    ("expired", "expired"),
    ("expired-cards", "members_expired_cards"),
    ("home-without", "home_without"),
    ("stale", "stale_cases"),
)


def _dashboard_body(data) -> str:
    """The dashboard's body (the same for every estates staff member): the stored figures as
    the tables print them and the lists' rows, each number formatted once (_Shown)."""
    shown = _Shown()
    n = shown.num
    for kind, key in _DASHBOARD_LISTS:
        _list_rows(kind, data[key], shown)
    overdue = data["overdue"]
    _list_rows("overdue", overdue["cases"], shown)
    overdue["count_text"] = n(overdue["count"])
    overdue["median_text"] = n(overdue["median_delay_days"])
    data["window_texts"] = {key: n(value) for key, value in data["windows"].items()}
    for row in data["by_type"]:
        row["texts"] = [n(value) for value in row["states"]]
        row["total_text"] = n(row["total"])
    data["state_total_texts"] = [n(value) for value in data["state_totals"]]
    for row in data["cases_by_step"]:
        row["texts"] = [n(row["count"]), *(n(value) for value in row["ages"])]
        row["oldest_text"] = n(row["oldest_days"])
        row["stalest_text"] = n(row["stalest_days"])
    for row in data["bottlenecks"]:
        row["texts"] = [(n(cell["median"]), n(cell["n"])) for cell in row["cells"]]
    data["home_without_text"] = n(data["home_without_count"])
    see_all = _url_for_each("permits:dashboard_list")
    data["see_all"] = {
        kind.replace("-", "_"): {
            "kind": kind,
            "url": see_all(kind),
            "label": _("See all (%(count)s)") % {"count": n(count)},
        }
        for kind, count in (
            ("expiring", data["list_counts"]["expiring"]),
            ("expired", data["list_counts"]["expired"]),
            ("expired-cards", data["list_counts"]["expired_cards"]),
            ("home-without", data["list_counts"]["home_without"]),
            ("stale", data["list_counts"]["stale"]),
            ("overdue", data["list_counts"]["overdue"]),
        )
        if count
    }
    data["expiry_chart"] = charts.expiry_chart(expiring_by_month=data["expiring_by_month"])
    data["cases_chart"] = charts.cases_chart(cases_by_step=data["cases_by_step"])
    # Nothing in it depends on the request: rendered without the context processors.
    return render_to_string("permits/_dashboard_body.html", data)


def _bottleneck_rows():
    header = [_("Issuer"), *selectors.bottleneck_headers()]
    rows = []
    for row in selectors.bottleneck_table():
        rows.append([str(row["label"]), *[cell["median"] for cell in row["cells"]]])
    return header, rows


def _bottleneck_export(export):
    header, rows = _bottleneck_rows()
    table = Table(_("Median days per step"), [header, *rows])
    return table_response(export, [table], filename=f"permit-bottlenecks-{timezone.localdate().isoformat()}")
