"""The content-impact page (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from siem2graph.audit import audit_files
from ui import state
from ui.samples import SAMPLE_CONTENT, SAMPLE_GRAPH, SAMPLE_LEGACY

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "pages" / "content_impact.py"


class _Report:
    fields = ()
    value_pairs = pd.DataFrame()


def test_page_without_audit_or_uploads_explains_what_it_needs() -> None:
    app = AppTest.from_file(str(PAGE), default_timeout=30).run()
    assert not app.exception
    infos = [info.value for info in app.info]
    assert any("Value checks need an audit" in text for text in infos)
    assert any("Upload one or more content files" in text for text in infos)
    assert not app.dataframe


def test_page_with_an_audit_does_not_ask_for_one() -> None:
    app = AppTest.from_file(str(PAGE), default_timeout=30)
    app.session_state[state.REPORT] = _Report()
    app.session_state[state.REPORT_ID] = "fake-report"
    app.run()
    assert not app.exception
    assert not any("Value checks need an audit" in info.value for info in app.info)


def test_page_shows_rules_references_and_the_rewrite_as_code() -> None:
    corpus = ROOT / "tests" / "content_corpus"
    spl = corpus / "splunk" / "mde_informational_noise.spl"
    app = AppTest.from_file(str(PAGE), default_timeout=30).run()
    app.file_uploader[0].set_value(
        [
            (spl.name, spl.read_bytes(), "text/plain"),
            ("bad.json", b"{", "application/json"),
        ]
    ).run()
    assert not app.exception
    problems, rules, references = (frame.value for frame in app.dataframe)
    assert list(problems["file"]) == ["bad.json"]
    assert list(rules["verdict"]) == ["needs_renames"]
    assert list(references["field"]) == ["Severity", "AlertTitle"]
    assert [code.value.rstrip("\n") for code in app.code] == [
        spl.read_text(encoding="utf-8").rstrip("\n"),
        'index=mde sourcetype="mde:siem:alert" severity="informational"\n| top limit=20 title',
    ]
    assert list(rules["bridge"]) == ["works_on_bridge"]
    metrics = {metric.label: metric.value for metric in app.metric}
    assert (metrics["rules that work on the bridge"], metrics["not affected"]) == ("1", "0")
    assert any("detections" in text.value for text in app.text)  # `top` counts rows
    assert any("runnable" in header.value for header in app.subheader)
    assert [r.name for r in app.session_state[state.CONTENT_IMPACT][1].rules] == [spl.name]
    app.multiselect[0].set_value(["broken"]).run()
    assert app.dataframe[1].value.empty and not app.code


def test_page_takes_more_siem_sources() -> None:
    app = AppTest.from_file(str(PAGE), default_timeout=30).run()
    app.file_uploader[0].set_value([("r.spl", b"index=soc Severity=High", "text/plain")]).run()
    assert list(app.dataframe[0].value["verdict"]) == ["not_affected"]
    app.text_input[0].set_value("soc, other").run()
    assert not app.exception
    assert list(app.dataframe[0].value["verdict"]) == ["needs_renames"]


def test_page_keeps_the_last_analysis_until_forgotten() -> None:
    spl = ROOT / "tests" / "content_corpus" / "splunk" / "mde_informational_noise.spl"
    app = AppTest.from_file(str(PAGE), default_timeout=30).run()
    app.file_uploader[0].set_value([(spl.name, spl.read_bytes(), "text/plain")]).run()
    app.file_uploader[0].set_value([]).run()  # as after leaving the page and coming back
    assert not app.exception
    assert list(app.dataframe[0].value["rule"]) == [spl.name]
    assert "last analysis" in app.caption[1].value
    app.button[0].click().run()
    assert state.CONTENT_IMPACT not in app.session_state
    assert any("Upload one or more content files" in info.value for info in app.info)


def test_the_sample_rules_are_analysed_against_the_sample_audit() -> None:
    report = audit_files(SAMPLE_LEGACY, SAMPLE_GRAPH)
    app = AppTest.from_file(str(PAGE), default_timeout=30)
    app.session_state[state.REPORT] = report
    app.session_state[state.REPORT_ID] = "the-sample"
    app.run()
    assert not app.dataframe
    (sample,) = [b for b in app.button if b.label == "Try the sample rules"]
    sample.click().run()
    assert not app.exception
    assert not any("Upload one or more content files" in info.value for info in app.info)
    rules = app.dataframe[0].value.set_index("rule")
    assert set(rules["file"]) == {p.name for p in SAMPLE_CONTENT.iterdir()}
    # judged against what the sample's audit observed: Persistence stays Persistence in Graph,
    # Malware became several categories; IoC fields and Md5 have no Graph field at all
    assert rules["verdict"].to_dict() == {
        "MDE - High severity malware by device": "broken",
        "MDE - Alerts on internal subnets": "broken",
        "MDE - Known bad MD5": "broken",
        "MDE - Persistence on servers": "needs_renames",
        "MDE SIEM - EDR high severity by device": "loses_inputs",
        "MDE SIEM custom indicator matched": "broken",
    }
    app.multiselect[0].set_value(["broken"]).run()  # the analysis stays for the session
    assert len(app.dataframe[0].value) == 4
    assert any("last analysis" in caption.value for caption in app.caption)


def test_the_rules_table_puts_each_verdict_and_its_fields_before_the_long_texts() -> None:
    """At 1280 px the verdicts and the fields they rest on are in sight; a rule's notes and
    rewrite are shown below it once chosen, not as columns scrolled out of sight; so is each
    reference's verdict and its reason."""
    spl = ROOT / "tests" / "content_corpus" / "splunk" / "mde_informational_noise.spl"
    app = AppTest.from_file(str(PAGE), default_timeout=30).run()
    app.file_uploader[0].set_value([(spl.name, spl.read_bytes(), "text/plain")]).run()
    shown = list(app.dataframe[0].proto.column_order)
    assert shown[:5] == ["rule", "verdict", "bridge", "references", "fields"]
    assert not {"rewrite", "rewrite_note", "note", "count_note"} & set(shown)
    # the chosen rule's references: each field's verdict and why, not the rule's name again
    references = list(app.dataframe[1].proto.column_order)
    assert references[:5] == ["field", "verdict", "replacement", "literal", "note"]
    assert not {"rule", "file", "format"} & set(references)
