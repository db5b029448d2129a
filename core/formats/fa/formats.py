"""Persian number formats: the Persian thousands separator (٬, U+066C) in groups of three and
the Persian decimal separator (٫, U+066B), as the portal's `num` filter writes them. Django's
own fa module gives the rest (first day of the week, date formats, which the portal replaces
with Jalali dates anyway). Grouping is applied only where a caller asks for it (the `num`
filter, humanize's intcomma, the admin's number display): USE_THOUSAND_SEPARATOR stays off so
that identifiers and primary keys written into templates are never grouped."""

DECIMAL_SEPARATOR = "٫"
THOUSAND_SEPARATOR = "٬"
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 6  # Saturday
