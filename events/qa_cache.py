"""The live Q&A fragment and the projector, rendered once per change and kept in the shared
cache (`core.fragment_cache`), never in a worker's memory.

Versions (tokens in the shared cache):
- `events.qa.<event id>`: everything the event's Q&A fragments show. Bumped by
  `events.services.event_qa_changed` (every service that changes questions, votes, answers,
  the projector or commitments) and by the events admin (saves and deletes of events, panels,
  panelists, questions, answers, votes and commitments).
- `people`: how people are named on the portal. Bumped by member anonymisation and by a name
  changed in the users' admin (members).

Entries (`ENTRY_SECONDS`), each stored with the tokens it was rendered under and the event's
creation time (a database rebuilt with the same ids never meets an entry rendered from other
rows):
- `events:qa-list:<event>:<sort>:<variant>:<language>` — the published questions as estates
  staff see them (the askers of anonymous questions named), as members see them (with vote
  buttons) or as panelists see them (counts only). The member variant is kept as the HTML
  around each vote button's state, and every request fills in the member's own votes
  (`_fill_votes`): one rendering serves every member.
- `events:qa-mine:<event>:<owner>:<language>` — one member's votes and "My questions", for a
  browser session (a digest of its key; what the poll's quick path knows before reading
  anything) and holding the user's id, which must match.
- `events:qa-screen:<event>:<language>` — the projector.

The fragment carries its version `v` (`<event token>.<people token>.<variant>`): a poll that
sends the current one is answered 204. events.middleware serves both answers before sessions
and users load, after one query that checks the user's access."""

import hashlib

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from core import fragment_cache

from . import selectors
from .models import Question

ENTRY_SECONDS = 600
PEOPLE = fragment_cache.PEOPLE
SORTS = ("votes", "new")
VARIANTS = ("staff", "member", "viewer")
# Where a vote button's state goes in the member variant's HTML: a comment (escaped question
# text can never contain "<"), filled per request with `VOTE_ON` or `VOTE_OFF`.
VOTE_HOLE = "<!--vote-state-->"
VOTE_ON = """aria-pressed="true" hx-vals='{"state": "off"}'"""
VOTE_OFF = """aria-pressed="false" hx-vals='{"state": "on"}'"""


def qa_version_name(event_id) -> str:
    return f"events.qa.{event_id}"


def versions(event_id) -> tuple[str, str]:
    return (qa_version_name(event_id), PEOPLE)


def bump_event(*event_ids) -> None:
    """What an event's Q&A shows changed: every cached fragment of it is outdated at once."""
    fragment_cache.bump(*(qa_version_name(pk) for pk in sorted(set(event_ids)) if pk))


def bump_people() -> None:
    fragment_cache.bump(PEOPLE)


TEMPLATES = ("events/_qa_public.html", "events/_qa_mine.html", "events/_screen_live.html")


def event_stamp(created_at) -> str:
    """Part of what every entry of an event is stored with: the event's creation time (a
    database rebuilt with the same ids never meets an entry rendered from other rows) and the
    fingerprint of the templates and of this module (a release that changes them never serves
    what the one before cached)."""
    release = fragment_cache.fingerprint(templates=TEMPLATES, files=(__file__,))
    return f"{int(created_at.timestamp() * 1_000_000)}.{release}"


def list_key(event_id, sort: str, variant: str, language: str) -> str:
    return f"events:qa-list:{event_id}:{sort}:{variant}:{language}"


def owner(*, session_key=None, user_id=None) -> str:
    """Whose personal entry: the browser session (what the poll's quick path knows before it
    has read anything) or, without a session, the user."""
    if session_key:
        return "s" + hashlib.sha256(session_key.encode()).hexdigest()[:32]
    return f"u{user_id}"


def mine_key(event_id, owner_id: str, language: str) -> str:
    return f"events:qa-mine:{event_id}:{owner_id}:{language}"


def screen_key(event_id, language: str) -> str:
    return f"events:qa-screen:{event_id}:{language}"


def poll_version(tokens, variant: str) -> str:
    return f"{tokens[0]}.{tokens[1]}.{variant}"


def sort_of(value) -> str:
    return "new" if value == "new" else "votes"


# --- Rendering (once per version) --------------------------------------------------------------


def render_list(event, *, sort: str, variant: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The published questions (one query), as the HTML between the vote buttons' states and
    the ids of those buttons' questions in order (for the variants without buttons: one piece)."""
    questions = selectors.questions_public(event=event, sort=sort)
    sections = [
        ("open", [q for q in questions if q.status == Question.Status.APPROVED]),
        ("answered", [q for q in questions if q.status == Question.Status.ANSWERED]),
    ]
    can_vote = variant == "member"
    html = render_to_string(
        "events/_qa_public.html",
        {
            "sections": sections,
            "show_names": variant == "staff",
            "can_vote": can_vote,
            "sort": sort,
            "vote_url": reverse("events:question_vote", args=[event.pk, 999_999_999]).split("999999999"),
            "vote_state": mark_safe(VOTE_HOLE),  # noqa: S308  # nosec B308 B703 (a constant)
        },
    )
    ids = tuple(q.pk for _kind, listed in sections for q in listed) if can_vote else ()
    return tuple(html.split(VOTE_HOLE)), ids


def render_mine(event, user) -> tuple[int, frozenset, str]:
    """One member's own bits: who they are, the questions they voted for, and their questions."""
    mine = selectors.my_questions(event=event, user=user)
    html = render_to_string("events/_qa_mine.html", {"event": event, "mine": mine}) if mine else ""
    return user.pk, frozenset(selectors.my_vote_ids(event=event, user=user)), html


def render_screen(event) -> str:
    return render_to_string(
        "events/_screen_live.html",
        {
            "event": event,
            "current": selectors.current_question(event=event),
            "top": selectors.questions_top_open(event=event, limit=5),
            "answered": selectors.questions_answered_recent(event=event, limit=4),
        },
    )


# --- Putting a fragment together -----------------------------------------------------------------


def _fill_votes(pieces, ids, votes) -> str:
    if not ids:
        return "".join(pieces)
    parts = [pieces[0]]
    for question_id, piece in zip(ids, pieces[1:], strict=True):
        parts.append(VOTE_ON if question_id in votes else VOTE_OFF)
        parts.append(piece)
    return "".join(parts)


def assemble(version: str, listing, mine=None) -> str:
    """The fragment: its version (sent back by the next poll), the member's own questions and
    the public list with the member's votes marked."""
    _user_id, votes, mine_html = mine if mine is not None else (None, frozenset(), "")
    return f'<input type="hidden" name="v" value="{escape(version)}">\n{mine_html}{_fill_votes(*listing, votes)}'


def entry_keys(event_id, *, variant, sort, language, owner_id) -> list[str]:
    keys = [list_key(event_id, sort, variant, language)]
    if variant == "member":
        keys.append(mine_key(event_id, owner_id, language))
    return keys


def cached_body(found: dict, keys, *, tokens, stamp, user_id, variant) -> str | None:
    """The fragment from entries already read from the shared cache (`keys` from
    `entry_keys`), or None when one is missing, was rendered under other tokens or, for the
    personal part, for another user. Used before sessions load (events.middleware)."""
    entries = fragment_cache.fresh(found, keys, (*tokens, stamp))
    if len(entries) != len(keys):
        return None
    mine = entries.get(keys[1]) if variant == "member" else None
    if mine is not None and mine[0] != user_id:
        return None
    return assemble(poll_version(tokens, variant), entries[keys[0]], mine)


def live_fragment(event, user, access, *, sort: str, session_key=None) -> tuple[str, str]:
    """The fragment for this user (access: events.access.QaAccess) and its version: one round
    trip to the shared cache when nothing changed; what is missing is rendered and stored."""
    language = get_language()
    stamp = event_stamp(event.created_at)
    variant = access.variant
    owner_id = owner(session_key=session_key, user_id=user.pk)
    keys = entry_keys(event.pk, variant=variant, sort=sort, language=language, owner_id=owner_id)
    tokens, found = fragment_cache.read(versions(event.pk), keys, identity=(stamp,))
    stored_under = (*tokens, stamp)
    listing = found.get(keys[0])
    if listing is None:
        listing = render_list(event, sort=sort, variant=variant)
        fragment_cache.store(keys[0], listing, stored_under, ENTRY_SECONDS)
    mine = None
    if variant == "member":
        mine = found.get(keys[1])
        if mine is None or mine[0] != user.pk:
            mine = render_mine(event, user)
            fragment_cache.store(keys[1], mine, stored_under, ENTRY_SECONDS)
    version = poll_version(tokens, variant)
    return assemble(version, listing, mine), version


def screen_html(event) -> str:
    """The projector's live part (no asker of an anonymous question is ever named on it)."""
    stamp = event_stamp(event.created_at)
    key = screen_key(event.pk, get_language())
    tokens, found = fragment_cache.read(versions(event.pk), [key], identity=(stamp,))
    html = found.get(key)
    if html is None:
        html = render_screen(event)
        fragment_cache.store(key, html, (*tokens, stamp), ENTRY_SECONDS)
    return html
