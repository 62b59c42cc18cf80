"""Measure time and peak RSS of read_legacy on a generated SIEM-like CSV (docs/legacy-inputs.md).

    .venv/bin/python tests/legacy_corpus/measure_memory.py /tmp/big.csv 200

writes a ~200 MB CSV (if absent), reads it in a fresh process and prints the figures.
"""

from __future__ import annotations

import csv
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

COLUMNS = [
    "AlertTime", "ComputerDnsName", "AlertTitle", "Category", "Severity", "AlertId", "Actor",
    "LinkToWDATP", "IocName", "IocValue", "CreatorIocName", "CreatorIocValue", "Sha1", "FileName",
    "FilePath", "IpAddress", "Url", "IoaDefinitionId", "UserName", "AlertPart", "FullId",
    "LastProcessedTimeUtc", "ThreatCategory", "ThreatFamily", "ThreatName", "RemediationAction",
    "RemediationIsSuccess", "Source", "Md5", "Sha256", "WasExecutingWhileDetected", "UserDomain",
    "LogOnUsers", "MachineDomain", "MachineName", "Description", "CommandLine",
]  # fmt: skip


def _row(rng: random.Random, number: int) -> list[str]:
    alert = f"da{637370718981685665 + number // 3}_{rng.randint(-(2**31), 2**31 - 1)}"
    host = f"host-{rng.randint(1, 5000)}"
    return [
        f"2020-09-30T14:{number % 60:02d}:20.{rng.randint(0, 9999999):07d}Z", f"{host}.contoso.com",
        rng.choice(["Suspicious PowerShell command line", "Sensitive information lookup"]),
        rng.choice(["Malware", "LateralMovement", "Execution"]), rng.choice(["High", "Medium"]),
        alert, "", f"https://securitycenter.windows.com/alert/{alert}", "", "", "", "",
        f"{rng.getrandbits(160):040x}", "powershell.exe", "C:\\Windows\\System32", "", "",
        "7f1c3609-a3ff-40e2-995b-c01770161d68", "liz.bean", "0", f"{alert}:{number}",
        "2020-09-30T14:11:44.0779765Z", "", "", "", "", "", "EDR", f"{rng.getrandbits(128):032x}",
        "", "", "CONTOSO", "CONTOSO\\liz.bean", "contoso.com", host,
        "A process ran a suspicious command.\r\nInvestigate the process tree.",
        "powershell.exe -enc " + "A" * rng.randint(20, 200),
    ]  # fmt: skip


def generate(path: Path, megabytes: int) -> None:
    """A SIEM-like CSV of about ``megabytes`` MB (Description holds \\r\\n)."""
    rng = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        number = 0
        while out.tell() < megabytes * 1_000_000:
            writer.writerows(_row(rng, number + i) for i in range(10_000))
            number += 10_000


def measure(path: Path) -> None:
    """Read ``path`` with read_legacy in this process and print time, rows, peak RSS."""
    from siem2graph.legacy import read_legacy
    from siem2graph.mapping import load_mapping
    from siem2graph.sources import Source

    mapping = load_mapping()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    data = read_legacy([Source.from_path(path)], mapping)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    frame_mb = data.detections.memory_usage(deep=True).sum() / 1e6
    summary = data.files[0]
    print(
        f"file {path.stat().st_size / 1e6:.0f} MB, rows {summary.rows_kept:,}, "
        f"read {seconds:.1f} s, frame {frame_mb:.0f} MB, peak RSS {peak / 1e3:.0f} MB "
        f"(before reading {baseline / 1e3:.0f} MB)"
    )


if __name__ == "__main__":
    if sys.argv[1] == "--measure":
        measure(Path(sys.argv[2]))
    else:
        target = Path(sys.argv[1])
        if not target.exists():
            generate(target, int(sys.argv[2]))
        subprocess.run([sys.executable, __file__, "--measure", str(target)], check=True)
