"""Extension points of the members app. The apps above members (events, pricing, permits, …)
fill them in their `AppConfig.ready()`; members itself imports none of them.

- Dashboard sections: `register_dashboard_section(provider, models=..., shared_models=...)`; a
  provider is `provider(*, request, member) -> dict | None` returning `{"title", "template",
  "context", "order"}` and costs a constant number of queries. `models` are the app's tables
  the section reads whose rows point at a member or a user (saving one renews that member's
  and user's cached dashboard); `shared_models` the tables every dashboard shows (saving one
  renews them all). Writes a signal does not see (`QuerySet.update()`) bump the versions in the
  service (`members.dashboard_cache.bump_member/bump_user/bump_global`).
- Table versions: `register_table_versions(*models)`: saving or deleting a row, or adding or
  removing one of its many-to-many links, renews the version
  `members.dashboard_cache.tables_token(label)` that caches built from the table are keyed by.
- Member erasure: `register_member_eraser(eraser)`; an eraser is `eraser(member)` and removes or
  scrubs what its app keeps about a member being anonymised, inside the caller's transaction."""

from collections.abc import Callable

from . import dashboard_cache

_dashboard_sections: list[Callable] = []
_member_erasers: list[Callable] = []


def register_dashboard_section(provider: Callable, *, models=(), shared_models=()) -> None:
    if provider not in _dashboard_sections:
        _dashboard_sections.append(provider)
    dashboard_cache.watch(models, shared=shared_models)


def register_table_versions(*models) -> None:
    dashboard_cache.watch(versioned=models)


def dashboard_section_providers() -> tuple[Callable, ...]:
    return tuple(_dashboard_sections)


def register_member_eraser(eraser: Callable) -> None:
    if eraser not in _member_erasers:
        _member_erasers.append(eraser)


def member_erasers() -> tuple[Callable, ...]:
    return tuple(_member_erasers)
