"""Signals of the evidence store.

``evidence_added`` is sent with ``item`` (the new ``EvidenceItem``) and ``organization``
by whoever adds an item that downstream modules may want to act on (the check runner
sends it for every check snapshot). Receivers run inside the sender's transaction, so
what they write commits or rolls back with the item. The evidence store itself knows
nothing of its receivers: controls link items to themselves (``zgovern.controls.receivers``).
"""

from __future__ import annotations

from django.dispatch import Signal

evidence_added = Signal()
