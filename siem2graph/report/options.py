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
    _cache: tuple[AuditReport, ChartImages] | None = field(default=None, repr=False)

    def charts(self, report: AuditReport) -> ChartImages:
        """The chart images, rendered once per report for every format of the run."""
        if self._cache is None or self._cache[0] is not report:
            self._cache = (report, chart_images(report, self.images))
        return self._cache[1]
