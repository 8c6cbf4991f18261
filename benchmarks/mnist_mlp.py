"""Benchmark: the two Keras MNIST reference configurations, trained in bplib and, when torch imports, in PyTorch.

R3: 784-512 ReLU-10, softmax cross-entropy, RMSprop lr 1e-3, batch 128, 5 epochs.
R5: 784-64 ReLU-64 ReLU-10, softmax cross-entropy, SGD lr 0.01, batch 32, 5 epochs.
Both on the 60,000 training images. For each configuration it prints seconds per epoch, the total, the test
accuracy and, with PyTorch, the time ratio bplib / PyTorch; then bplib's peak memory. The two libraries take
turns epoch by epoch, so a busy moment of the machine hits both alike. This is a script that prints figures,
not a test.

Run:  python benchmarks/mnist_mlp.py [--seed 0] [--epochs 5] [--no-torch] [--only R3|R5]
      OPENBLAS_NUM_THREADS=1 python benchmarks/mnist_mlp.py   # both libraries on one thread
(MNIST is read through bplib.data, so BPLIB_DATA or the cache directory is used, downloading if needed.)
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from dataclasses import dataclass

import numpy as np

from bplib.data import load_mnist_uint8
from bplib.nn import Linear, ReLU, Sequential, SoftmaxCrossEntropy
from bplib.optim import SGD, RMSprop
from bplib.train import accuracy, fit


@dataclass(frozen=True)
class Config:
    """One reference configuration: layer sizes (ReLU between them), optimiser, learning rate, batch size."""

    name: str
    sizes: tuple[int, ...]
    optimizer: str          # "rmsprop" or "sgd"
    lr: float
    batch_size: int

    def describe(self) -> str:
        sizes = "-".join(str(s) for s in self.sizes)
        return f"{self.name}: {sizes} ReLU, {self.optimizer} lr {self.lr:g}, batch {self.batch_size}"


CONFIGS = {
    "R3": Config("R3", (784, 512, 10), "rmsprop", 1e-3, 128),
    "R5": Config("R5", (784, 64, 64, 10), "sgd", 1e-2, 32),
}


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class BplibRun:
    """A configuration in bplib: one ``epoch()`` at a time, so that the two libraries can take turns."""

    def __init__(self, config: Config, data, seed: int) -> None:
        (self.X_train, self.y_train), (self.X_test, self.y_test) = data
        self.config = config
        self.rng = np.random.default_rng(seed)
        layers = []
        for d_in, d_out in zip(config.sizes[:-1], config.sizes[1:]):
            layers += [Linear(d_in, d_out, rng=self.rng), ReLU()]
        self.model = Sequential(*layers[:-1])          # no ReLU after the last Linear (logits)
        self.loss = SoftmaxCrossEntropy()
        self.optimizer = RMSprop(lr=config.lr) if config.optimizer == "rmsprop" else SGD(lr=config.lr)

    def epoch(self) -> None:
        # X_train is uint8: fit converts each batch to float32 in [0, 1].
        fit(self.model, self.loss, self.optimizer, self.X_train, self.y_train, epochs=1,
            batch_size=self.config.batch_size, rng=self.rng, progress=False)

    def test_accuracy(self) -> float:
        return accuracy(self.model, self.X_test, self.y_test)


class TorchRun:
    """The same model, loss, optimiser and batch size in PyTorch (its default initialisation)."""

    def __init__(self, config: Config, data, seed: int) -> None:
        import torch

        self.torch, self.config = torch, config
        torch.manual_seed(seed)
        (X_train, y_train), (X_test, self.y_test) = data
        self.X_train = torch.from_numpy(X_train.astype(np.float32) / 255)
        self.y_train = torch.from_numpy(y_train)
        self.X_test = torch.from_numpy(X_test.astype(np.float32) / 255)
        layers = []
        for d_in, d_out in zip(config.sizes[:-1], config.sizes[1:]):
            layers += [torch.nn.Linear(d_in, d_out), torch.nn.ReLU()]
        self.model = torch.nn.Sequential(*layers[:-1])
        if config.optimizer == "rmsprop":
            self.optimizer = torch.optim.RMSprop(self.model.parameters(), lr=config.lr, alpha=0.9, eps=1e-7)
        else:
            self.optimizer = torch.optim.SGD(self.model.parameters(), lr=config.lr)
        self.loss = torch.nn.CrossEntropyLoss()

    def epoch(self) -> None:
        order = self.torch.randperm(len(self.X_train))
        batch_size = self.config.batch_size
        for i in range(0, len(order), batch_size):
            rows = order[i:i + batch_size]
            self.optimizer.zero_grad(set_to_none=True)
            self.loss(self.model(self.X_train[rows]), self.y_train[rows]).backward()
            self.optimizer.step()

    def test_accuracy(self) -> float:
        with self.torch.no_grad():
            predicted = self.model(self.X_test).argmax(dim=1).numpy()
        return float(np.mean(predicted == self.y_test))


def timed(run) -> float:
    start = time.perf_counter()
    run.epoch()
    return time.perf_counter() - start


def report(name: str, epoch_times: list[float], test_accuracy: float) -> None:
    per_epoch = ", ".join(f"{t:.2f}" for t in epoch_times)
    print(f"  {name:8s} seconds per epoch: {per_epoch}   total {sum(epoch_times):.2f} s   "
          f"median {np.median(epoch_times):.2f} s   test accuracy {test_accuracy:.4f}")


def benchmark(config: Config, data, seed: int, epochs: int, torch_available: bool) -> None:
    """Train ``config`` for ``epochs`` epochs in bplib (and PyTorch), alternating epochs, and print the figures."""
    print(config.describe() + f", {epochs} epochs, seed {seed}")
    bp = BplibRun(config, data, seed)
    tr = TorchRun(config, data, seed) if torch_available else None
    bp_times, torch_times = [], []
    for _ in range(epochs):
        bp_times.append(timed(bp))
        if tr is not None:
            torch_times.append(timed(tr))
    report("bplib", bp_times, bp.test_accuracy())
    if tr is not None:
        report("PyTorch", torch_times, tr.test_accuracy())
        print(f"  time ratio bplib / PyTorch: total {sum(bp_times) / sum(torch_times):.2f}, "
              f"median epoch {np.median(bp_times) / np.median(torch_times):.2f} (bar: <= 1.0)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    parser.add_argument("--only", choices=sorted(CONFIGS), help="run one configuration only")
    args = parser.parse_args()

    data = load_mnist_uint8()
    print(f"MNIST: {len(data[0][0])} training and {len(data[1][0])} test images")
    torch_available = False
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            print("torch is not installed: no PyTorch comparison (pip install torch==2.13.0)")
        else:
            # Same number of threads as NumPy's BLAS: OPENBLAS_NUM_THREADS if set, else all cores.
            torch.set_num_threads(int(os.environ.get("OPENBLAS_NUM_THREADS", len(os.sched_getaffinity(0)))))
            torch_available = True
    for name in [args.only] if args.only else sorted(CONFIGS):
        benchmark(CONFIGS[name], data, args.seed, args.epochs, torch_available)
    print(f"peak memory of the process (RSS, data and both libraries included): {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
