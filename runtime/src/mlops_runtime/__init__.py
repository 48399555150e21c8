"""Code that the MLOps portal runs inside Ray."""

# The single source of the package version: pyproject.toml reads it from here, and
# `mlops_runtime.versions.runtime_version()` returns it even when the package is shipped to Ray
# as plain source (runtime_env py_modules / working_dir) rather than pip-installed.
__version__ = "0.1.0"
