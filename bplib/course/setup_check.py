"""The set-up check of notebook 00: are the right versions installed, and is MNIST on disk?

Three functions, all quick and none of them downloads anything::

    from bplib.course.setup_check import report
    report()            # prints versions, minimum-version checks and whether MNIST is available

* :func:`versions` -- the installed versions of Python and of the packages the course uses;
* :func:`requirements_met` -- for each of them, whether it meets the course's minimum version
  (:data:`MINIMUM_VERSIONS`, the lower bounds in ``requirements.txt`` and ``pyproject.toml``);
* :func:`mnist_available` -- whether the four MNIST files are in the data directory that
  :func:`bplib.data.load_mnist` would read (argument, else ``BPLIB_DATA``, else the cache
  directory). It only looks for the files; ``load_mnist`` verifies their checksums when it
  reads them and downloads what is missing.
"""

from __future__ import annotations

import os
import platform
import re
from importlib import metadata

__all__ = ["MINIMUM_VERSIONS", "versions", "requirements_met", "mnist_available", "report"]

#: Minimum versions the course needs (the lower bounds of ``requirements.txt``), by display name.
MINIMUM_VERSIONS: dict[str, str] = {
    "Python": "3.10",
    "NumPy": "1.24",
    "matplotlib": "3.7",
    "ipywidgets": "8.1",
    "tqdm": "4.64",
    "bplib": "0.1",
}

# Display name -> name of the installed distribution (what ``pip install`` calls it).
_DISTRIBUTIONS: dict[str, str] = {
    "NumPy": "numpy",
    "matplotlib": "matplotlib",
    "ipywidgets": "ipywidgets",
    "tqdm": "tqdm",
    "bplib": "bplib",
}

NOT_INSTALLED = "not installed"


def _version_tuple(version: str) -> tuple[int, ...]:
    """The leading numbers of a version string: ``"2.4.6"`` -> ``(2, 4, 6)``, ``"2.0.0rc1"`` -> ``(2, 0, 0)``.

    Enough to compare against the course's minimum versions without depending on ``packaging``.
    """
    match = re.match(r"\d+(\.\d+)*", version.strip())
    if match is None:
        return ()
    return tuple(int(part) for part in match.group(0).split("."))


def versions() -> dict[str, str]:
    """Installed versions of Python and of NumPy, matplotlib, ipywidgets, tqdm and bplib.

    Versions are read from the installed package metadata (nothing is imported), so the check
    also works when a package is broken. A missing package is reported as ``"not installed"``.

    Returns
    -------
    dict
        Display name -> version string, in the order of :data:`MINIMUM_VERSIONS`.
    """
    found = {"Python": platform.python_version()}
    for name, distribution in _DISTRIBUTIONS.items():
        try:
            found[name] = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            found[name] = NOT_INSTALLED
    return found


def requirements_met(installed: dict[str, str] | None = None) -> dict[str, bool]:
    """For each entry of :data:`MINIMUM_VERSIONS`: is the installed version at least the minimum?

    Parameters
    ----------
    installed : dict, optional
        Display name -> version string; by default :func:`versions`.

    Returns
    -------
    dict
        Display name -> ``True`` when installed with a version ``>=`` the minimum, else ``False``
        (also ``False`` when the package is not installed).
    """
    installed = versions() if installed is None else installed
    met = {}
    for name, minimum in MINIMUM_VERSIONS.items():
        version = installed.get(name, NOT_INSTALLED)
        met[name] = version != NOT_INSTALLED and _version_tuple(version) >= _version_tuple(minimum)
    return met


def mnist_available(data_dir: str | os.PathLike[str] | None = None) -> bool:
    """Are the four MNIST files in the data directory :func:`bplib.data.load_mnist` would read?

    Parameters
    ----------
    data_dir : str or path, optional
        The directory to look in; by default the one ``load_mnist`` uses: the environment
        variable ``BPLIB_DATA`` if set, else the cache directory ``~/.cache/bplib/mnist``
        (see :func:`bplib.data.resolve_data_dir`).

    Returns
    -------
    bool
        ``True`` when all four ``.gz`` files exist and are not empty. Nothing is downloaded and
        the checksums are not verified here (``load_mnist`` verifies them on every load).
    """
    from bplib.data.mnist import FILES, resolve_data_dir

    directory = resolve_data_dir(data_dir)
    return all((directory / name).is_file() and (directory / name).stat().st_size > 0 for name in FILES)


def report(data_dir: str | os.PathLike[str] | None = None) -> None:
    """Print the set-up check: versions, minimum-version checks and whether MNIST is available.

    The output depends on the machine (versions, files on disk); it names no paths. To see the
    data directory, call ``bplib.data.resolve_data_dir()``.
    """
    installed = versions()
    met = requirements_met(installed)
    width = max(len(name) for name in installed)
    print("Set-up check")
    for name, version in installed.items():
        verdict = "ok" if met[name] else f"needs >= {MINIMUM_VERSIONS[name]}"
        print(f"  {name:<{width}}  {version:<14}  {verdict}")
    if data_dir is not None:
        origin = "the data_dir argument"
    elif os.environ.get("BPLIB_DATA"):
        origin = "BPLIB_DATA"
    else:
        origin = "the default cache directory (BPLIB_DATA is not set)"
    found = mnist_available(data_dir)
    print(f"  MNIST files found: {'yes' if found else 'no'} (looked in {origin})")
    if all(met.values()):
        print("Everything the course needs is installed.")
    else:
        missing = ", ".join(name for name, ok in met.items() if not ok)
        print(f"Please install or upgrade: {missing} (pip install -r requirements.txt).")
    if not found:
        print("MNIST is only needed in notebook 13; bplib.data.load_mnist() downloads it (about 11 MB).")
