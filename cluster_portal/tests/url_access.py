from tests.access import LOGIN, PUBLIC, SIGNED_IN, Rule

# Two-step sign-in pages (cluster_portal/twofactor.py). In the walk, staff, union head and
# superuser are signed in with their authenticator; the others have none.
_REDIRECT_WHEN_SIGNED_IN = {**dict.fromkeys(PUBLIC, 302), "anonymous": LOGIN}
_PRIVILEGED_302 = {"staff": 302, "union_head": 302, "superuser": 302}

URL_ACCESS = {
    "home": Rule(PUBLIC),
    "healthz": Rule(PUBLIC),
    "readyz": Rule(PUBLIC),
    "set_language": Rule(dict.fromkeys(PUBLIC, 302), method="post", data={"language": "en", "next": "/"}),
    "login": Rule({**PUBLIC, **{r: 302 for r in PUBLIC if r != "anonymous"}}),
    "logout": Rule(dict.fromkeys(PUBLIC, 302), method="post"),
    "password_change": Rule(SIGNED_IN),
    "password_change_done": Rule(SIGNED_IN),
    "password_reset": Rule(PUBLIC),
    "password_reset_done": Rule(PUBLIC),
    "password_reset_confirm": Rule(PUBLIC, kwargs=lambda actors: {"uidb64": "MQ", "token": "set-password"}),
    "password_reset_complete": Rule(PUBLIC),
    "notifications": Rule(SIGNED_IN),
    "twofactor:manage": Rule(SIGNED_IN),
    "twofactor:verify": Rule(_REDIRECT_WHEN_SIGNED_IN),  # to set-up (no device) or on (verified)
    "twofactor:setup": Rule({**SIGNED_IN, **_PRIVILEGED_302}),  # already set up → manage
    "twofactor:recovery": Rule(SIGNED_IN),
    "twofactor:disable": Rule(_REDIRECT_WHEN_SIGNED_IN, method="post"),
    "sitemap": Rule(PUBLIC),
    "notifications_mark_read": Rule({**dict.fromkeys(PUBLIC, 302), "anonymous": "login"}, method="post"),
}
