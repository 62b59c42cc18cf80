"""siem2graph: the migration audit from the MDE SIEM API to Microsoft Graph alerts_v2."""

__version__ = "0.1.0"
