"""Change records: merged pull requests and their approvals."""
