"""Policies, their versions, approvals and acknowledgements."""
