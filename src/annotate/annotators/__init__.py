"""Built-in annotators, each registered through the same hooks a third-party plugin uses."""
