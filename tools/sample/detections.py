"""The detections of one MDE alert: each detection's legacy columns and its Graph evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tools.sample import catalog as c
from tools.sample import evidence as ev
from tools.sample.entities import UNITS, Device, FileInfo, Pools, fmt7

_COUNTRIES = ("CN", "RU", "US", "NL", "BR", None)


@dataclass
class Detection:
    """One legacy detection's columns and the evidence items Graph holds for it."""

    legacy: dict[str, str]
    evidence: list[ev.Evidence]


def file_columns(f: FileInfo) -> dict[str, str]:
    """The legacy file columns of ``f``."""
    return {
        "Sha1": f.sha1,
        "FileName": f.name,
        "FilePath": f.folder,
        "Md5": f.md5,
        "Sha256": f.sha256,
        "FileHash": f.sha1,
    }


def alert_detections(
    pools: Pools,
    dtype: c.DetectionType,
    device: Device,
    n: int,
    account: dict[str, Any],
    at: str,
    t0: int,
) -> tuple[list[Detection], bool]:
    """The alert's detections (legacy columns + evidence); also whether Url lost its scheme."""
    rng = pools.rng
    strip_scheme = rng.random() < 0.35
    uses_url = False
    pids = (rng.randrange(1000, 30000), rng.randrange(500, 1000))
    ptimes = (at, fmt7(t0 - rng.randrange(UNITS, 60 * UNITS)), fmt7(t0 - 3600 * UNITS))
    explorer, malware = pools.binaries["explorer"], pools.malware
    out: list[Detection] = []

    def net_row(i: int, ioc: bool) -> Detection:
        nonlocal uses_url
        if i % 2 == 0:
            address = pools.public_ip()
            legacy = {"IpAddress": address}
            if ioc:
                legacy.update({"IocName": "IpAddress", "IocValue": address})
            return Detection(legacy, [ev.ip(address, rng.choice(_COUNTRIES), at)])
        uses_url = True
        bare = pools.url()
        full = rng.choice(("http://", "https://")) + bare
        legacy = {"Url": bare if strip_scheme else full}
        if ioc:
            legacy.update({"IocName": "Url", "IocValue": bare})
        return Detection(legacy, [ev.url(full, at)])

    kind = dtype.kind
    if kind in ("process", "registry", "network"):
        image = pools.binaries[dtype.image]
        cmd = dtype.command.format(
            user=account["accountName"],
            name=pools.hex(8),
            n=rng.randrange(100, 9999),
            ip=pools.public_ip(),
        )
        parent = pools.binaries["services" if device.host.startswith("srv") else "explorer"]
        primary = [
            ev.process(image, parent, cmd, "detected", account, device.device_id, ptimes, pids),
            ev.file(image, device.device_id, at, "none", "detected"),
        ]
        if kind == "registry":
            primary.append(ev.registry_key("SOFTWARE\\Microsoft\\Windows\\CurrentVersion", at))
        out.append(Detection({**file_columns(image), "CommandLine": cmd}, primary))
        for i in range(1, n):
            if kind == "network":
                out.append(net_row(i - 1, ioc=False))
            else:
                m = rng.choice(malware)
                out.append(
                    Detection(
                        file_columns(m), [ev.file(m, device.device_id, at, "none", "detected")]
                    )
                )
    elif kind in ("file", "air"):
        prevented = dtype.prevented
        status = "remediated" if kind == "air" else "prevented" if prevented else "none"
        detection = "prevented" if prevented else "detected"
        verdict = {
            "RemediationAction": "Quarantine" if prevented else "",
            "RemediationIsSuccess": "true" if prevented else "",
            "WasExecutingWhileDetected": "" if kind == "air" else str(not prevented).lower(),
        }
        files = [rng.choice(malware) for _ in range(n)]
        for i, m in enumerate(files):
            items = [ev.file(m, device.device_id, at, status, detection)]
            if i == 0 and kind == "file":
                cmd = f'"{m.folder}\\{m.name}"'
                items.append(
                    ev.process(m, explorer, cmd, detection, account, device.device_id, ptimes, pids)
                )
            out.append(Detection({**file_columns(m), **verdict}, items))
        if kind == "air":
            out[0].evidence.append(
                ev.process(
                    explorer, pools.binaries["services"], "C:\\Windows\\Explorer.EXE", None,
                    account, device.device_id, ptimes, pids,
                )
            )  # fmt: skip
    else:  # url (SmartScreen) and customti
        ioc = kind == "customti"
        for i in range(n):
            out.append(net_row(i if ioc else 1, ioc))
        image = pools.binaries["msedge" if kind == "url" else "powershell"]
        target = out[0].legacy.get("IocValue") or out[0].legacy.get("Url") or "localhost"
        cmd = (
            f'"msedge.exe" --single-argument https://{target.split("://")[-1]}'
            if kind == "url"
            else f'powershell.exe -nop -c "Invoke-WebRequest -Uri {target} -OutFile a.bin"'
        )
        out[0].evidence.append(
            ev.process(image, explorer, cmd, None, account, device.device_id, ptimes, pids)
        )
        if ioc:
            out[0].legacy.update({"CreatorIocName": "FileSha1", "CreatorIocValue": image.sha1})
    return out, strip_scheme and uses_url
