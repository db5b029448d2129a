from tests.access import LOGIN, PUBLIC, SIGNED_IN, VISITORS, Rule

_REDIRECT_WHEN_SIGNED_IN = {**dict.fromkeys(PUBLIC, 302), "anonymous": LOGIN}

URL_ACCESS = {
    "home": Rule(PUBLIC, public_cache=VISITORS),
    "healthz": Rule(PUBLIC),
    "readyz": Rule(PUBLIC),
    "set_language": Rule(dict.fromkeys(PUBLIC, 302), method="post", data={"language": "en", "next": "/"}),
    "login": Rule({**PUBLIC, **{r: 302 for r in PUBLIC if r != "anonymous"}}),
    # Sign-in by SMS code: step one is public; the code page needs a number chosen in step one
    # (without one: back to step one, under /accounts/login/); signed-in users are sent on.
    "login_code": Rule({**PUBLIC, **{r: 302 for r in PUBLIC if r != "anonymous"}}),
    "login_code_verify": Rule(_REDIRECT_WHEN_SIGNED_IN),
    "logout": Rule(dict.fromkeys(PUBLIC, 302), method="post"),
    "password_change": Rule(SIGNED_IN),
    "password_change_done": Rule(SIGNED_IN),
    "password_reset": Rule(PUBLIC, public_cache=VISITORS),
    "password_reset_done": Rule(PUBLIC, public_cache=VISITORS),
    "password_reset_confirm": Rule(PUBLIC, kwargs=lambda actors: {"uidb64": "MQ", "token": "set-password"}),
    "password_reset_complete": Rule(PUBLIC, public_cache=VISITORS),
    "notifications": Rule(SIGNED_IN),
    "sitemap": Rule(PUBLIC, public_cache=VISITORS),
    "notifications_mark_read": Rule({**dict.fromkeys(PUBLIC, 302), "anonymous": "login"}, method="post"),
}
