"""Benchmark: the reference Keras MNIST configuration (R3), trained in bplib and, when torch imports, in PyTorch.

784-512 ReLU-10, softmax cross-entropy, RMSprop lr 1e-3, batch 128, 5 epochs on the 60,000 training images.
Prints seconds per epoch, the total, bplib's peak memory and the test accuracy; with PyTorch, the same
for PyTorch and the time ratio bplib / PyTorch. This is a script that prints figures, not a test.

Run:  python benchmarks/mnist_mlp.py [--seed 0] [--epochs 5] [--no-torch]
(MNIST is read through bplib.data, so BPLIB_DATA or the cache directory is used, downloading if needed.)
"""

from __future__ import annotations

import argparse
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


def train_bplib(data, epochs: int, seed: int) -> tuple[list[float], float]:
    (X_train, y_train), (X_test, y_test) = data
    rng = np.random.default_rng(seed)
    model = Sequential(Linear(784, 512, rng=rng), ReLU(), Linear(512, 10, rng=rng))
    loss, optimizer = SoftmaxCrossEntropy(), RMSprop(lr=1e-3)
    epoch_times = []
    for _ in range(epochs):
        start = time.perf_counter()
        # X_train is uint8: fit gathers each batch and scales it to float32 in a reused buffer.
        fit(model, loss, optimizer, X_train, y_train, epochs=1, batch_size=128, rng=rng, progress=False)
        epoch_times.append(time.perf_counter() - start)
    return epoch_times, accuracy(model, X_test, y_test)


def train_torch(data, epochs: int, seed: int) -> tuple[list[float], float]:
    import torch

    torch.manual_seed(seed)
    (X_train, y_train), (X_test, y_test) = data
    X_train_t = torch.from_numpy(X_train.astype(np.float32) / 255)
    y_train_t = torch.from_numpy(y_train)
    X_test_t = torch.from_numpy(X_test.astype(np.float32) / 255)
    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    epoch_times = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(len(X_train_t))
        for i in range(0, len(order), 128):
            rows = order[i:i + 128]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(X_train_t[rows]), y_train_t[rows])
            loss.backward()
            optimizer.step()
        epoch_times.append(time.perf_counter() - start)
    with torch.no_grad():
        predicted = model(X_test_t).argmax(dim=1).numpy()
    return epoch_times, float(np.mean(predicted == y_test))


def report(name: str, epoch_times: list[float], test_accuracy: float) -> None:
    per_epoch = ", ".join(f"{t:.2f}" for t in epoch_times)
    print(f"{name:8s} seconds per epoch: {per_epoch}   total {sum(epoch_times):.2f} s   "
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
    bp_times, bp_accuracy = train_bplib(data, args.epochs, args.seed)
    report("bplib", bp_times, bp_accuracy)
    print(f"bplib    peak memory (process RSS): {peak_rss_mb():.0f} MB")
    print(f"bplib    test accuracy >= 0.975: {bp_accuracy >= 0.975}")

    if args.no_torch:
        return
    try:
        import torch
    except ImportError:
        print("torch is not installed: no PyTorch comparison (pip install torch==2.13.0)")
        return
    torch.set_num_threads(len(__import__("os").sched_getaffinity(0)))
    torch_times, torch_accuracy = train_torch(data, args.epochs, args.seed)
    report("PyTorch", torch_times, torch_accuracy)
    print(f"time ratio bplib / PyTorch: {sum(bp_times) / sum(torch_times):.2f} (bar: <= 1.0, goal: 0.8)")


if __name__ == "__main__":
    main()
