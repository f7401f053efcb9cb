"""A local, faithful stand-in for the Scaleway Key Manager v1alpha1 API (see README.md)."""

__version__ = "1.0.0"
