"""Model architectures that the model templates build."""
