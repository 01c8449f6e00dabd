"""Framework libraries (SOC 2, ISO 27001, ...), the default control set and the mappings
between them, kept as YAML data files and loaded through :mod:`zgovern.frameworks.library`."""
