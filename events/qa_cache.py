"""The live Q&A fragment and the projector, rendered once per change and kept in the shared
cache (`cluster_portal.fragment_cache`), never in a worker's memory.

Versions (tokens in the shared cache):
- `events.qa.<event id>`: everything the event's Q&A fragments show. Bumped by
  `events.services.event_qa_changed` (every service that changes questions, votes, answers,
  the projector or commitments) and by the events admin (saves and deletes of events, panels,
  panelists, questions, answers, votes and commitments).
- `people`: how people are named on the portal. Bumped by member anonymisation and by a name
  changed in the users' admin (members).

Entries (`ENTRY_SECONDS`), each stored with the tokens it was rendered under:
- `events:qa-list:<event>:<sort>:<variant>:<language>` — the published questions as estates
  staff see them (the askers of anonymous questions named), as members see them (with vote
  buttons) or as panelists see them (counts only). The member variant is kept as the HTML
  around each vote button's state, and every request fills in the member's own votes
  (`_fill_votes`): one rendering serves every member.
- `events:qa-mine:<event>:<user>:<language>` — one member's votes and "My questions".
- `events:qa-screen:<event>:<language>` — the projector.
`<event>` is the id with the event's creation time, so that a database rebuilt with the same
ids never meets an entry rendered from other rows.

The fragment carries its version `v` (`<event token>.<people token>.<variant>`): a poll that
sends the current one is answered 204. events.middleware serves both answers before sessions
and users load, after one query that checks the user's access."""

from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from cluster_portal import fragment_cache

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


def event_stamp(event_id, created_at) -> str:
    return f"{event_id}.{int(created_at.timestamp() * 1_000_000)}"


def list_key(stamp: str, sort: str, variant: str, language: str) -> str:
    return f"events:qa-list:{stamp}:{sort}:{variant}:{language}"


def mine_key(stamp: str, user_id, language: str) -> str:
    return f"events:qa-mine:{stamp}:{user_id}:{language}"


def screen_key(stamp: str, language: str) -> str:
    return f"events:qa-screen:{stamp}:{language}"


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


def render_mine(event, user) -> tuple[frozenset, str]:
    """One member's own bits: the questions they voted for, and their questions."""
    mine = selectors.my_questions(event=event, user=user)
    html = render_to_string("events/_qa_mine.html", {"event": event, "mine": mine}) if mine else ""
    return frozenset(selectors.my_vote_ids(event=event, user=user)), html


def render_screen(event) -> str:
    return render_to_string(
        "events/_screen_live.html",
        {
            "event": event,
            "current": selectors.current_question(event=event),
            "top": selectors.questions_top_open(event=event, limit=5),
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
    votes, mine_html = mine if mine is not None else (frozenset(), "")
    return f'<input type="hidden" name="v" value="{escape(version)}">\n{mine_html}{_fill_votes(*listing, votes)}'


def cached_body(*, stamp, tokens, user_id, variant, sort, language) -> str | None:
    """The fragment from the shared cache alone (one round trip), or None when a part is
    missing or was rendered under other tokens. Used before sessions load (middleware)."""
    keys = [list_key(stamp, sort, variant, language)]
    if variant == "member":
        keys.append(mine_key(stamp, user_id, language))
    found = fragment_cache.fresh(cache.get_many(keys), keys, tokens)
    if len(found) != len(keys):
        return None
    mine = found.get(keys[1]) if variant == "member" else None
    return assemble(poll_version(tokens, variant), found[keys[0]], mine)


def live_fragment(event, user, access, *, sort: str) -> tuple[str, str]:
    """The fragment for this user (access: events.access.QaAccess) and its version: one round
    trip to the shared cache when nothing changed; what is missing is rendered and stored."""
    language = get_language()
    stamp = event_stamp(event.pk, event.created_at)
    variant = access.variant
    keys = [list_key(stamp, sort, variant, language)]
    if variant == "member":
        keys.append(mine_key(stamp, user.pk, language))
    tokens, found = fragment_cache.read(versions(event.pk), keys)
    listing = found.get(keys[0])
    if listing is None:
        listing = render_list(event, sort=sort, variant=variant)
        fragment_cache.store(keys[0], listing, tokens, ENTRY_SECONDS)
    mine = None
    if variant == "member":
        mine = found.get(keys[1])
        if mine is None:
            mine = render_mine(event, user)
            fragment_cache.store(keys[1], mine, tokens, ENTRY_SECONDS)
    version = poll_version(tokens, variant)
    return assemble(version, listing, mine), version


def screen_html(event) -> str:
    """The projector's live part (no asker of an anonymous question is ever named on it)."""
    key = screen_key(event_stamp(event.pk, event.created_at), get_language())
    tokens, found = fragment_cache.read(versions(event.pk), [key])
    html = found.get(key)
    if html is None:
        html = render_screen(event)
        fragment_cache.store(key, html, tokens, ENTRY_SECONDS)
    return html
