"""Random building blocks: devices, users, files, ids and timestamps (all from one seeded RNG)."""

from __future__ import annotations

import base64
import functools
import random
import time
import uuid
from dataclasses import dataclass

from tools.sample.catalog import BINARIES

TICKS_AT_EPOCH = 621_355_968_000_000_000  # .NET ticks (100 ns since 0001-01-01) at 1970-01-01
UNITS = 10_000_000  # 100-ns units per second

_FIRST = (
    "alex", "maria", "john", "li", "fatima", "oleg", "priya", "sam", "nina", "tom", "aisha",
    "ben", "chen", "dana", "eric", "femi", "gita", "hugo", "ines", "jay", "kofi", "liz",
)  # fmt: skip
_LAST = (
    "bean", "hardee", "smith", "nguyen", "garcia", "kowalski", "okafor", "tanaka", "muller",
    "rossi", "silva", "haddad", "jensen", "ivanova", "patel", "moreau", "kim", "oconnor",
)  # fmt: skip
_DOMAINS = (("contoso.com", "CONTOSO"), ("corp.contoso.com", "CONTOSO"), ("fabrikam.local", "FAB"))
_GROUPS = ("Workstations-EU", "Workstations-US", "Servers-Tier1", "Domain Controllers", "Lab")
_DEVICE_TAGS = ("VIP", "Kiosk", "Finance")
_CLOUD_TAGS = ("Tier0", "Pilot", "Test Machine", "PCI", "Exec")
_OS = (("Windows10", 19045, "22H2"), ("Windows11", 22631, "23H2"), ("Windows11", 26100, "24H2"))
_SERVER_OS = (("WindowsServer2019", 17763, "1809"), ("WindowsServer2022", 20348, "21H2"))
_MALWARE_NAMES = ("svchost32", "updater", "invoice", "setup_x64", "chromeupd", "winlogin", "tmp")
_URL_PATHS = ("/dl/payload.bin", "/gate.php", "/files/update.exe", "/index.html", "/api/v1/beacon")
_TLDS = (".cn", ".ru", ".xyz", ".top", ".info", ".net")


class FastRandom(random.Random):
    """random.Random whose randrange(start, stop) is a cheap float scaling (enough for samples)."""

    def randrange(self, start: int, stop: int | None = None) -> int:  # type: ignore[override]
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))


@functools.lru_cache(maxsize=4096)
def _minute(minutes: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:", time.gmtime(minutes * 60))


def fmt7(units: int) -> str:
    """100-ns units since the epoch as ISO-8601 with a 7-digit fraction and Z."""
    seconds, fraction = divmod(units, UNITS)
    minutes, second = divmod(seconds, 60)
    return f"{_minute(minutes)}{second:02d}.{fraction:07d}Z"


def fmt_portal(units: int) -> str:
    """As the Log Analytics portal's CSV export writes a UTC time: '4/27/2021, 12:19:27.721 PM'."""
    seconds, fraction = divmod(units, UNITS)
    t = time.gmtime(seconds)
    clock = f"{t.tm_hour % 12 or 12}:{t.tm_min:02d}:{t.tm_sec:02d}.{fraction // 10_000:03d}"
    return f"{t.tm_mon}/{t.tm_mday}/{t.tm_year}, {clock} {'PM' if t.tm_hour >= 12 else 'AM'}"


def fmt3(units: int) -> str:
    """As fmt7, with a 3-digit (millisecond) fraction, like Graph's activity times."""
    seconds, fraction = divmod(units, UNITS)
    minutes, second = divmod(seconds, 60)
    return f"{_minute(minutes)}{second:02d}.{fraction // 10_000:03d}Z"


@dataclass(frozen=True)
class FileInfo:
    """A file as both APIs describe it."""

    name: str
    folder: str
    sha1: str
    sha256: str
    md5: str
    size: int
    publisher: str | None = None


@dataclass(frozen=True)
class Device:
    """An onboarded machine as both APIs describe it."""

    host: str
    domain: str  # '' for workgroup / Entra-joined machines
    netbios: str
    device_id: str
    group: str
    group_id: int
    device_tags: tuple[str, ...]
    cloud_tags: tuple[str, ...]
    logon_users: tuple[tuple[str, str], ...]  # (domainName, accountName)
    ipv4: tuple[str, ...]
    ipv6: tuple[str, ...]
    os: tuple[str, int, str]
    short_in_graph: bool  # Graph gives the bare host name instead of the FQDN
    first_seen: int
    aad_device_id: str | None

    @property
    def fqdn(self) -> str:
        return f"{self.host}.{self.domain}" if self.domain else self.host

    @property
    def user_domain(self) -> str:
        """The NetBIOS domain of its users (the host name for local accounts)."""
        return self.netbios or self.host.upper()


class Pools:
    """Every random choice of a run, drawn from one ``random.Random``."""

    def __init__(self, rng: random.Random, n_devices: int, start: int) -> None:
        self.rng = rng
        self.users = [f"{f}.{last}" for f in _FIRST for last in _LAST]
        self.binaries = {
            key: self._file(b.name, b.folder, b.publisher) for key, b in BINARIES.items()
        }
        self.devices = [self._device(i, start) for i in range(n_devices)]
        self.malware = [self._malware() for _ in range(max(50, n_devices * 4))]
        self.hosts = [self._evil_host() for _ in range(max(40, n_devices // 2))]

    def hex(self, digits: int) -> str:
        return f"{self.rng.getrandbits(digits * 4):0{digits}x}"

    def guid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def ioc_unique_id(self) -> str:
        """44-char URL-safe base64 of 32 random bytes, as in real SIEM records."""
        return base64.urlsafe_b64encode(self.rng.randbytes(32)).decode("ascii")

    def public_ip(self) -> str:
        r = self.rng.randrange
        return f"{r(23, 220)}.{r(0, 256)}.{r(0, 256)}.{r(1, 255)}"

    def url(self) -> str:
        """A URL without its scheme (host and path)."""
        return self.rng.choice(self.hosts) + self.rng.choice(_URL_PATHS)

    def _file(self, name: str, folder: str, publisher: str | None = None) -> FileInfo:
        size = self.rng.randrange(20_000, 8_000_000)
        return FileInfo(name, folder, self.hex(40), self.hex(64), self.hex(32), size, publisher)

    def _malware(self) -> FileInfo:
        user = self.rng.choice(self.users)
        folder = self.rng.choice(
            (
                f"C:\\Users\\{user}\\Downloads",
                f"C:\\Users\\{user}\\AppData\\Local\\Temp",
                f"C:\\Users\\{user}\\AppData\\Roaming\\{self.hex(6)}",
                "C:\\ProgramData",
                "C:\\Windows\\Temp",
            )
        )
        stem = self.rng.choice(_MALWARE_NAMES)
        ext = self.rng.choice((".exe", ".dll", ".js", ".ps1", ".zip"))
        return self._file(f"{stem}{ext}", folder)

    def _evil_host(self) -> str:
        words = ("cdn", "update", "secure", "files", "login", "sync", "static", "mail")
        word = self.rng.choice(words) + self.rng.choice(words) + str(self.rng.randrange(10, 999))
        return word + self.rng.choice(_TLDS)

    def _device(self, index: int, start: int) -> Device:
        rng = self.rng
        server = rng.random() < 0.15
        joined = rng.random() < 0.8
        domain, netbios = rng.choice(_DOMAINS) if joined else ("", "")
        prefix = "srv" if server else rng.choice(("ws", "lt", "desktop"))
        host = f"{prefix}-{index:05d}" if prefix != "desktop" else f"desktop-{self.hex(7)}"
        user_domain = netbios or host.upper()
        if server:
            logons = () if rng.random() < 0.5 else ((user_domain, f"adm-{rng.choice(self.users)}"),)
        elif joined:
            logons = tuple((user_domain, u) for u in rng.sample(self.users, rng.choice((1, 1, 2))))
        else:
            logons = ((user_domain, rng.choice(("Administrator", "labuser"))),)
        group = "" if rng.random() < 0.1 else rng.choice(_GROUPS)
        v4 = [f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"]
        if rng.random() < 0.3:
            v4.append(f"192.168.{rng.randrange(256)}.{rng.randrange(1, 255)}")
        v6 = [f"fe80::{self.hex(4)}:{self.hex(4)}:{self.hex(4)}:{self.hex(4)}"]
        return Device(
            host=host,
            domain=domain,
            netbios=netbios,
            device_id=self.hex(40),
            group=group,
            group_id=_GROUPS.index(group) + 11 if group else 0,
            device_tags=(rng.choice(_DEVICE_TAGS),) if rng.random() < 0.2 else (),
            cloud_tags=tuple(rng.sample(_CLOUD_TAGS, rng.choice((0, 0, 1, 1, 2)))),
            logon_users=logons,
            ipv4=(*v4, "127.0.0.1"),
            ipv6=(*v6, "::1"),
            os=rng.choice(_SERVER_OS if server else _OS),
            short_in_graph=joined and rng.random() < 0.2,
            first_seen=start - rng.randrange(30 * 86_400, 700 * 86_400) * UNITS,
            aad_device_id=None if joined else self.guid(),
        )
