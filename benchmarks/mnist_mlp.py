"""Benchmark: the reference Keras MNIST configuration (R3), trained in bplib and, when torch imports, in PyTorch.

784-512 ReLU-10, softmax cross-entropy, RMSprop lr 1e-3, batch 128, 5 epochs on the 60,000 training images.
Prints seconds per epoch, the total, bplib's peak memory and the test accuracy; with PyTorch, the same
for PyTorch and the time ratio bplib / PyTorch. This is a script that prints figures, not a test.

Run:  python benchmarks/mnist_mlp.py [--seed 0] [--epochs 5] [--no-torch]
      OPENBLAS_NUM_THREADS=1 python benchmarks/mnist_mlp.py   # both libraries on one thread
(MNIST is read through bplib.data, so BPLIB_DATA or the cache directory is used, downloading if needed.)
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np

from bplib.data import load_mnist_uint8
from bplib.nn import Linear, ReLU, Sequential, SoftmaxCrossEntropy
from bplib.optim import RMSprop
from bplib.train import accuracy, fit


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class BplibRun:
    """R3 in bplib: one ``epoch()`` at a time, so that the two libraries can take turns."""

    def __init__(self, data, seed: int) -> None:
        (self.X_train, self.y_train), (self.X_test, self.y_test) = data
        self.rng = np.random.default_rng(seed)
        self.model = Sequential(Linear(784, 512, rng=self.rng), ReLU(), Linear(512, 10, rng=self.rng))
        self.loss, self.optimizer = SoftmaxCrossEntropy(), RMSprop(lr=1e-3)

    def epoch(self) -> None:
        # X_train is uint8: fit gathers each batch and scales it to float32 in a reused buffer.
        fit(self.model, self.loss, self.optimizer, self.X_train, self.y_train, epochs=1, batch_size=128,
            rng=self.rng, progress=False)

    def test_accuracy(self) -> float:
        return accuracy(self.model, self.X_test, self.y_test)


class TorchRun:
    """The same model, loss, optimiser and batches in PyTorch (its default initialisation)."""

    def __init__(self, data, seed: int) -> None:
        import torch

        self.torch = torch
        torch.manual_seed(seed)
        (X_train, y_train), (X_test, self.y_test) = data
        self.X_train = torch.from_numpy(X_train.astype(np.float32) / 255)
        self.y_train = torch.from_numpy(y_train)
        self.X_test = torch.from_numpy(X_test.astype(np.float32) / 255)
        self.model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
        self.optimizer = torch.optim.RMSprop(self.model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
        self.loss = torch.nn.CrossEntropyLoss()

    def epoch(self) -> None:
        order = self.torch.randperm(len(self.X_train))
        for i in range(0, len(order), 128):
            rows = order[i:i + 128]
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
    print(f"{name:8s} seconds per epoch: {per_epoch}   total {sum(epoch_times):.2f} s   "
          f"median {np.median(epoch_times):.2f} s   "
          f"test accuracy {test_accuracy:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    args = parser.parse_args()

    data = load_mnist_uint8()
    print(f"MNIST: {len(data[0][0])} training and {len(data[1][0])} test images; "
          f"784-512-10 ReLU, RMSprop lr 1e-3, batch 128, {args.epochs} epochs, seed {args.seed}")
    bp = BplibRun(data, args.seed)
    bp_times, torch_times = [timed(bp)], []
    bp_peak = peak_rss_mb()  # measured before PyTorch is even imported
    tr = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            print("torch is not installed: no PyTorch comparison (pip install torch==2.13.0)")
        else:
            # Same number of threads as NumPy's BLAS: OPENBLAS_NUM_THREADS if set, else all cores.
            torch.set_num_threads(int(os.environ.get("OPENBLAS_NUM_THREADS", len(os.sched_getaffinity(0)))))
            tr = TorchRun(data, args.seed)
            torch_times.append(timed(tr))

    # The libraries take turns epoch by epoch, so a busy moment of the machine hits both alike.
    for _ in range(args.epochs - 1):
        bp_times.append(timed(bp))
        if tr is not None:
            torch_times.append(timed(tr))
    bp_accuracy = bp.test_accuracy()
    report("bplib", bp_times, bp_accuracy)
    print(f"bplib    peak memory (process RSS after the first epoch, data included): {bp_peak:.0f} MB")
    print(f"bplib    test accuracy >= 0.975: {bp_accuracy >= 0.975}")
    if tr is not None:
        report("PyTorch", torch_times, tr.test_accuracy())
        print(f"time ratio bplib / PyTorch: total {sum(bp_times) / sum(torch_times):.2f}, "
              f"median epoch {np.median(bp_times) / np.median(torch_times):.2f} (bar: <= 1.0, goal: 0.8)")

if __name__ == "__main__":
    main()
