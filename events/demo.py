"""Demo data: the founding conference of the seed article (agenda, Q&A panel, questions about
unit prices and health permits, answers, one commitment) and an upcoming event open for
registration. Idempotent: events are found by title."""

import datetime
import random

from django.db.models import Count
from django.utils import timezone

from members.models import User

from . import services
from .models import (
    AgendaItem,
    Answer,
    Commitment,
    Event,
    Organisation,
    Panel,
    Panelist,
    Question,
    Registration,
    Topic,
    Vote,
)

CONFERENCE_TITLE = "همایش سیاست‌های خوشه شیرینی سنتی قزوین"
UPCOMING_TITLE = "کارگاه آموزشی مجوزهای بهداشتی و بسته‌بندی"
PUBLIC_TITLE = "بازارچه شیرینی سنتی قزوین"
FULL_VISIT_TITLE = "بازدید از خط بسته‌بندی شیرینی"

AGENDA = [
    (
        datetime.time(9, 0),
        datetime.time(9, 30),
        "افتتاحیه: سخنان مدیرعامل شرکت شهرک‌های صنعتی استان قزوین",
        "",
        "مدیرعامل شرکت شهرک‌های صنعتی",
    ),
    (
        datetime.time(9, 30),
        datetime.time(10, 15),
        "برنامه‌های حمایتی شرکت شهرک‌های صنعتی از تولیدکنندگان شیرینی",
        Topic.SUPPORT_PROGRAMMES,
        "معاون شرکت شهرک‌های صنعتی",
    ),
    (datetime.time(10, 15), datetime.time(11, 0), "برنامه‌های خوشه شیرینی سنتی قزوین", Topic.OTHER, "عامل توسعه خوشه"),
    (datetime.time(11, 15), datetime.time(11, 45), "پیگیری ساخت شهرک صنعتی صنفی شیرینی", Topic.SWEETS_ESTATE, ""),
    (
        datetime.time(11, 45),
        datetime.time(12, 15),
        "راهکارهای شناورسازی قیمت شیرینی سنتی",
        Topic.UNIT_PRICE,
        "رئیس اتحادیه",
    ),
    (datetime.time(12, 15), datetime.time(13, 15), "پنل پرسش و پاسخ", "", ""),
]

PANELISTS = [
    ("معاون شرکت شهرک‌های صنعتی استان قزوین", "معاون بهره‌برداری", Organisation.ESTATES_COMPANY, None),
    ("نماینده سازمان صنعت، معدن و تجارت استان", "معاون امور صنایع", Organisation.INDUSTRY_MINE_TRADE, "09120000030"),
    ("محمد قزوینی", "رئیس اتحادیه قنادان و شیرینی‌پزان", Organisation.UNION, "09120000020"),
]

# asker mobile, text, topic, panelist index (or None), organisation, anonymous, answer (or None), voters
QUESTIONS = [
    (
        "09120000001",
        "قیمت واحد نان برنجی و باقلوا با افزایش قیمت روغن و شکر چطور تعیین می‌شود؟ آیا نرخ‌گذاری اتحادیه ادامه دارد؟",
        Topic.UNIT_PRICE,
        2,
        Organisation.UNION,
        False,
        "اتحادیه قیمت تعیین نمی‌کند؛ از این پس بازه قیمت تجمیعی بر اساس اظهار اعضا منتشر می‌شود تا هر واحد بهای تمام‌شده خود را بسنجد.",
        ["09120000002", "09120000003"],
    ),
    (
        "09120000002",
        "تولیدکنندگان خانگی برای گرفتن مجوز بهداشتی باید به کدام مرکز مراجعه کنند و چقدر طول می‌کشد؟",
        Topic.HEALTH_PERMITS,
        None,
        Organisation.HEALTH_NETWORK,
        True,
        None,
        ["09120000001", "09120000003"],
    ),
    (
        "09120000003",
        "صدور پروانه بهداشتی ساخت برای هر محصول جداگانه هزینه زیادی دارد. امکان صدور یک‌جا برای چند محصول هست؟",
        Topic.HEALTH_PERMITS,
        0,
        Organisation.ESTATES_COMPANY,
        False,
        "با شبکه بهداشت و دانشگاه علوم پزشکی مکاتبه می‌کنیم تا پرونده اعضای خوشه یک‌جا و با اولویت بررسی شود.",
        ["09120000001"],
    ),
    (
        "09120000001",
        "زمان واگذاری زمین در شهرک صنعتی صنفی شیرینی کی اعلام می‌شود؟",
        Topic.SWEETS_ESTATE,
        0,
        Organisation.ESTATES_COMPANY,
        False,
        None,
        ["09120000002"],
    ),
    (
        "09120000003",
        "آیا برای خرید دستگاه بسته‌بندی تسهیلات کم‌بهره در نظر گرفته شده است؟",
        Topic.SUPPORT_PROGRAMMES,
        1,
        Organisation.INDUSTRY_MINE_TRADE,
        False,
        "بله؛ تسهیلات رونق تولید برای واحدهای عضو خوشه با معرفی سازمان صمت قابل پیگیری است.",
        [],
    ),
]


def _now():
    return timezone.now()


def _at(day: datetime.date, hour: int, minute: int = 0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def seed(*, stdout=None):
    users = {u.mobile: u for u in User.objects.filter(mobile__startswith="091200000")}
    staff = users.get("09120000010")
    today = timezone.localdate()
    conference, created = Event.objects.get_or_create(
        title=CONFERENCE_TITLE,
        defaults=dict(
            kind=Event.Kind.CONFERENCE,
            starts_at=_at(today - datetime.timedelta(days=30), 9),
            ends_at=_at(today - datetime.timedelta(days=30), 13, 15),
            venue="قزوین، سالن همایش شرکت شهرک‌های صنعتی استان قزوین",
            description=(
                "همایش تبیین اهداف، سیاست‌ها و برنامه‌های اجرایی توسعه خوشه شیرینی سنتی قزوین با حضور "
                "عامل توسعه خوشه، نهادهای حمایتی و اعضای صنفی و خانگی. قزوین بر سر راه شمال به جنوب و "
                "غرب به شرق است و سالانه میلیون‌ها مسافر دارد؛ هدف نهایی خوشه بسته‌بندی، بازاریابی و فروش است."
            ),
            capacity=200,
            audience=Event.Audience.PUBLIC,
            status=Event.Status.FINISHED,
            qa_premoderation=True,
        ),
    )
    if created:
        for start, end, title, topic, speaker in AGENDA:
            AgendaItem.objects.create(
                event=conference, starts_at=start, ends_at=end, title=title, topic=topic, speaker=speaker
            )
        panel = Panel.objects.create(
            event=conference, title="پنل پرسش و پاسخ", starts_at=_at(conference.starts_at.date(), 12, 15)
        )
        panelists = [
            Panelist.objects.create(
                panel=panel,
                name=name,
                title=title,
                organisation=org,
                user=users.get(mobile) if mobile else None,
                order=i,
            )
            for i, (name, title, org, mobile) in enumerate(PANELISTS)
        ]
        for mobile in ("09120000001", "09120000002", "09120000003"):
            if mobile in users:
                conference.registrations.create(
                    user=users[mobile],
                    member=getattr(getattr(users[mobile], "member_link", None), "member", None),
                    search_key=mobile,
                    checked_in_at=conference.starts_at,
                    checked_in_by=staff,
                )
        asked = []
        for asker, text, topic, p_index, org, anonymous, answer, voters in QUESTIONS:
            if asker not in users:
                continue
            question = Question.objects.create(
                event=conference,
                panel=panel,
                asker=users[asker],
                text=text,
                topic=topic,
                addressed_panelist=panelists[p_index] if p_index is not None else None,
                addressed_organisation=org,
                anonymous=anonymous,
                status=Question.Status.ANSWERED if answer else Question.Status.APPROVED,
                created_at=conference.starts_at + datetime.timedelta(minutes=len(asked) * 7),
            )
            Vote.objects.bulk_create([Vote(question=question, user=users[m]) for m in voters if m in users])
            question.vote_count = len([m for m in voters if m in users])
            question.save(update_fields=["vote_count"])
            if answer and staff:
                Answer.objects.create(
                    question=question,
                    text=answer,
                    panelist=panelists[p_index] if p_index is not None else None,
                    recorded_by=staff,
                    answered_at=question.created_at + datetime.timedelta(hours=1),
                )
            asked.append(question)
        if staff and len(asked) >= 3:
            commitment = Commitment.objects.create(
                event=conference,
                title="بررسی یک‌جای پرونده‌های مجوز بهداشتی اعضای خوشه",
                description="مکاتبه با شبکه بهداشت و معاونت غذا و دارو برای بررسی یک‌جا و اولویت‌دار پرونده‌های اعضا.",
                owner_organisation=Organisation.ESTATES_COMPANY,
                responsible_person="معاون شرکت شهرک‌های صنعتی استان قزوین",
                owner_user=staff,
                due_date=today + datetime.timedelta(days=45),
                status=Commitment.Status.IN_PROGRESS,
                created_by=staff,
            )
            Question.objects.filter(pk__in=[asked[1].pk, asked[2].pk]).update(commitment=commitment)
            commitment.notes.create(
                date=today - datetime.timedelta(days=20),
                text="نامه به شبکه بهداشت استان ارسال شد.",
                status_from=Commitment.Status.OPEN,
                status_to=Commitment.Status.IN_PROGRESS,
                author=staff,
            )
    upcoming_day = today + datetime.timedelta(days=14)
    upcoming, _created = Event.objects.get_or_create(
        title=UPCOMING_TITLE,
        defaults=dict(
            kind=Event.Kind.WORKSHOP,
            starts_at=_at(upcoming_day, 10),
            ends_at=_at(upcoming_day, 13),
            venue="قزوین، مرکز آموزش اتحادیه قنادان",
            description="آشنایی با مراحل گرفتن پروانه بهداشتی ساخت، کارت بهداشت کارکنان و الزامات بسته‌بندی.",
            capacity=40,
            registration_opens_at=_now() - datetime.timedelta(days=1),
            registration_closes_at=_at(upcoming_day - datetime.timedelta(days=1), 20),
            audience=Event.Audience.MEMBERS,
            status=Event.Status.PUBLISHED,
            qa_premoderation=True,
        ),
    )
    if _created:
        AgendaItem.objects.create(
            event=upcoming,
            starts_at=datetime.time(10),
            ends_at=datetime.time(11),
            title="مراحل پروانه بهداشتی ساخت",
            topic=Topic.HEALTH_PERMITS,
        )
        AgendaItem.objects.create(
            event=upcoming,
            starts_at=datetime.time(11, 15),
            ends_at=datetime.time(12),
            title="کارت بهداشت و دوره بهداشت عمومی کارکنان",
            topic=Topic.HEALTH_PERMITS,
        )
        AgendaItem.objects.create(
            event=upcoming,
            starts_at=datetime.time(12),
            ends_at=datetime.time(13),
            title="بسته‌بندی و بازاریابی",
            topic=Topic.OTHER,
        )
        panel = Panel.objects.create(event=upcoming, title="پرسش و پاسخ با کارشناسان")
        Panelist.objects.create(
            panel=panel,
            name="کارشناس شبکه بهداشت قزوین",
            title="کارشناس بهداشت محیط",
            organisation=Organisation.HEALTH_NETWORK,
            order=0,
        )
        official = Panelist.objects.create(
            panel=panel,
            name="علی نوری",
            title="کارشناس سازمان صمت",
            organisation=Organisation.INDUSTRY_MINE_TRADE,
            user=users.get("09120000030"),
            order=1,
        )
        if "09120000001" in users and official.user_id:
            # A question routed to the official, with the date it is to be answered by.
            Question.objects.create(
                event=upcoming,
                panel=panel,
                asker=users["09120000001"],
                text="برای پروانه بهره‌برداری کارگاه خانگی، استعلام از صمت لازم است یا فقط مجوز خانگی کافی است؟",
                topic=Topic.HEALTH_PERMITS,
                addressed_panelist=official,
                addressed_organisation=official.organisation,
                status=Question.Status.APPROVED,
                routed_to=official,
                routed_at=_now(),
                answer_due=upcoming_day + datetime.timedelta(days=7),
            )
    _seed_full_visit(today, users)
    _seed_public_bazaar(today)
    if stdout:
        stdout.write(f"events: {Event.objects.count()} events, {Question.objects.count()} questions")
    return conference, upcoming


def _seed_full_visit(today, users):
    """A small visit that is full, with a member on its waiting list."""
    day = today + datetime.timedelta(days=10)
    visit, created = Event.objects.get_or_create(
        title=FULL_VISIT_TITLE,
        defaults=dict(
            kind=Event.Kind.VISIT,
            starts_at=_at(day, 9),
            ends_at=_at(day, 12),
            venue="البرز، واحد نمونه بسته‌بندی شیرینی",
            description="بازدید گروهی از خط بسته‌بندی یک واحد نمونه؛ ظرفیت محدود است.",
            capacity=2,
            registration_opens_at=_now() - datetime.timedelta(days=1),
            registration_closes_at=_at(day - datetime.timedelta(days=1), 20),
            audience=Event.Audience.MEMBERS,
            status=Event.Status.PUBLISHED,
        ),
    )
    if not created:
        return
    for mobile, status in (
        ("09120000002", Registration.Status.REGISTERED),
        ("09120000003", Registration.Status.REGISTERED),
        ("09120000001", Registration.Status.WAITING),
    ):
        if mobile in users:
            visit.registrations.create(
                user=users[mobile],
                member=getattr(getattr(users[mobile], "member_link", None), "member", None),
                search_key=mobile,
                status=status,
            )


def _seed_public_bazaar(today):
    """An upcoming event open to everyone: what a visitor sees on the home page."""
    day = today + datetime.timedelta(days=21)
    Event.objects.get_or_create(
        title=PUBLIC_TITLE,
        defaults=dict(
            kind=Event.Kind.VISIT,
            starts_at=_at(day, 16),
            ends_at=_at(day, 21),
            venue="قزوین، سبزه‌میدان",
            description="اعضای خوشه شیرینی‌های سنتی قزوین را عرضه می‌کنند: باقلوا، نان برنجی، نان نخودچی و نان چای قزوینی.",
            capacity=500,
            registration_opens_at=_now() - datetime.timedelta(days=1),
            registration_closes_at=_at(day - datetime.timedelta(days=1), 20),
            audience=Event.Audience.PUBLIC,
            status=Event.Status.PUBLISHED,
        ),
    )


def seed_scale(*, scale: int, stdout=None):
    """≈ 200×scale questions with votes, spread over synthetic events (bulk inserts)."""
    rng = random.Random(4)
    users = list(User.objects.order_by("id").values_list("id", flat=True)[: max(50, scale * 20)])
    if not users:
        return
    n_events = max(1, scale // 10)
    start = timezone.now() - datetime.timedelta(days=60)
    events = Event.objects.bulk_create(
        [
            Event(
                title=f"همایش نمونه {i + 1}",
                kind=Event.Kind.PANEL,
                starts_at=start + datetime.timedelta(days=i),
                ends_at=start + datetime.timedelta(days=i, hours=3),
                venue="قزوین",
                status=Event.Status.PUBLISHED,
                qa_premoderation=False,
            )
            for i in range(n_events)
        ]
    )
    topics = Topic.values
    organisations = Organisation.values
    questions = []
    for i in range(200 * scale):
        questions.append(
            Question(
                event=events[i % n_events],
                asker_id=rng.choice(users),
                text=f"پرسش نمونه شماره {i + 1} درباره قیمت واحد و مجوزهای بهداشتی",
                topic=rng.choice(topics),
                addressed_organisation=rng.choice(organisations),
                anonymous=rng.random() < 0.2,
                status=Question.Status.APPROVED if rng.random() < 0.8 else Question.Status.ANSWERED,
            )
        )
    Question.objects.bulk_create(questions, batch_size=2000)
    Answer.objects.bulk_create(
        [
            Answer(question=q, text="پاسخ ثبت‌شده در پنل.", recorded_by_id=users[0])
            for q in questions
            if q.status == Question.Status.ANSWERED
        ],
        batch_size=2000,
    )
    votes = []
    for question in questions:
        for uid in rng.sample(users, k=min(len(users), rng.randint(0, 8))):
            votes.append(Vote(question=question, user_id=uid))
        if len(votes) > 20000:
            Vote.objects.bulk_create(votes, batch_size=5000, ignore_conflicts=True)
            votes = []
    Vote.objects.bulk_create(votes, batch_size=5000, ignore_conflicts=True)
    counts = Vote.objects.filter(question__event__in=events).values("question_id").annotate(n=Count("id")).order_by()
    by_question = {row["question_id"]: row["n"] for row in counts}
    for question in questions:
        question.vote_count = by_question.get(question.pk, 0)
    Question.objects.bulk_update(questions, ["vote_count"], batch_size=2000)
    for event in events:
        services.event_qa_changed(event_id=event.pk)
    if stdout:
        stdout.write(f"events: {len(questions)} questions on {n_events} events at scale {scale}")
