"""The MNIST loader: find, verify, download and parse the four official files.

``load_mnist()`` is all a notebook needs::

    (X_train, y_train), (X_test, y_test) = load_mnist()
    # X_train: (60000, 784) float32 in [0, 1], y_train: (60000,) int64

Where the files live (the *data directory*), first match wins:

1. the ``data_dir`` argument;
2. the environment variable ``BPLIB_DATA``;
3. the user's cache directory, ``$XDG_CACHE_HOME/bplib/mnist`` (by default
   ``~/.cache/bplib/mnist``).

The directory holds the four gzip files exactly as published
(``train-images-idx3-ubyte.gz`` etc., see :data:`FILES`). Every load
decompresses them and checks the SHA-256 of the decompressed bytes against
:data:`FILES`, so a damaged file is never used. A missing or damaged file is
downloaded from :data:`MIRRORS` (tried in order) into a temporary file in the
same directory, verified, and only then renamed into place (``os.replace`` is
atomic): an interrupted or wrong download leaves nothing behind.

The IDX format (http://yann.lecun.com/exdb/mnist/): a big-endian header, then
the data as unsigned bytes. The header is the magic number (two zero bytes, a
type code, 0x08 for unsigned bytes, and the number of dimensions: 2051 =
0x00000803 for images, 2049 = 0x00000801 for labels) followed by one 32-bit
size per dimension (images: count, 28, 28; labels: count).
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import urllib.request
import warnings
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np
from tqdm.auto import tqdm

__all__ = [
    "ENV_VAR",
    "FILES",
    "MIRRORS",
    "MnistCorruptError",
    "MnistError",
    "MnistUnavailableError",
    "MnistWarning",
    "load_mnist",
    "load_mnist_uint8",
    "parse_idx",
    "resolve_data_dir",
]

#: Environment variable naming the data directory.
ENV_VAR = "BPLIB_DATA"

#: The four files, name -> SHA-256 of the *decompressed* IDX bytes (the values
#: published for the official files; identical for every mirror's copy).
FILES: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte.gz": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte.gz": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

#: Public mirrors of the original files, tried in this order.
MIRRORS: list[str] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
]

#: Seconds to wait for a connection or for the next chunk of a download.
TIMEOUT: float = 30.0

IMAGES_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions (count, rows, cols)
LABELS_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension (count)
IMAGE_SHAPE = (28, 28)

_TRAIN = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
_TEST = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
_CHUNK = 1 << 16  # download in 64 KiB pieces


class MnistError(RuntimeError):
    """Base class of the loader's errors."""


class MnistUnavailableError(MnistError):
    """A file is missing and cannot be obtained (``download=False``, offline, or every mirror failed)."""


class MnistCorruptError(MnistError):
    """A file is damaged (bad gzip, wrong SHA-256 or wrong IDX header) and ``download=False``."""


class MnistWarning(UserWarning):
    """Reported when a damaged file is found and is about to be replaced by a download."""


class _BadData(Exception):
    """Internal: bytes that failed verification; the message says why."""


# --------------------------------------------------------------------------- data directory


def _data_dir_and_origin(data_dir: str | os.PathLike[str] | None) -> tuple[Path, str]:
    """Return the data directory and a few words saying where it came from (for messages)."""
    if data_dir is not None:
        return Path(data_dir).expanduser(), "the data_dir argument"
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return Path(from_env).expanduser(), f"the environment variable {ENV_VAR}"
    cache = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(cache):  # the XDG spec says to ignore relative paths
        cache = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "bplib" / "mnist", f"the default cache directory ({ENV_VAR} is not set)"


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The directory :func:`load_mnist` reads: ``data_dir``, else ``$BPLIB_DATA``, else the cache directory.

    The cache directory is ``$XDG_CACHE_HOME/bplib/mnist``, i.e.
    ``~/.cache/bplib/mnist`` when ``XDG_CACHE_HOME`` is not set. The
    directory need not exist yet.
    """
    return _data_dir_and_origin(data_dir)[0]


# --------------------------------------------------------------------------- verification and parsing


def _decompress_and_verify(gz_bytes: bytes, sha256: str) -> bytes:
    """Decompress gzip bytes and check the SHA-256 of the result; raise ``_BadData`` if anything is wrong."""
    try:
        raw = gzip.decompress(gz_bytes)
    except EOFError as error:  # the stream stops before its end marker: a truncated file
        raise _BadData(f"truncated gzip data ({error})") from None
    except (OSError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
        raise _BadData(f"not valid gzip data ({error})") from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != sha256:
        raise _BadData(f"SHA-256 of the decompressed bytes is {digest}, expected {sha256}")
    return raw


def parse_idx(raw: bytes, magic: int | None = None) -> np.ndarray:
    """Parse the bytes of a (decompressed) IDX file of unsigned bytes.

    Parameters
    ----------
    raw : bytes
        The whole file: header, then the data.
    magic : int, optional
        The expected magic number (2051 for images, 2049 for labels).

    Returns
    -------
    ndarray of uint8, shape given by the header (``(N, 28, 28)`` or ``(N,)``)
        A fresh, writable array (not a view of ``raw``).

    Raises
    ------
    ValueError
        Wrong magic number, or the header's sizes do not match the length of the data.
    """
    if len(raw) < 4:
        raise ValueError(f"too short for an IDX file ({len(raw)} bytes)")
    found = int.from_bytes(raw[:4], "big")
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"not an IDX file of unsigned bytes (magic number {found:#010x})")
    if magic is not None and found != magic:
        raise ValueError(f"magic number is {found}, expected {magic}")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"header cut short: {len(raw)} bytes, {ndim} dimensions need {header}")
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    count = int(np.prod(dims, dtype=np.int64))
    if len(raw) - header != count:
        raise ValueError(
            f"header says shape {dims}, i.e. {count} bytes of data, but the file has {len(raw) - header}"
        )
    # frombuffer is a read-only view of `raw`; copy() gives a writable array of its own.
    return np.frombuffer(raw, dtype=np.uint8, count=count, offset=header).reshape(dims).copy()


def _images_and_labels(
    images_raw: bytes, labels_raw: bytes, names: tuple[str, str]
) -> tuple[np.ndarray, np.ndarray]:
    """Parse one images file and its labels file: ``(N, 784)`` uint8 and ``(N,)`` int64."""
    images_name, labels_name = names
    try:
        images = parse_idx(images_raw, IMAGES_MAGIC)
        if images.shape[1:] != IMAGE_SHAPE:
            raise ValueError(f"images are {images.shape[1:]}, expected {IMAGE_SHAPE}")
    except ValueError as error:
        raise MnistCorruptError(f"{images_name}: {error}") from None
    try:
        labels = parse_idx(labels_raw, LABELS_MAGIC)
        if labels.size and labels.max() > 9:
            raise ValueError(f"label {labels.max()} is not a digit")
    except ValueError as error:
        raise MnistCorruptError(f"{labels_name}: {error}") from None
    if len(images) != len(labels):
        raise MnistCorruptError(f"{images_name} holds {len(images)} images but {labels_name} {len(labels)} labels")
    return images.reshape(len(images), -1), labels.astype(np.int64)


# --------------------------------------------------------------------------- download


def _stream_to(url: str, out: BinaryIO, desc: str) -> None:
    """Copy the body at ``url`` into the open binary file ``out`` with a progress bar.

    Raises ``_BadData`` when the server closes the connection before sending
    all the bytes its ``Content-Length`` announced (urllib does not notice).
    """
    request = urllib.request.Request(url, headers={"User-Agent": "bplib (course helper)"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        length = response.headers.get("Content-Length", "")
        total = int(length) if length.isdigit() else None
        received = 0
        with tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024) as bar:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
    if total is not None and received != total:
        raise _BadData(f"download interrupted: received {received} of {total} bytes")


def _fetch(url: str, name: str, directory: Path) -> bytes:
    """Download ``url`` to ``directory/name`` through a verified temporary file; return the IDX bytes.

    The temporary file sits in the same directory (so that ``os.replace`` is a
    rename, atomic) and is removed whatever happens: after a successful
    ``os.replace`` it no longer exists, after any failure it is deleted.
    """
    temp = directory / f".{name}.{os.getpid()}.{os.urandom(4).hex()}.part"
    try:
        with open(temp, "xb") as out:  # "x": never overwrite an existing file
            _stream_to(url, out, desc=name)
        raw = _decompress_and_verify(temp.read_bytes(), FILES[name])
        os.replace(temp, directory / name)
        return raw
    finally:
        temp.unlink(missing_ok=True)


def _download(name: str, directory: Path, origin: str, damaged: bool = False) -> bytes:
    """Try every mirror in turn for ``name``; return the verified IDX bytes or raise ``MnistUnavailableError``.

    ``damaged`` says that a damaged copy is in the way (it is only replaced by a verified download).
    """
    failures = []
    for mirror in MIRRORS:
        url = mirror if mirror.endswith("/") else mirror + "/"
        url += name
        try:
            return _fetch(url, name, directory)
        except (OSError, http.client.HTTPException, _BadData) as error:
            # OSError covers urllib's URLError/HTTPError (e.g. 404), timeouts and refused connections.
            failures.append(f"  - {url}: {error}")
    tried = "\n".join(failures) if failures else "  (MIRRORS is empty)"
    kept = f"The damaged {directory / name} was left as it is (not used): delete it.\n" if damaged else ""
    raise MnistUnavailableError(
        f"Could not download the MNIST file {name!r} into {directory} (data directory from {origin}).\n"
        f"Tried:\n{tried}\n{kept}"
        f"What to do: check the internet connection and call load_mnist again; or download {name} by hand "
        f"from one of the addresses above into {directory}; or set the environment variable {ENV_VAR} "
        f"to a directory that already holds the four MNIST .gz files."
    )


def _prepare_directory(directory: Path, origin: str) -> None:
    """Create the data directory if needed and make sure it is writable, else raise ``MnistUnavailableError``."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        problem = f"cannot create it ({error})"
    else:
        if os.access(directory, os.W_OK):
            return
        problem = "it is not writable"
    raise MnistUnavailableError(
        f"MNIST files need downloading into {directory} (data directory from {origin}), but {problem}. "
        f"Set the environment variable {ENV_VAR} (or pass data_dir) to a writable directory, "
        f"or to one that already holds the four MNIST .gz files."
    )


# --------------------------------------------------------------------------- loading


def _check_local(path: Path) -> tuple[bytes | None, str | None]:
    """Read and verify one local file: ``(raw_bytes, None)`` if good, ``(None, problem)`` otherwise."""
    if not path.is_file():
        return None, "missing"
    try:
        return _decompress_and_verify(path.read_bytes(), FILES[path.name]), None
    except _BadData as error:
        return None, f"damaged: {error}"


def _not_available(problems: dict[str, str], directory: Path, origin: str) -> MnistError:
    """The error for ``download=False`` when some files are missing or damaged (it names each file)."""
    listing = "\n".join(f"  - {directory / name}: {problem}" for name, problem in problems.items())
    damaged = [name for name, problem in problems.items() if problem != "missing"]
    delete = f"delete the damaged file(s) ({', '.join(damaged)}) and " if damaged else ""
    message = (
        f"MNIST is not usable from the data directory {directory} (from {origin}) with download=False:\n"
        f"{listing}\n"
        f"What to do: {delete}call load_mnist(download=True) to download fresh copies; "
        f"or copy the official MNIST .gz files into {directory}; "
        f"or set the environment variable {ENV_VAR} to a directory that holds them."
    )
    if len(damaged) == len(problems):
        return MnistCorruptError(message)
    return MnistUnavailableError(message)


def _verified_files(directory: Path, origin: str, download: bool) -> dict[str, bytes]:
    """The decompressed, verified bytes of every file in :data:`FILES`, downloading what is missing or damaged."""
    raws: dict[str, bytes] = {}
    problems: dict[str, str] = {}  # name -> "missing" or "damaged: <why>"
    for name in FILES:
        raw, problem = _check_local(directory / name)
        if problem is None:
            raws[name] = raw
        else:
            problems[name] = problem
    if not problems:
        return raws
    if not download:
        raise _not_available(problems, directory, origin)

    _prepare_directory(directory, origin)
    for name, problem in problems.items():
        if problem != "missing":
            warnings.warn(
                f"{directory / name} is {problem}; replacing it with a fresh download", MnistWarning, stacklevel=4
            )
    print(f"bplib: downloading {len(problems)} MNIST file(s) into {directory}")
    for name, problem in problems.items():
        raws[name] = _download(name, directory, origin, damaged=problem != "missing")
    return raws


def load_mnist_uint8(
    data_dir: str | os.PathLike[str] | None = None, download: bool = True
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """MNIST with the images as raw bytes (0..255): what a fast training loop keeps in memory.

    Same files, checks and downloads as :func:`load_mnist`; only the image
    dtype differs. Convert a batch with ``Xb.astype(np.float32) / 255``.

    Returns
    -------
    (X_train, y_train), (X_test, y_test)
        ``X_train`` is ``(60000, 784)`` uint8, ``y_train`` ``(60000,)`` int64;
        ``X_test`` is ``(10000, 784)`` uint8, ``y_test`` ``(10000,)`` int64.
        Row ``i`` is image ``i`` read row by row (``X[i].reshape(28, 28)``).
        Fresh, writable arrays.

    Raises
    ------
    MnistUnavailableError
        A file is missing and cannot be obtained.
    MnistCorruptError
        A file is damaged and ``download=False``.
    """
    directory, origin = _data_dir_and_origin(data_dir)
    raws = _verified_files(directory, origin, download)
    train = _images_and_labels(raws.pop(_TRAIN[0]), raws.pop(_TRAIN[1]), _TRAIN)
    test = _images_and_labels(raws.pop(_TEST[0]), raws.pop(_TEST[1]), _TEST)
    return train, test


def _to_unit_interval(images: np.ndarray) -> np.ndarray:
    """uint8 ``(N, 784)`` -> float32 ``(N, 784)`` in [0, 1] (a new array; 0 -> 0.0 and 255 -> 1.0 exactly)."""
    out = images.astype(np.float32)
    out /= 255  # in place: no second temporary array
    return out


def load_mnist(
    data_dir: str | os.PathLike[str] | None = None, download: bool = True
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST: 60,000 training and 10,000 test images of handwritten digits.

    Parameters
    ----------
    data_dir : str or path-like, optional
        Directory holding the four ``.gz`` files. Default: the environment
        variable ``BPLIB_DATA`` if set, else ``~/.cache/bplib/mnist``
        (``$XDG_CACHE_HOME/bplib/mnist``); see :func:`resolve_data_dir`.
    download : bool, default True
        Download missing or damaged files (about 11 MB in all) from
        :data:`MIRRORS`, with a progress bar. With ``False`` such a file is an
        error instead.

    Returns
    -------
    (X_train, y_train), (X_test, y_test)
        ``X_train`` ``(60000, 784)`` float32 in [0, 1] (pixel / 255), one
        flattened 28x28 image per row; ``y_train`` ``(60000,)`` int64 digits
        0..9; ``X_test`` ``(10000, 784)`` and ``y_test`` ``(10000,)`` likewise.
        Fresh, writable arrays.

    Raises
    ------
    MnistUnavailableError
        A file is missing and cannot be obtained (``download=False``, offline,
        or every mirror failed); the message names the file, the directory and
        ``BPLIB_DATA``.
    MnistCorruptError
        A file is damaged (bad gzip, wrong SHA-256) and ``download=False``.
        With ``download=True`` a damaged file is reported (``MnistWarning``)
        and replaced by a verified download instead; it is never used.

    Examples
    --------
    >>> (X_train, y_train), (X_test, y_test) = load_mnist()   # doctest: +SKIP
    >>> X_train.shape, X_train.dtype, y_train[:5]             # doctest: +SKIP
    ((60000, 784), dtype('float32'), array([5, 0, 4, 1, 9]))
    """
    (X_train, y_train), (X_test, y_test) = load_mnist_uint8(data_dir, download)
    return (_to_unit_interval(X_train), y_train), (_to_unit_interval(X_test), y_test)
