"""The risk register: scoring, treatment, acceptance and assessments."""
