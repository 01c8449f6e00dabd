"""Access-review campaigns with an APPROVE or REVOKE per account."""
