"""Write the legacy-input corpus into tests/legacy_corpus/files/ (run once; outputs are committed).

    .venv/bin/python -m tests.legacy_corpus.make_corpus

Every file's expected outcome is in expected.yaml (written by hand, not generated).
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import random
import zipfile
from pathlib import Path

from tests.helpers import RAPID7

OUT = Path(__file__).resolve().parent / "files"
HEADER = ["AlertId", "AlertTime", "Severity", "AlertTitle", "Description", "CommandLine"]
ROWS = [
    ["da637370718981685665_16349121", "2020-09-30T14:09:20.35743Z", "High", "Suspicious File",
     "Line one\r\nLine two", 'cmd.exe /c "echo, hi"'],
    ["636207535742330111_-1114309685", "2017-01-23T07:32:54.1861171Z", "Medium", "Mimikatz",
     "Plain", ""],
    ["da637551227677560813_-961444813", "2021-04-27 12:19:27", "Low", "Lookup", "", "reg.exe"],
]  # fmt: skip


def csv_text(rows: list[list[str]], delimiter: str = ",", header: list[str] = HEADER) -> str:
    """Excel-style CSV: CRLF line ends, quotes only where needed."""
    out = io.StringIO()
    import csv

    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def nested(depth: int) -> object:
    value: object = "leaf"
    for _ in range(depth):
        value = {"x": value}
    return value


def corpus() -> dict[str, bytes]:
    plain = csv_text(ROWS)
    siem = json.loads((RAPID7 / "siem_api_fake_alert_w10-for-atp_2018.json").read_text())[0]
    records_2017 = [
        {**siem, "Actor": None, "IpAddress": None, "AlertId": f"63620753574233011{i}_1"}
        for i in range(3)
    ]
    rng = random.Random(3)
    valid_head = "AlertId,Description\r\n" + "".join(f"da{i},{'x' * 60}\r\n" for i in range(1200))
    return {
        "plain.csv": plain.encode(),
        "excel_utf8_bom.csv": codecs.BOM_UTF8 + plain.encode(),
        "excel_utf16le_tab.csv": codecs.BOM_UTF16_LE + csv_text(ROWS, "\t").encode("utf-16-le"),
        "excel_utf16be.csv": codecs.BOM_UTF16_BE + csv_text(ROWS[:2]).encode("utf-16-be"),
        "excel_cp1252_semicolon.csv": csv_text(
            [[*ROWS[0][:3], "Détection réseau €", "Beschreibung: Größe", ""], ROWS[1]], ";"
        ).encode("cp1252"),
        "trailing_empty_columns.csv": (b"AlertId,Severity,,\r\nda1,High,,\r\nda2,Low,,\r\n"),
        "repeated_headers.csv": (
            plain.encode()
            + codecs.BOM_UTF8
            + csv_text(ROWS[:2]).encode()
            + csv_text([ROWS[2]]).encode()
        ),
        "wrong_field_count.csv": b"AlertId,Severity,Category\nda1,High,Malware\nda2,Low\nda3,High,Malware,extra\nda4,Low,Execution\n",
        "bad_quoting.csv": b'AlertId,Severity\nda1,High\nda2,"Hi"gh\nda3,Low\nda4,"never closed\nda5,High\n',
        "rows_without_alertid.csv": b"AlertId,Severity\nda1,High\n,Low\n,\nda2,\n",
        "header_only.csv": b"AlertId,Severity,Category\r\n",
        "empty.csv": b"",
        "whitespace_only.json": b"  \n\n ",
        "no_alertid_column.csv": b"Id,Title,Sev\n1,x,High\n",
        "binary_named.csv": bytes(rng.getrandbits(8) for _ in range(4096)),
        "excel97_named.csv": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
        "too_many_columns.csv": (",".join(f"c{i}" for i in range(1001)) + "\nx\n").encode(),
        "long_field.csv": f"AlertId,CommandLine\nda1,short\nda2,{'A' * 100_001}\nda3,ok\n".encode(),
        "invalid_utf8_late.csv": valid_head.encode() + b"da-bad,caf\xe9\r\n",
        "timestamps.csv": (
            b"AlertId,AlertTime,LastProcessedTimeUtc\n"
            b"a0,2020-09-30T14:09:20Z,2020-09-30T14:09:20\n"
            b"a1,2020-09-30T14:09:20.3Z,2020-09-30T14:09:20.3\n"
            b"a3,2020-09-30T14:09:20.357Z,2020-09-30T14:09:20.357\n"
            b"a5,2020-09-30T14:09:20.35743Z,2020-09-30T14:09:20.35743\n"
            b"a7,2020-09-30T14:09:20.3574312Z,2020-09-30T14:09:20.3574312\n"
            b"as,2020-09-30 14:09:20,2016-09-12 00:00:00\n"
        ),
        "splunk_raw.csv": csv_text(
            [
                [
                    "2018-11-09T03:43:11.000+0000",
                    json.dumps(siem),
                    "splunk01",
                    "ms:defender:atp:alerts",
                ],
                [
                    "2018-11-09T03:44:00.000+0000",
                    "not json at all",
                    "splunk01",
                    "ms:defender:atp:alerts",
                ],
            ],
            header=["_time", "_raw", "host", "sourcetype"],
        ).encode(),
        "splunk_result_prefix.csv": csv_text(
            [["false", "da1", "High", "2020-09-30T14:09:20Z"]],
            header=["preview", "result.AlertId", "result.Severity", "result._time"],
        ).encode(),
        "splunk_spath.csv": csv_text(
            [["da1", "Medium", "reg.exe"], ["da2", "High", "cmd.exe"]],
            header=["Alerts{}.AlertId", "Alerts{}.Severity", "Alerts{}.FileName"],
        ).encode(),
        "splunk_export.ndjson": b"".join(
            json.dumps(
                {"preview": False, "offset": i, "result": {"AlertId": f"da{i}", "_raw": "x"}}
            ).encode()
            + b"\n"
            for i in range(3)
        ),
        "sentinel_export.csv": csv_text(
            [
                [
                    "2020-10-01T00:00:00Z",
                    "72f988bf",
                    "da1",
                    "High",
                    "2020-09-30T14:09:20.35743Z",
                    "true",
                ],
                ["2020-10-01T00:00:01Z", "72f988bf", "da2", "Low", "2020-09-30T14:10:00Z", "false"],
            ],
            header=[
                "TimeGenerated [UTC]",
                "TenantId",
                "AlertId_s",
                "Severity_s",
                "AlertTime_t [UTC]",
                "RemediationIsSuccess_b",
            ],
        ).encode(),
        "sentinel_export.json": json.dumps(
            [
                {
                    "TimeGenerated": "2020-10-01T00:00:00Z",
                    "TenantId": "t",
                    "AlertId_s": "da1",
                    "Sha1_s": "04ce0b79ea20332cc4ff4679883b18bfe4341fbd",
                    "AlertPart_d": 0,
                }
            ]
        ).encode(),
        "arcsight.csv": csv_text(
            [
                [
                    "Microsoft",
                    "Microsoft Defender ATP",
                    "636210704265059241_673569822",
                    "Mikatz",
                    "3da065e07b990034e9db7842167f70b63aa5329",
                    "High",
                    "desktop-4a5ngd6",
                ]
            ],
            header=[
                "deviceVendor",
                "deviceProduct",
                "externalId",
                "name",
                "fileHash",
                "deviceSeverity",
                "sourceHostName",
            ],
        ).encode(),
        "arcsight_display_names.csv": csv_text(
            [["Microsoft", "da1", "Suspicious", "aabbcc", "1"]],
            header=["Device Vendor", "External ID", "Name", "File Hash", "Device Custom Number2"],
        ).encode(),
        "qradar.csv": csv_text(
            [["Malware detected", "MDE @ tenant", "7", "da1", "High", "aabb"]],
            header=[
                "Event Name",
                "Log Source",
                "Severity",
                "MDE AlertId",
                "MDE Severity",
                "SHA1 Hash",
            ],
        ).encode(),
        "array_2017_nulls.json": json.dumps(records_2017, indent=2).encode(),
        "results_envelope.json": (RAPID7 / "siem_api_help_example_2018.json").read_bytes(),
        "value_envelope.json": json.dumps(
            {"value": [{"AlertId": "da1", "Severity": ""}, {"AlertId": "da2"}]}
        ).encode(),
        "broken_lines.ndjson": b'{"AlertId": "da1"}\n{"AlertId": \n[1, 2]\n"text"\n\n{"Severity": "High"}\n{"AlertId": "da2"}\n',
        "too_deep.ndjson": (
            json.dumps({"AlertId": "da1"})
            + "\n"
            + json.dumps({"AlertId": "da2", "x": nested(40)})
            + "\n"
        ).encode(),
        "not_json.json": b'[{"AlertId": "da1"},\n',
        "powershell_utf16.json": codecs.BOM_UTF16_LE
        + json.dumps([{"AlertId": "da1", "Severity": "High"}], indent=4).encode("utf-16-le"),
        "export.csv.gz": gzip.compress(plain.encode(), mtime=0),
        "exports.zip": zip_bytes(
            {
                "2020/week1.csv": plain.encode(),
                "2020/week2.json": json.dumps([{"AlertId": "da9"}]).encode(),
                "notes.pdf": b"%PDF-1.4",
                "__MACOSX/._week1.csv": b"\x00\x05",
            }
        ),
        "zipbomb.zip": zip_bytes({"bomb.csv": b"AlertId\n" + b"0" * (40 << 20)}),
        "gzipbomb.csv.gz": gzip.compress(b"AlertId\n" + b"0\n" * (20 << 20), mtime=0),
        "workbook.xlsx": zip_bytes(
            {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<x/>"}
        ),
        "corrupt.zip": b"PK\x03\x04" + bytes(100),
    }


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, data in corpus().items():
        (OUT / name).write_bytes(data)
    print(f"wrote {len(corpus())} files to {OUT}")


if __name__ == "__main__":
    main()
