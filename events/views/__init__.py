"""Views of the events app, one module per area: `events` (list, detail, calendar file),
`registration` (registering, tickets, check-in), `qa` (the live Q&A of members), `moderation`
(staff and panelists: the queue, its actions, the projector), `report` (the minutes) and
`commitments`. Views are thin: parse, check access (events.access), call a service, render or
redirect; each docstring says who may use it."""
