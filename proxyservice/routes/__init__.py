"""HTTP routes: parse and validate, call one controller, serialize."""
