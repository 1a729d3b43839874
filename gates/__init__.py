"""Launch Gates: pre-deploy gates that stop a release when it is not safe to ship."""

__version__ = "0.1.0"
