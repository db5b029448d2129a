"""Persian names for what third-party apps show in the admin (axes' sign-in records, django-otp's
authenticators): app names, model names, field names and help texts, which those apps write as
plain English or leave to their label. Set once at start-up (AppConfig.ready); only the running
labels change, never what migrations record (field.verbose_name is derived, Meta options are
read from the model's original attributes, help texts keep their English text as the key)."""

from django.apps import apps
from django.contrib import admin
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

APP_NAMES = {
    "axes": _("Sign-in attempts"),
    "otp_totp": _("Authenticator apps"),
    "otp_static": _("Recovery codes"),
    "django_tasks_database": _("Background tasks"),
}

MODEL_NAMES = {
    ("otp_totp", "totpdevice"): (_("authenticator"), _("authenticators")),
    ("otp_static", "staticdevice"): (_("recovery code set"), _("recovery code sets")),
    ("otp_static", "statictoken"): (_("recovery code"), _("recovery codes")),
    ("django_tasks_database", "dbtaskresult"): (_("task result"), _("task results")),
}

FIELD_NAMES = {
    "user": _("user"),
    "name": _("name"),
    "confirmed": _("confirmed"),
    "throttling_failure_timestamp": _("last failed attempt"),
    "throttling_failure_count": _("failed attempts in a row"),
    "created_at": _("created at"),
    "last_used_at": _("last used at"),
    "key": _("secret key"),
    "step": _("time step"),
    "t0": _("start time"),
    "digits": _("digits"),
    "tolerance": _("tolerance"),
    "drift": _("clock drift"),
    "last_t": _("last time step used"),
    "device": _("device"),
    "token": _("code"),
    # django-tasks-db's task results
    "id": _("ID"),
    "enqueued_at": _("queued at"),
    "started_at": _("started at"),
    "finished_at": _("finished at"),
    "args_kwargs": _("arguments"),
    "priority": _("priority"),
    "task_path": _("task"),
    "worker_ids": _("workers"),
    "queue_name": _("queue"),
    "backend_name": _("backend"),
    "run_after": _("run after"),
    "return_value": _("return value"),
    "exception_class_path": _("error type"),
    "traceback": _("traceback"),
}

# django-tasks' states (pgettext "Task"): translated in our catalogue.
TASK_STATES = [
    pgettext_lazy("Task", "Ready"),
    pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
]

HELP_TEXTS = [
    gettext_noop("The user that this device belongs to."),
    gettext_noop("The human-readable name of this device."),
    gettext_noop("Is this device ready for use?"),
    gettext_noop("A timestamp of the last failed verification attempt. Null if last attempt succeeded."),
    gettext_noop("Number of successive failed attempts."),
    gettext_noop("The date and time when this device was initially created in the system."),
    gettext_noop("The most recent date and time this device was used."),
    gettext_noop("A hex-encoded secret key of up to 40 bytes."),
    gettext_noop("The time step in seconds."),
    gettext_noop("The Unix time at which to begin counting steps."),
    gettext_noop("The number of digits to expect in a token."),
    gettext_noop("The number of time steps in the past or future to allow."),
    gettext_noop("The number of time steps the prover is known to deviate from our clock."),
    gettext_noop("The t value of the latest verified token. The next token must be at a higher time step."),
]

# axes' own Persian catalogue leaves these in English (or half English); ours wins.
AXES_STRINGS = [
    gettext_noop("User Agent"),
    gettext_noop("Locked Out"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
]


def install() -> None:
    help_texts = set(HELP_TEXTS)
    for label, name in APP_NAMES.items():
        if label in apps.app_configs:
            apps.get_app_config(label).verbose_name = name
    for (app_label, model_name), (singular, plural) in MODEL_NAMES.items():
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        model._meta.verbose_name = singular
        model._meta.verbose_name_plural = plural
        for field in model._meta.concrete_fields:
            if field.name in FIELD_NAMES:
                field.verbose_name = FIELD_NAMES[field.name]
            if isinstance(field.help_text, str) and field.help_text in help_texts:
                field.help_text = gettext_lazy(field.help_text)  # the English text stays the value
        model_admin = admin.site._registry.get(model)
        if model_admin is not None and model_admin.search_help_text:
            # django-otp writes "Search by user's mobile or email" in plain English.
            model_admin.search_help_text = _("Search by the user's mobile number or e-mail")
        _label_task_results(model, model_admin)
        qrcode_link = getattr(type(model_admin), "qrcode_link", None) if model_admin else None
        if qrcode_link is not None:
            qrcode_link.short_description = _("QR code")


def _label_task_results(model, model_admin) -> None:
    """django-tasks-db's admin labels its computed columns in plain English."""
    if model._meta.label_lower != "django_tasks_database.dbtaskresult":
        return
    task_name = getattr(model, "task_name", None)
    if isinstance(task_name, property):
        task_name.fget.short_description = _("task")
    labels = {"formatted_traceback": _("traceback"), "display_run_after": _("run after")}
    for name, label in labels.items():
        method = getattr(type(model_admin), name, None) if model_admin else None
        if method is not None:
            method.short_description = label
