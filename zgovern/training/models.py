"""Security training courses and who must complete them when."""
