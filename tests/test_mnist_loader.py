"""bplib.data.mnist on tiny home-made IDX files: verification, errors, downloads.

No test touches the internet or the user's cache: ``MIRRORS`` is emptied and
``XDG_CACHE_HOME`` points into ``tmp_path`` unless a test says otherwise, and
downloads come from a ``http.server`` on 127.0.0.1 started by the test.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import http.server
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import bplib.data
from bplib.data import mnist

NAMES = list(mnist.FILES)  # the four official file names
SIZES = {"train": 5, "t10k": 3}  # tiny: 5 training and 3 test images


# ---------------------------------------------------------------- tiny IDX files


def idx_bytes(array: np.ndarray, magic: int) -> bytes:
    """An IDX file: big-endian magic number, one 32-bit size per dimension, then the bytes."""
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def make_tiny() -> tuple[dict[str, bytes], dict[str, np.ndarray]]:
    """gzip bytes of the four tiny files, and the arrays they hold (images flattened to (N, 784))."""
    rng = np.random.default_rng(0)
    gz, arrays = {}, {}
    for prefix, n in SIZES.items():
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        images[0, 0, 0], images[-1, -1, -1] = 0, 255  # the extremes of the range
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        images_name, labels_name = f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"
        gz[images_name] = gzip.compress(idx_bytes(images, 2051), mtime=0)
        gz[labels_name] = gzip.compress(idx_bytes(labels, 2049), mtime=0)
        arrays[images_name], arrays[labels_name] = images.reshape(n, 784), labels.astype(np.int64)
    return gz, arrays


GOOD, ARRAYS = make_tiny()
assert set(GOOD) == set(NAMES)
# A valid gzip file with the wrong content: an IDX file of the right kind, other pixels.
TAMPERED = gzip.compress(idx_bytes(np.full((5, 28, 28), 7, np.uint8), 2051), mtime=0)
TRUNCATED = GOOD["train-images-idx3-ubyte.gz"][:-50]  # cut: gzip stream without its end


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """Tiny hashes, no mirrors, no BPLIB_DATA, a private cache directory, no proxies, short timeout."""
    hashes = {name: hashlib.sha256(gzip.decompress(data)).hexdigest() for name, data in GOOD.items()}
    monkeypatch.setattr(mnist, "FILES", hashes)
    monkeypatch.setattr(mnist, "MIRRORS", [])
    monkeypatch.setattr(mnist, "TIMEOUT", 5.0)
    monkeypatch.delenv("BPLIB_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def write_files(directory: Path, files: dict[str, bytes] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in (GOOD if files is None else files).items():
        (directory / name).write_bytes(data)
    return directory


def listing(directory: Path) -> list[str]:
    """Every entry of the directory, hidden temp files included."""
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def assert_tiny(data) -> None:
    (X_train, y_train), (X_test, y_test) = data
    assert X_train.shape == (5, 784) and X_test.shape == (3, 784)
    assert y_train.shape == (5,) and y_test.shape == (3,)
    assert X_train.dtype == X_test.dtype == np.float32
    assert y_train.dtype == y_test.dtype == np.int64
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    np.testing.assert_array_equal(X_train, ARRAYS["train-images-idx3-ubyte.gz"] / np.float32(255))
    np.testing.assert_array_equal(y_train, ARRAYS["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(X_test, ARRAYS["t10k-images-idx3-ubyte.gz"] / np.float32(255))
    np.testing.assert_array_equal(y_test, ARRAYS["t10k-labels-idx1-ubyte.gz"])


# ---------------------------------------------------------------- a local HTTP server


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a directory (404 for what is not there) without logging to stderr."""

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


class InterruptedHandler(http.server.BaseHTTPRequestHandler):
    """Announces the full file but sends only half of it, then closes the connection."""

    def do_GET(self):
        data = GOOD[self.path.rsplit("/", 1)[-1]]
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, format, *args):  # noqa: A002
        pass


@contextlib.contextmanager
def serve(handler) -> Iterator[str]:
    """Run ``handler`` on 127.0.0.1 (a free port) in a thread; yield the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def serving(directory: Path):
    """A server for the files in ``directory``."""
    return serve(functools.partial(QuietHandler, directory=str(directory)))


@pytest.fixture
def good_mirror(tmp_path) -> Iterator[str]:
    with serving(write_files(tmp_path / "served")) as url:
        yield url


# ---------------------------------------------------------------- reading local files


def test_loads_tiny_files(tmp_path):
    data_dir = write_files(tmp_path / "data")
    data = bplib.data.load_mnist(data_dir, download=False)
    assert_tiny(data)
    assert all(a.flags.writeable and a.flags.owndata for part in data for a in part)


def test_uint8_variant(tmp_path):
    data_dir = write_files(tmp_path / "data")
    (X_train, y_train), (X_test, y_test) = bplib.data.load_mnist_uint8(str(data_dir), download=False)
    assert X_train.dtype == X_test.dtype == np.uint8 and y_train.dtype == np.int64
    np.testing.assert_array_equal(X_train, ARRAYS["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, ARRAYS["t10k-labels-idx1-ubyte.gz"])


def test_bplib_data_env_var_honoured(tmp_path, monkeypatch):
    data_dir = write_files(tmp_path / "from-env")
    monkeypatch.setenv("BPLIB_DATA", str(data_dir))
    assert mnist.resolve_data_dir() == data_dir
    assert_tiny(bplib.data.load_mnist(download=False))
    assert mnist.resolve_data_dir(tmp_path / "arg") == tmp_path / "arg"  # the argument wins


def test_default_dir_is_the_user_cache(tmp_path, monkeypatch):
    assert mnist.resolve_data_dir() == tmp_path / "xdg-cache" / "bplib" / "mnist"
    write_files(tmp_path / "xdg-cache" / "bplib" / "mnist")
    assert_tiny(bplib.data.load_mnist(download=False))
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert mnist.resolve_data_dir() == tmp_path / "home" / ".cache" / "bplib" / "mnist"


# ---------------------------------------------------------------- errors with download=False


def test_missing_file_without_download_names_file_dir_and_env_var(tmp_path):
    data_dir = write_files(tmp_path / "data")
    (data_dir / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(bplib.data.MnistUnavailableError) as info:
        bplib.data.load_mnist(data_dir, download=False)
    message = str(info.value)
    assert "t10k-labels-idx1-ubyte.gz" in message and str(data_dir) in message and "BPLIB_DATA" in message
    assert "download=True" in message  # says what to do
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, bplib.data.MnistError)


def test_missing_directory_without_download_creates_nothing(tmp_path):
    data_dir = tmp_path / "nowhere"
    with pytest.raises(bplib.data.MnistUnavailableError, match="train-images-idx3-ubyte.gz"):
        bplib.data.load_mnist(data_dir, download=False)
    assert not data_dir.exists()


@pytest.mark.parametrize(
    "bad, reason",
    [(TAMPERED, "SHA-256"), (TRUNCATED, "truncated"), (b"not gzip at all", "not valid gzip")],
    ids=["tampered", "truncated", "not-gzip"],
)
def test_damaged_file_without_download_is_an_error(tmp_path, bad, reason):
    data_dir = write_files(tmp_path / "data")
    (data_dir / "train-images-idx3-ubyte.gz").write_bytes(bad)
    with pytest.raises(bplib.data.MnistCorruptError) as info:
        bplib.data.load_mnist(data_dir, download=False)
    message = str(info.value)
    assert str(data_dir / "train-images-idx3-ubyte.gz") in message and reason in message
    assert "delete" in message and "download=True" in message
    assert (data_dir / "train-images-idx3-ubyte.gz").read_bytes() == bad  # left untouched
    assert listing(data_dir) == sorted(NAMES)


def test_wrong_idx_header_is_an_error(tmp_path, monkeypatch):
    # The hash matches (we patch it) but the header promises more images than the file holds.
    bad = idx_bytes(np.zeros((5, 28, 28), np.uint8), 2051)
    bad = bad[:4] + struct.pack(">I", 6) + bad[8:]
    monkeypatch.setitem(mnist.FILES, "train-images-idx3-ubyte.gz", hashlib.sha256(bad).hexdigest())
    data_dir = write_files(tmp_path / "data", {**GOOD, "train-images-idx3-ubyte.gz": gzip.compress(bad)})
    with pytest.raises(bplib.data.MnistCorruptError, match=r"train-images-idx3-ubyte.gz.*\(6, 28, 28\)"):
        bplib.data.load_mnist(data_dir, download=False)


def test_parse_idx_checks_magic_and_count():
    labels = idx_bytes(np.arange(4, dtype=np.uint8), 2049)
    np.testing.assert_array_equal(mnist.parse_idx(labels, 2049), [0, 1, 2, 3])
    with pytest.raises(ValueError, match="magic number is 2049, expected 2051"):
        mnist.parse_idx(labels, 2051)
    with pytest.raises(ValueError, match="4 bytes of data, but the file has 3"):
        mnist.parse_idx(labels[:-1], 2049)
    with pytest.raises(ValueError, match="not an IDX file"):
        mnist.parse_idx(b"\x1f\x8b\x08\x00rest", None)


# ---------------------------------------------------------------- downloads from 127.0.0.1


def test_download_into_empty_directory(tmp_path, monkeypatch, good_mirror):
    monkeypatch.setattr(mnist, "MIRRORS", [good_mirror])
    data_dir = tmp_path / "new" / "data"  # created on demand
    assert_tiny(bplib.data.load_mnist(data_dir))
    assert listing(data_dir) == sorted(NAMES)  # the four files, no temp file left
    for name in NAMES:
        assert (data_dir / name).read_bytes() == GOOD[name]


def test_download_to_default_cache_dir(tmp_path, monkeypatch, good_mirror):
    monkeypatch.setattr(mnist, "MIRRORS", [good_mirror.rstrip("/")])  # a mirror without the final "/"
    assert_tiny(bplib.data.load_mnist())
    assert listing(tmp_path / "xdg-cache" / "bplib" / "mnist") == sorted(NAMES)


def test_only_missing_files_are_downloaded(tmp_path, monkeypatch):
    requested = []

    class Recording(QuietHandler):
        def do_GET(self):
            requested.append(self.path)
            super().do_GET()

    data_dir = write_files(tmp_path / "data")
    (data_dir / "train-labels-idx1-ubyte.gz").unlink()
    with serve(functools.partial(Recording, directory=str(write_files(tmp_path / "served")))) as url:
        monkeypatch.setattr(mnist, "MIRRORS", [url])
        assert_tiny(bplib.data.load_mnist(data_dir))
    assert requested == ["/train-labels-idx1-ubyte.gz"]


@pytest.mark.parametrize("bad", [TAMPERED, TRUNCATED], ids=["tampered", "truncated"])
def test_damaged_file_is_reported_and_replaced(tmp_path, monkeypatch, good_mirror, bad):
    monkeypatch.setattr(mnist, "MIRRORS", [good_mirror])
    data_dir = write_files(tmp_path / "data")
    (data_dir / "train-images-idx3-ubyte.gz").write_bytes(bad)
    with pytest.warns(bplib.data.MnistWarning, match="train-images-idx3-ubyte.gz"):
        data = bplib.data.load_mnist(data_dir)
    assert_tiny(data)  # the good data, never the damaged file's
    assert (data_dir / "train-images-idx3-ubyte.gz").read_bytes() == GOOD["train-images-idx3-ubyte.gz"]
    assert listing(data_dir) == sorted(NAMES)


def test_mirror_fallback_first_404_second_works(tmp_path, monkeypatch, good_mirror):
    empty = tmp_path / "empty"
    empty.mkdir()
    with serving(empty) as missing_mirror:
        monkeypatch.setattr(mnist, "MIRRORS", [missing_mirror, good_mirror])
        assert_tiny(bplib.data.load_mnist(tmp_path / "data"))
    assert listing(tmp_path / "data") == sorted(NAMES)


def test_all_mirrors_fail_error_lists_them(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    with serving(empty) as first, serving(empty) as second:
        monkeypatch.setattr(mnist, "MIRRORS", [first, second])
        with pytest.raises(bplib.data.MnistUnavailableError) as info:
            bplib.data.load_mnist(tmp_path / "data")
    message = str(info.value)
    assert first in message and second in message and "404" in message
    assert "train-images-idx3-ubyte.gz" in message and str(tmp_path / "data") in message
    assert "BPLIB_DATA" in message
    assert listing(tmp_path / "data") == []


def test_offline_error_names_file_dir_and_env_var(tmp_path, monkeypatch):
    # A port that was free a moment ago: the connection is refused at once.
    server = http.server.HTTPServer(("127.0.0.1", 0), QuietHandler)
    port = server.server_address[1]
    server.server_close()
    monkeypatch.setattr(mnist, "MIRRORS", [f"http://127.0.0.1:{port}/"])
    data_dir = write_files(tmp_path / "data")
    (data_dir / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(bplib.data.MnistUnavailableError) as info:
        bplib.data.load_mnist(data_dir)
    message = str(info.value)
    assert "t10k-images-idx3-ubyte.gz" in message and str(data_dir) in message and "BPLIB_DATA" in message
    assert listing(data_dir) == sorted(set(NAMES) - {"t10k-images-idx3-ubyte.gz"})


@pytest.mark.parametrize("served", [TAMPERED, b"<html>not found</html>"], ids=["wrong-idx", "not-gzip"])
def test_wrong_bytes_from_server_leave_no_file(tmp_path, monkeypatch, served):
    write_files(tmp_path / "served", {**GOOD, "train-images-idx3-ubyte.gz": served})
    data_dir = write_files(tmp_path / "data")
    (data_dir / "train-images-idx3-ubyte.gz").unlink()
    with serving(tmp_path / "served") as url:
        monkeypatch.setattr(mnist, "MIRRORS", [url])
        with pytest.raises(bplib.data.MnistUnavailableError, match="train-images-idx3-ubyte.gz") as info:
            bplib.data.load_mnist(data_dir)
    assert "SHA-256" in str(info.value) or "gzip" in str(info.value)
    assert listing(data_dir) == sorted(set(NAMES) - {"train-images-idx3-ubyte.gz"})  # no final, no temp


def test_interrupted_download_leaves_no_file(tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    with serve(InterruptedHandler) as url:
        monkeypatch.setattr(mnist, "MIRRORS", [url])
        with pytest.raises(bplib.data.MnistUnavailableError, match="interrupted") as info:
            bplib.data.load_mnist(data_dir)
    assert "train-images-idx3-ubyte.gz" in str(info.value)
    assert listing(data_dir) == []


def test_damaged_file_kept_when_download_fails(tmp_path, monkeypatch):
    # No verified replacement: the error says so and the damaged file is neither used nor deleted.
    data_dir = write_files(tmp_path / "data")
    (data_dir / "t10k-images-idx3-ubyte.gz").write_bytes(TRUNCATED)
    with pytest.warns(bplib.data.MnistWarning), pytest.raises(bplib.data.MnistUnavailableError) as info:
        bplib.data.load_mnist(data_dir)
    assert "MIRRORS is empty" in str(info.value) and "delete it" in str(info.value)
    assert listing(data_dir) == sorted(NAMES)
