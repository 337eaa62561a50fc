"""Generates test/fixtures/cases/: small case files captured from PyTorch with python/rnnport_capture.py.

    .venv-torch/bin/python scripts/gen_cases.py             # PyTorch 2.x + official safetensors: the main set
    /usr/bin/python3 scripts/gen_cases.py --torch113        # Debian's 1.13, built-in writer: the *_t113 files

Each case is one .safetensors file (format: docs/case-format.md); INDEX.json lists them with what
they cover. Seeded from the case name (crc32), one thread: rerunning on the same machine with the
same versions rewrites the same bytes. (The description records torch, python and platform, so
another machine writes different metadata; float32 outputs may also differ in the last bit
between CPUs.) Sizes stay tiny: every dimension <= 8, T <= 5.
"""
from __future__ import annotations

import json
import os
import sys
import warnings
import zlib
from typing import Any, Callable

import torch
from torch import nn

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
sys.path.insert(0, os.path.join(ROOT, 'python'))
import rnnport_capture as rc  # noqa: E402

OUT = os.path.join(ROOT, 'test', 'fixtures', 'cases')
T113 = '--torch113' in sys.argv


def seed_of(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


class Case:
    """One fixture: a module factory and the call to capture."""

    def __init__(self, name: str, covers: str, make: Callable[[], nn.Module], shape: tuple[int, ...], *,
                 h0: bool = False, lengths: list[int] | None = None, dtype: torch.dtype = torch.float32,
                 in_model: str | None = None):
        self.name, self.covers, self.make, self.shape = name, covers, make, shape
        self.h0, self.lengths, self.dtype, self.in_model = h0, lengths, dtype, in_model

    def write(self, path: str) -> dict[str, Any]:
        torch.manual_seed(seed_of(self.name))
        module = self.make().to(self.dtype)
        g = torch.Generator().manual_seed(seed_of(self.name) + 1)

        def randn(*shape: int) -> torch.Tensor:
            return torch.randn(*shape, generator=g, dtype=torch.float64).to(self.dtype)

        kind, options = rc.describe_module(module)
        x = randn(*self.shape)
        hx = None
        if self.h0:
            H = options['hidden_size']
            if kind.endswith('Cell'):
                lead: tuple[int, ...] = self.shape[:-1]
                h_shape, c_shape = (*lead, H), (*lead, H)
            else:
                D = 2 if options['bidirectional'] else 1
                lead = () if x.dim() == 2 else (self.shape[0 if options['batch_first'] else 1],)
                P = options.get('proj_size', 0) or H
                h_shape, c_shape = (options['num_layers'] * D, *lead, P), (options['num_layers'] * D, *lead, H)
            hx = (randn(*h_shape), randn(*c_shape)) if kind.startswith('LSTM') else randn(*h_shape)
        root = None
        if self.in_model:
            # A model that holds the module at `in_model` beside other layers, as a user's does.
            root = nn.Module()
            owner = root
            *parents, leaf = self.in_model.split('.')
            for p in parents:
                owner.add_module(p, nn.Module())
                owner = getattr(owner, p)
            owner.add_module(leaf, module)
            root.add_module('head', nn.Linear(4, 2))
        rc.capture(module, x, hx=hx, lengths=self.lengths, path=path, root=root, name=self.name)
        return {'module': kind, 'covers': self.covers}


def cases_main() -> list[Case]:
    return [
        Case('rnn_tanh_h0', 'nn.RNN tanh, 1 layer, h_0 given', lambda: nn.RNN(3, 4), (4, 2, 3), h0=True),
        Case('rnn_relu_l2', 'nn.RNN relu, 2 layers, no h_0', lambda: nn.RNN(3, 5, num_layers=2, nonlinearity='relu'),
             (5, 3, 3)),
        Case('rnn_nobias_batch_first', 'nn.RNN bias=False, batch_first',
             lambda: nn.RNN(2, 4, bias=False, batch_first=True), (3, 4, 2)),
        Case('gru_bidir_l2', 'nn.GRU bidirectional, 2 layers, h_0', lambda: nn.GRU(3, 4, num_layers=2, bidirectional=True),
             (5, 2, 3), h0=True),
        Case('gru_f64', 'nn.GRU float64, 2 layers', lambda: nn.GRU(3, 4, num_layers=2), (4, 2, 3), dtype=torch.float64),
        Case('lstm_h0_c0', 'nn.LSTM with (h_0, c_0)', lambda: nn.LSTM(3, 4), (4, 3, 3), h0=True),
        Case('lstm_proj_bidir_l2', 'nn.LSTM proj_size=2, bidirectional, 2 layers, (h_0, c_0)',
             lambda: nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2), (4, 2, 3), h0=True),
        Case('lstm_packed_batch_first', 'nn.LSTM batch_first, bidirectional, packed with unsorted lengths [2, 5, 1, 3]',
             lambda: nn.LSTM(3, 4, bidirectional=True, batch_first=True), (4, 5, 3), lengths=[2, 5, 1, 3]),
        Case('gru_packed_h0', 'nn.GRU packed with unsorted lengths [3, 5, 4], h_0 (permuted by PyTorch)',
             lambda: nn.GRU(2, 3), (5, 3, 2), h0=True, lengths=[3, 5, 4]),
        Case('lstm_unbatched', 'nn.LSTM unbatched (T, I) input, 2 layers, (h_0, c_0) without B',
             lambda: nn.LSTM(3, 4, num_layers=2), (5, 3), h0=True),
        Case('encoder_lstm_prefixed', 'nn.LSTM at encoder.rnn. inside a bigger model (prefix found from the root)',
             lambda: nn.LSTM(3, 4, bidirectional=True), (3, 2, 3), in_model='encoder.rnn'),
        Case('rnncell_relu', 'nn.RNNCell relu, batch of 3, h_0: one step',
             lambda: nn.RNNCell(3, 4, nonlinearity='relu'), (3, 3), h0=True),
        Case('grucell_unbatched', 'nn.GRUCell unbatched (I,) input, no state', lambda: nn.GRUCell(3, 4), (3,)),
        Case('lstmcell_h0_c0', 'nn.LSTMCell batch of 2 with (h_0, c_0): output = h_n = h\', c_n = c\'',
             lambda: nn.LSTMCell(3, 4), (2, 3), h0=True),
    ]


def cases_113() -> list[Case]:
    keep = {'gru_bidir_l2', 'lstm_packed_batch_first', 'lstmcell_h0_c0'}
    out = []
    for c in cases_main():
        if c.name in keep:
            c.name, c.covers = c.name + '_t113', c.covers + ' (PyTorch 1.13, built-in safetensors writer)'
            out.append(c)
    return out


def main() -> None:
    torch.set_num_threads(1)
    warnings.filterwarnings('ignore')
    if T113 and rc._official_safetensors() is not None:
        os.environ['RNNPORT_CAPTURE_BUILTIN_SAFETENSORS'] = '1'  # these files exercise the built-in writer
    os.makedirs(OUT, exist_ok=True)
    cases = cases_113() if T113 else cases_main()
    for c in cases:
        assert max(c.shape) <= 8 and c.name.endswith('_t113') == T113, c.name
    index_path = os.path.join(OUT, 'INDEX.json')
    index: dict[str, Any] = {}
    if os.path.exists(index_path):
        with open(index_path) as f:
            index = json.load(f)['cases']
    for name in [n for n in index if n.removesuffix('.safetensors').endswith('_t113') == T113]:  # this mode's cases, rewritten below
        del index[name]
    for c in cases:
        file = c.name + '.safetensors'
        index[file] = {**c.write(os.path.join(OUT, file)), 'torch': torch.__version__}
    with open(index_path, 'w') as f:
        json.dump({'schema': 1, 'generator': 'scripts/gen_cases.py', 'format': 'docs/case-format.md',
                   'cases': dict(sorted(index.items()))}, f, indent=2)
        f.write('\n')
    print(f'{len(cases)} case file(s) written to {os.path.relpath(OUT)} (torch {torch.__version__})')


if __name__ == '__main__':
    main()
