"""The bridge: Graph alerts_v2 alerts re-emitted as SIEM API records, as a file or an endpoint."""
