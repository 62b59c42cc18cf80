"""The wheel's packages: every package under siem2graph/ as found, so a new one cannot be left
out, and the mapping and dashboard folders pyproject.toml maps into packages."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["siem2graph", "siem2graph.*"]),
        "siem2graph.mapping_data",
        "siem2graph_dashboard",
        "siem2graph_dashboard.pages",
        "siem2graph_dashboard.ui",
    ]
)
