"""Extension points of the members app. The apps above members (events, pricing, permits, …)
fill them in their `AppConfig.ready()`; members itself imports none of them.

- Dashboard sections: `register_dashboard_section(provider)`; a provider is
  `provider(*, request, member) -> dict | None` returning `{"title", "template", "context",
  "order"}` and costs a constant number of queries.
- Member erasure: `register_member_eraser(eraser)`; an eraser is `eraser(member)` and removes or
  scrubs what its app keeps about a member being anonymised, inside the caller's transaction."""

from collections.abc import Callable

_dashboard_sections: list[Callable] = []
_member_erasers: list[Callable] = []


def register_dashboard_section(provider: Callable) -> None:
    if provider not in _dashboard_sections:
        _dashboard_sections.append(provider)


def dashboard_section_providers() -> tuple[Callable, ...]:
    return tuple(_dashboard_sections)


def register_member_eraser(eraser: Callable) -> None:
    if eraser not in _member_erasers:
        _member_erasers.append(eraser)


def member_erasers() -> tuple[Callable, ...]:
    return tuple(_member_erasers)
