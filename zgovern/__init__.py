"""zGovern: continuous SOC 2 readiness, evidence and audit."""

__version__ = "0.1.0"
