"""Charts: one shape of data for `static/js/charts.js` (Chart.js) and the same figures as a
table for those who cannot see the picture.

A view builds a `Chart` and the template includes `partials/_chart.html` with it: a
`<figure>` with its caption, the canvas (`role="img"`, `aria-label`), the data as
`json_script` (no inline script: CSP) and the table alternative — an existing table on the page
(`table_id`) or one rendered from the chart's own figures. Pages with charts load
`vendor/chartjs/chart.umd.min.js` and `js/charts.js` (`partials/_chart_js.html`).

Datasets are dicts: `label`, `data` (numbers, None for a gap, or `[low, high]` pairs for
floating range bars), and optionally `type` ("bar"/"line" in a mixed chart), `stack`,
`medians` (a marker drawn across each floating bar), `hidden` (off until its legend entry is
tapped), `color` (an index into the shared palette). Numbers are shown with Persian digits and
grouping on Persian pages, by the browser (`Intl.NumberFormat("fa-IR")`) and by `|num` in the
table."""

from dataclasses import dataclass, field

from django.utils.translation import get_language


def _persian() -> bool:
    return (get_language() or "fa").startswith("fa")


@dataclass
class Chart:
    id: str
    title: str
    labels: list
    datasets: list
    kind: str = "bar"
    unit: str = ""
    horizontal: bool = False
    stacked: bool = False
    table_id: str = ""  # an existing table with the same figures (else one is rendered)
    description: str = ""
    min_zero: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def data_id(self) -> str:
        return f"{self.id}-data"

    @property
    def height_step(self) -> int:
        """A horizontal chart's box is as tall as its rows need, in steps of 20 px (CSS classes
        `chart-h-<step>` in shared.css, 10–60): set in the page, so drawing moves nothing."""
        if not self.horizontal:
            return 0
        per = 38 if self.stacked else 18 * max(1, len(self.datasets)) + 14
        return min(60, max(10, -(-(len(self.labels) * per + 90) // 20)))

    @property
    def is_empty(self) -> bool:
        return not self.labels or not any(
            value is not None for dataset in self.datasets for value in dataset.get("data", [])
        )

    def data(self) -> dict:
        """What charts.js reads (passed with json_script)."""
        return {
            "kind": self.kind,
            "labels": [str(label) for label in self.labels],
            "datasets": [{**d, "label": str(d["label"])} for d in self.datasets],
            "unit": str(self.unit),
            "horizontal": self.horizontal,
            "stacked": self.stacked,
            "minZero": self.min_zero,
            "persian": _persian(),
            **self.extra,
        }

    def table(self) -> dict:
        """The same figures as rows (one per label) and columns (one per dataset)."""
        return {
            "columns": [str(d["label"]) for d in self.datasets],
            "rows": [
                (str(label), [self._cell(d, index) for d in self.datasets]) for index, label in enumerate(self.labels)
            ],
        }

    @staticmethod
    def _cell(dataset, index):
        value = dataset["data"][index]
        median = (dataset.get("medians") or [None] * (index + 1))[index]
        return {"value": value, "pair": isinstance(value, list | tuple), "median": median}
