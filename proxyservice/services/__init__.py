"""One package per external thing the service talks to; each hides its technology."""
