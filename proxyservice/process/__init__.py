"""Pure use-cases over domain objects: no I/O of their own, no Flask."""
