"""Writes bench/data/<config>/: weights as one .npy per state_dict key, input.npy (T, B, I), and
model.onnx exported from the same module (for `stream`, a one-step model taking and returning
the state). Run with bench/.venv/bin/python (PyTorch 2.13 + onnx); fixed seeds."""
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    configs = json.loads(sys.argv[1])
    for c in configs:
        out = os.path.join(HERE, "data", c["name"])
        if os.path.exists(os.path.join(out, "model.onnx")):
            continue
        os.makedirs(os.path.join(out, "weights"), exist_ok=True)
        torch.manual_seed(2026)
        cls = torch.nn.LSTM if c["mode"] == "LSTM" else torch.nn.GRU
        m = cls(c["inputSize"], c["hiddenSize"], num_layers=c["numLayers"], bidirectional=c["bidirectional"]).eval()
        for k, v in m.state_dict().items():
            np.save(os.path.join(out, "weights", k + ".npy"), v.numpy())
        x = torch.randn(c["steps"], c["batch"], c["inputSize"])
        np.save(os.path.join(out, "input.npy"), x.numpy())
        D = 2 if c["bidirectional"] else 1
        h0 = torch.zeros(c["numLayers"] * D, c["batch"], c["hiddenSize"])
        lstm = c["mode"] == "LSTM"
        state = (h0, h0.clone()) if lstm else h0
        x_in = x[:1] if c["stream"] else x
        names = (["x", "h0", "c0"] if lstm else ["x", "h0"]), (["y", "hn", "cn"] if lstm else ["y", "hn"])
        torch.onnx.export(m, (x_in, state), os.path.join(out, "model.onnx"), dynamo=False, opset_version=17,
                          input_names=names[0], output_names=names[1])
        print(f"make_models: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
