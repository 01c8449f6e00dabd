"""What the policies module announces to modules downstream of it.

``version_published`` is sent once the transaction that published a version has
committed, with ``organization`` and ``version`` (the employee portal emails the audience
then). Receivers run after the commit, so they never see an unpublished version.
"""

from django.dispatch import Signal

version_published = Signal()
