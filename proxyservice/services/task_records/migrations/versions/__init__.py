"""The migrations, oldest first: each module names its ``revision`` and the ``down_revision`` before it."""
