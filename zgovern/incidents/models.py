"""Security incidents, their timelines and response figures."""
