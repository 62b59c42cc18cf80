"""sample_data/README.md: the human-readable twin of expected.json."""

from __future__ import annotations

from typing import Any

from tools.sample.truth import DELIBERATE, VERDICTS

_HEADLINE = {
    "legacy_rows": "legacy CSV rows (detections)",
    "legacy_alerts": "distinct legacy AlertIds",
    "graph_records": "Graph records in the file (with older copies)",
    "graph_alerts": "Graph alerts after keeping the latest copy of each id",
    "graph_duplicates": "older copies the reader must drop",
    "matched_alerts": "alerts on both sides",
    "legacy_only_count": "legacy-only alerts",
    "graph_only_count": "Graph-only alerts",
}
_REASONS = {
    "outside_graph_window": "AlertTime 1-3 days before the first Graph alert",
    "not_in_graph": "inside the window, simply absent from Graph",
}


def render_readme(expected: dict[str, Any], command: str) -> str:
    """The README text for a generated sample (every count comes from ``expected``)."""
    lines = [
        "# Bundled sample: legacy SIEM export vs Graph alerts_v2",
        "",
        "Synthetic but realistic data for trying the audit without a tenant, and the ground truth",
        "the tests assert. Generated, never hand-edited:",
        "",
        f"    {command}",
        "",
        f"Seed {expected['seed']}, {expected['n_alerts']} legacy alerts, window "
        f"{expected['window']['start'][:10]} + {expected['window']['days']} days. "
        "The same command writes the same bytes.",
        "",
        "| file | what |",
        "|---|---|",
        f"| `{expected['files']['legacy']}` | the SIEM API export as a SIEM saved it: the 50 "
        "payload keys (real spellings: `IpAddress`, `Url`, `ThreatFamily`, `ReportID`...) plus "
        "`SplunkIndex` and `ingest_host`, which map to no SIEM field |",
        f"| `{expected['files']['graph']}` | the matching `GET /security/alerts_v2` list "
        "response, one alert per line inside `value` |",
        "| `expected.json` | the expected audit outcome (machine-readable) |",
        "| `content/` | detection rules a SOC keeps over these alerts (Splunk saved searches, a "
        "Sentinel rule, a Sigma rule), written by hand, not generated: Content impact's *Try the "
        "sample rules* |",
        "",
        "## Counts",
        "",
        "| key | count | meaning |",
        "|---|---|---|",
        *(f"| `{k}` | {expected[k]} | {text} |" for k, text in _HEADLINE.items()),
        "",
        "Legacy-only alerts by reason (ids in `expected.json`):",
        "",
        "| reason | count | meaning |",
        "|---|---|---|",
        *(
            f"| `{k}` | {expected['legacy_only_by_reason'].get(k, 0)} | {text} |"
            for k, text in _REASONS.items()
        ),
        "",
        "Graph-only alerts: Defender for Identity and Office 365 alerts (the SIEM API never",
        "carried them; id prefixes `aa`/`fa` are [inferred]) and a few MDE alerts.",
        "",
        "## Deliberate differences (counts are of matched alerts)",
        "",
        "| key | count | what, and the verdict it must produce |",
        "|---|---|---|",
        *(f"| `{k}` | {expected['deliberate'][k]} | {text} |" for k, text in DELIBERATE.items()),
        "",
        "Also on the legacy side only (fields with no Graph equivalent): IoC columns on custom-TI",
        "detections, `Md5` on file detections, `InternalIPv4List`/`InternalIPv6List` on every",
        "detection. Everything else is consistent: times within the comparators' tolerances",
        "(first AlertTime <= 120 s before createdDateTime, last LastProcessedTimeUtc <= 10 min",
        "after lastActivityDateTime), same hashes, names, folders, command lines, tags, users.",
        "",
        "## Expected verdicts per field (matched alerts)",
        "",
        "Legacy values = distinct non-empty values over the alert's detections (`set` fields: the",
        "items split on `;` and `,`); Graph values = all values at the field's paths.",
        "",
        "| field | " + " | ".join(VERDICTS) + " |",
        "|---" * (len(VERDICTS) + 1) + "|",
        *(
            f"| {name} | " + " | ".join(str(counts[v]) for v in VERDICTS) + " |"
            for name, counts in expected["fields"].items()
        ),
        "",
        "Consequences of the mapping worth knowing when reading these: every evidence item has",
        "a `remediationStatus`, so RemediationAction/RemediationIsSuccess are `new_in_graph`",
        "whenever the legacy side is empty; Graph adds a userEvidence to antivirus alerts",
        "(UserName `new_in_graph`) and process evidence to SmartScreen/custom-TI alerts (file",
        "fields `new_in_graph`); MachineDomain is `new_in_graph` for workgroup machines.",
        "",
        "## Fields with no Graph equivalent (all legacy alerts)",
        "",
        "| field | rows with a value | alerts with a value | matched alerts with a value |",
        "|---|---|---|---|",
        *(
            f"| {name} | {c['rows']} | {c['alerts']} | {c['matched_alerts']} |"
            for name, c in expected["dropped_fields"].items()
        ),
        "",
        "## What is real and what is made up",
        "",
        "Key spellings, id formats (`da` + .NET ticks of the creation time + `_` + signed int32;",
        "GUID-style ids), link forms, enum values and evidence shapes follow",
        "the real payloads in `tests/realworld/`. Detector GUIDs are real for 'Suspicious",
        "PowerShell command line', 'Sensitive information lookup' and 'Suspicious execution of",
        "hidden file'; the others are stable made-up GUIDs. Host, user, hash and IP values are",
        "random.",
        "",
    ]
    return "\n".join(lines)
