"""Times one config's forward pass in PyTorch, 1 thread; prints one JSON line.
Usage: python torch_bench.py CONFIG_JSON WARMUP REPEAT   (run by run.mjs with each PyTorch build)."""
import json
import os
import resource
import sys
import time

import numpy as np
import torch


def main() -> None:
    c = json.loads(sys.argv[1])
    warmup, repeat = int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(1)
    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", c["name"])
    cls = torch.nn.LSTM if c["mode"] == "LSTM" else torch.nn.GRU
    m = cls(c["inputSize"], c["hiddenSize"], num_layers=c["numLayers"], bidirectional=c["bidirectional"]).eval()
    sd = {k: torch.from_numpy(np.load(os.path.join(data, "weights", k + ".npy"))) for k in m.state_dict()}
    m.load_state_dict(sd)
    x = torch.from_numpy(np.load(os.path.join(data, "input.npy")))

    def once() -> float:
        t0 = time.perf_counter()
        with torch.no_grad():
            if c["stream"]:
                state = None
                for t in range(x.shape[0]):
                    _, state = m(x[t : t + 1], state)
            else:
                m(x)
        return (time.perf_counter() - t0) * 1000

    for _ in range(warmup):
        once()
    times = sorted(once() for _ in range(repeat))
    blas = "MKL" if torch.backends.mkl.is_available() else "OpenBLAS"
    print(json.dumps({
        "median_ms": times[len(times) // 2], "min_ms": times[0], "max_ms": times[-1], "repeat": repeat,
        "torch": torch.__version__, "blas": blas, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
