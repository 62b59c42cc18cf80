"""Options shared by the exporters of one run (and the chart images they share)."""

from __future__ import annotations

from dataclasses import dataclass, field

from siem2graph.impact import ContentImpact
from siem2graph.model import AuditReport
from siem2graph.report.images import ChartImages, chart_images


@dataclass
class RenderOptions:
    """``images``: chart images in XLSX and PDF; None renders them when a Chromium is found.

    ``content``: a content impact to include as tables (and in report.json); None leaves it out.
    """

    images: bool | None = None
    content: ContentImpact | None = None
    _cache: dict[tuple[int, str], ChartImages] = field(default_factory=dict, repr=False)

    def charts(self, report: AuditReport, fmt: str = "png") -> ChartImages:
        """The chart images as ``fmt``, rendered once per report for every format of the run."""
        key = (id(report), fmt)
        if key not in self._cache:
            self._cache[key] = chart_images(report, self.images, fmt)
        return self._cache[key]
