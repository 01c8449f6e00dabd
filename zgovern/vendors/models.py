"""Vendor inventory, compliance documents and security assessments."""
