"""Input readers and output writers, registered as builtin plugins."""
