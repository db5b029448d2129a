"""The plan's demo data (idempotent): the cluster's endorsed action plan for this Jalali year,
its objectives and actions (some taking their status from the demo conference's commitments),
and the last finished quarter's indicators stored."""

import datetime

from django.db import transaction
from django.utils import timezone

from core.jalali import jalali_month_range, to_jalali
from events.models import Commitment
from members.models import User

from . import services
from .models import Action, ActionPlan, Objective
from .quarters import current

PLAN_TITLE = "برنامه اقدام خوشه شیرینی سنتی قزوین"
OBJECTIVES = [
    (
        "همه اعضای صنفی تا پایان سال پروانه بهداشتی معتبر داشته باشند",
        "پرونده‌های مجوز اعضا یک‌جا پیگیری می‌شود و آموزش بهداشت برای کارکنان برگزار می‌شود.",
        [
            # title, owner, due (days from today) or None (from the commitment), status, link to a commitment
            ("بررسی یک‌جای پرونده‌های مجوز بهداشتی اعضا", "شرکت شهرک‌های صنعتی", None, "open", True),
            ("دوره آموزش بهداشت عمومی برای کارکنان کارگاه‌ها", "آموزشگاه بهداشت اصناف", -20, "done", False),
            ("راهنمای گام‌به‌گام پروانه ساخت برای اعضای خانگی", "کارشناس شرکت شهرک‌ها", -5, "in_progress", False),
        ],
    ),
    (
        "گزارش منظم قیمت واحد و انتشار بازه‌های قیمت",
        "دست‌کم دو سوم اعضای فعال هر ماه قیمت واحد گزارش دهند.",
        [
            ("یادآوری پیامکی پیش از بسته شدن هر دوره قیمت", "اتحادیه صنف شیرینی‌پزان", 30, "in_progress", False),
            ("انتشار فصلی بازه‌های قیمت منتشرشده", "رئیس اتحادیه", 75, "open", False),
        ],
    ),
    (
        "بسته‌بندی، بازاریابی و فروش مشترک",
        "برند مشترک خوشه، برچسب QR روی جعبه‌ها و حضور در بازارچه‌ها.",
        [
            ("طراحی جعبه و برچسب مشترک خوشه", "کمیته بازاریابی خوشه", 60, "open", False),
            ("غرفه مشترک در بازارچه نوروزی قزوین", "شرکت شهرک‌های صنعتی", 110, "open", False),
        ],
    ),
]


@transaction.atomic
def seed(*, stdout=None):
    staff = User.objects.filter(mobile="09120000010").first()
    today = timezone.localdate()
    if not ActionPlan.objects.filter(title=PLAN_TITLE).exists():
        year = to_jalali(today).year
        plan = services.plan_save(
            plan=ActionPlan(
                title=PLAN_TITLE,
                summary="برنامه‌ای که در همایش تأسیس خوشه بر آن توافق شد: مجوزها، قیمت واحد، بسته‌بندی و فروش.",
                period_start=jalali_month_range(year, 1)[0],
                period_end=jalali_month_range(year, 12)[1],
                endorsed_on=today - datetime.timedelta(days=60),
                endorsed_by="شورای راهبری خوشه",
            ),
            actor=staff,
        )
        commitments = list(Commitment.objects.order_by("id"))
        for order, (title, description, actions) in enumerate(OBJECTIVES, start=1):
            objective = services.objective_save(
                objective=Objective(plan=plan, title=title, description=description, sort_order=order), actor=staff
            )
            for index, (action_title, owner, due_in, status, linked) in enumerate(actions, start=1):
                commitment = commitments[0] if linked and commitments else None
                services.action_save(
                    action=Action(
                        objective=objective,
                        title=action_title,
                        owner_name=owner,
                        due_date=None if commitment else today + datetime.timedelta(days=due_in or 30),
                        status=status,
                        commitment=commitment,
                        sort_order=index,
                    ),
                    actor=staff,
                )
    made = services.quarter_store(quarter=current(today).previous(), actor=staff, today=today)
    if stdout:
        stdout.write(f"plan: the action plan and {len(made)} stored indicators")
