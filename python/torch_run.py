"""`rnnport run`'s command-line contract, implemented with PyTorch itself.

    python python/torch_run.py WEIGHTS --input X.npy [--h0 F.npy] [--c0 F.npy] [--lengths L.npy|5,3,2]
        [--batch-first] [--nonlinearity tanh|relu] [--dtype float32|float64] [--prefix P] [--key K] --out DIR

writes DIR/output.npy, DIR/h_n.npy and, for LSTM / LSTMCell, DIR/c_n.npy: what the PyTorch module
returns, in the compute dtype, shapes exactly PyTorch's. With it,

    npx rnnport conformance --impl 'python python/torch_run.py'

checks the PyTorch you run it with against golden results made by another PyTorch build.

Semantics (rnnport's README, `run`):
- WEIGHTS: safetensors, .pt (torch.load(weights_only=True); --key a dot path into nested dicts),
  .npz or a folder of <name>.npy; recognised from the bytes. `__case__.*` tensors are ignored, so
  a case file written by rnnport_capture.py works as WEIGHTS.
- The module is found from the names and shapes: keys grouped by prefix (`weight_ih_l0` ->
  nn.RNN/GRU/LSTM, `weight_ih` -> a cell); --prefix chooses (`encoder.rnn` == `encoder.rnn.`,
  matching at dots; a parent prefix holding exactly one module selects it; '' is the root).
  G = rows(weight_hh) / H picks RNN (1), GRU (3), LSTM (4), with H = cols(weight_hr_l0) under a
  projection, else cols(weight_hh_l0); layers, `_reverse`, biases and proj_size from the keys.
- Compute dtype: --dtype, else the input's (float16 computes in float32). Weights are converted
  to it as load_state_dict does; h0 / c0 are cast to it.
- --lengths: pack_padded_sequence(x, lengths, batch_first, enforce_sorted=False) -> module ->
  pad_packed_sequence(..., total_length=T). A cell computes one step and output = h'. A rank-2
  input is unbatched (rank 1 for a cell).

Exit status: 0 success; 1 rejected input, with one stderr line `torch_run: E_CODE: message`;
2 usage error; 3 a case this PyTorch cannot express (a dtype it lacks), the reason on the last
stderr line. Needs torch and numpy; rnnport_capture.py (beside this file) reads safetensors.
"""
from __future__ import annotations

import argparse
import inspect
import os
import re
import sys
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rnnport_capture as rc  # noqa: E402  (the sibling file: safetensors I/O, build_module, run_module)

# prefix + one of PyTorch's recurrent parameter names (torch/nn/modules/rnn.py, RNNBase.__init__):
# weight_ih_l{k}{_reverse} ... for a stack, weight_ih / weight_hh / bias_ih / bias_hh for a cell.
PARAM = re.compile(r'^((?:.*\.)?)(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)(?:_l(0|[1-9][0-9]*)(_reverse)?)?$')
MODES = {1: 'RNN', 3: 'GRU', 4: 'LSTM'}


class Rejected(Exception):
    """Input this program refuses (exit 1): a code in rnnport's vocabulary and a message."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


# ---- weights --------------------------------------------------------------------------------------


def _tensors(d: dict[str, Any]) -> dict[str, torch.Tensor]:
    return {k: v for k, v in d.items() if isinstance(k, str) and isinstance(v, torch.Tensor)}


def _has_recurrent(d: dict[str, Any]) -> bool:
    return any(_param(k) is not None for k in _tensors(d))


def _nested_state_dicts(obj: Any, path: str = '') -> list[tuple[str, dict[str, Any]]]:
    """Every nested dict holding recurrent parameters, with its dot path; optimizer state is skipped."""
    found = []
    if isinstance(obj, dict):
        if {'state', 'param_groups'} <= set(obj):
            return []
        for k, v in obj.items():
            if isinstance(v, dict):
                sub = f'{path}.{k}' if path else str(k)
                found += [(sub, v)] if _has_recurrent(v) else _nested_state_dicts(v, sub)
    return found


def _resolve_key(obj: Any, key: str) -> Any:
    """A dot path through nested dicts; an exact key containing dots wins."""
    if isinstance(obj, dict) and key in obj:
        return obj[key]
    parts = key.split('.')
    for i in range(len(parts) - 1, 0, -1):
        head = '.'.join(parts[:i])
        if isinstance(obj, dict) and head in obj:
            try:
                return _resolve_key(obj[head], '.'.join(parts[i:]))
            except KeyError:
                pass
    raise KeyError(key)


def _load_pt(path: str, key: str | None) -> dict[str, torch.Tensor]:
    if 'weights_only' not in inspect.signature(torch.load).parameters:
        raise rc.UnsupportedError(f'PyTorch {torch.__version__} has no torch.load(weights_only=True): '
                                  'it cannot read a .pt file safely')
    try:
        obj = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as e:
        text = ' '.join(str(e).split()) or type(e).__name__
        reason = text[text.find('WeightsUnpickler error:'):] if 'WeightsUnpickler error:' in text else text
        if 'Unsupported operand' in reason:
            # PyTorch 1.13's safe unpickler lacks opcodes later versions have (BINFLOAT, 71 = 'G', for
            # the floats of an optimizer state): the file is fine, this PyTorch cannot read it safely.
            raise rc.UnsupportedError(f"PyTorch {torch.__version__}'s torch.load(weights_only=True) cannot read "
                                      f'{path}: {reason}') from None
        raise Rejected('E_PICKLE_GLOBAL', f'{path}: torch.load(weights_only=True) refused it: {reason}') from None
    if key is not None:
        try:
            obj = _resolve_key(obj, key)
        except KeyError:
            raise Rejected('E_KEY_NOT_FOUND', f'--key {key!r}: no such key path in {path}') from None
        if not isinstance(obj, dict):
            raise Rejected('E_KEY_NOT_FOUND', f'--key {key!r} names a {type(obj).__name__}, not a state_dict')
        return _tensors(obj)
    if isinstance(obj, dict) and _has_recurrent(obj):
        return _tensors(obj)
    nested = _nested_state_dicts(obj)
    if len(nested) == 1:
        print(f'torch_run: using the state_dict at key "{nested[0][0]}" of {path}', file=sys.stderr)
        return _tensors(nested[0][1])
    if not nested:
        raise Rejected('E_NO_MODULE', f'{path}: no state_dict with recurrent modules')
    raise Rejected('E_AMBIGUOUS_MODULE', f'{path}: state_dicts at keys {", ".join(p for p, _ in nested)}: '
                                         'choose one with --key')


def _load_npy_arrays(items: list[tuple[str, Any]]) -> dict[str, torch.Tensor]:
    out = {}
    for name, read in items:
        a = np.load(read, allow_pickle=False)
        out[name] = torch.from_numpy(np.ascontiguousarray(a))
    return out


def load_weights(path: str, key: str | None) -> dict[str, torch.Tensor]:
    """The state_dict in WEIGHTS, format recognised from the bytes; `__case__.*` tensors dropped."""
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if n.endswith('.npy'))
        sd = _load_npy_arrays([(n[:-4], os.path.join(path, n)) for n in names])
        fmt = 'npy'
    else:
        try:
            with open(path, 'rb') as f:
                head = f.read(16)
        except OSError as e:
            raise Rejected('E_IO', f'{path}: {e.strerror}') from None
        if head[:4] == b'PK\x03\x04':
            with zipfile.ZipFile(path) as z:
                entries = z.namelist()
                if entries and all(n.endswith('.npy') for n in entries):
                    sd = _load_npy_arrays([(n[:-4], z.open(n)) for n in entries])
                    fmt = 'npz'
                else:
                    fmt = 'pt'
        elif len(head) >= 9 and head[8:9] == b'{':
            try:
                sd, _ = rc.load_safetensors(path)
            except ValueError as e:
                raise Rejected('E_HEADER_JSON', str(e)) from None
            fmt = 'safetensors'
        elif head[:6] == b'\x93NUMPY':
            raise Rejected('E_BAD_MAGIC', f'{path}: a single .npy array is not a state_dict '
                                          '(use a folder of <name>.npy files or an .npz)')
        else:
            fmt = 'pt'  # a legacy (pre-1.6) torch.save file starts with a pickle
        if fmt == 'pt':
            sd = _load_pt(path, key)
    if key is not None and fmt != 'pt':
        raise Rejected('E_BAD_OPTION', f'--key is for .pt checkpoints; {path} is {fmt}')
    return {k: v for k, v in sd.items() if not k.startswith(rc.CASE_PREFIX)}


# ---- finding the module ---------------------------------------------------------------------------


@dataclass
class Found:
    prefix: str
    kind: str
    options: dict[str, Any]
    keys: list[str]


def _param(key: str) -> tuple[str, str, int | None, bool] | None:
    m = PARAM.match(key)
    if m is None or (m[3] is None and m[2] == 'weight_hr'):
        return None
    return m[1], m[2], None if m[3] is None else int(m[3]), m[4] is not None


def select_module(sd: dict[str, torch.Tensor], prefix: str | None) -> tuple[str, bool, list[str]]:
    """The (prefix, is_cell, keys) group that `prefix` selects, as rnnport's selectGroup does."""
    groups: dict[tuple[str, bool], list[str]] = {}
    for k in sd:
        p = _param(k)
        if p is not None:
            groups.setdefault((p[0], p[2] is None), []).append(k)
    wanted = None if prefix is None else rc._normalize_prefix(prefix)
    exact = [g for g in groups if g[0] == wanted]
    chosen = exact or [g for g in groups if wanted is None or g[0].startswith(wanted)]
    shown = ', '.join(g[0][:-1] or '(root)' for g in groups) or 'none'
    if not chosen:
        raise Rejected('E_NO_MODULE', f'no recurrent module{"" if wanted is None else f" under prefix {wanted!r}"} '
                                      f'(modules: {shown})')
    if len(chosen) > 1:
        raise Rejected('E_AMBIGUOUS_MODULE', f'{len(chosen)} modules: {", ".join(g[0][:-1] or "(root)" for g in chosen)}'
                                             ': choose one with --prefix')
    return chosen[0][0], chosen[0][1], groups[chosen[0]]


def infer_module(sd: dict[str, torch.Tensor], prefix: str, cell: bool, keys: list[str]) -> Found:
    """Kind and constructor options from the shapes (rnnport's state-dict/infer.ts)."""
    sfx = '' if cell else '_l0'

    def matrix(name: str) -> tuple[int, int]:
        k = prefix + name + sfx
        if k not in sd:
            raise Rejected('E_MISSING_PARAMETER', f'parameter {k} is missing')
        if sd[k].dim() != 2:
            raise Rejected('E_PARAMETER_SHAPE', f'{k}: expected a matrix, got shape {tuple(sd[k].shape)}')
        return int(sd[k].shape[0]), int(sd[k].shape[1])

    ih_rows, input_size = matrix('weight_ih')
    hh_rows, out_size = matrix('weight_hh')
    proj = not cell and prefix + 'weight_hr_l0' in sd
    hidden = matrix('weight_hr')[1] if proj else out_size
    gates = hh_rows // hidden if hidden > 0 and hh_rows % hidden == 0 else 0
    if gates not in MODES or ih_rows != hh_rows:
        raise Rejected('E_PARAMETER_SHAPE', f'{prefix}weight_hh{sfx}: {hh_rows} rows is not 1, 3 or 4 x hidden '
                                            f'size {hidden} (or weight_ih has {ih_rows})')
    kind = MODES[gates]
    if proj and kind != 'LSTM':
        raise Rejected('E_UNEXPECTED_PARAMETER', f'{prefix}weight_hr_l0 in a {kind}: only an LSTM has a projection')
    bias = any(prefix + b + sfx in sd for b in ('bias_ih', 'bias_hh'))
    options: dict[str, Any] = {'input_size': input_size, 'hidden_size': hidden, 'bias': bias}
    if not cell:
        parsed = [_param(k) for k in keys]
        options.update(num_layers=1 + max(p[2] for p in parsed if p is not None and p[2] is not None),
                       bidirectional=any(p[3] for p in parsed if p is not None))
        if kind == 'LSTM':
            options['proj_size'] = out_size if proj else 0
    return Found(prefix, kind + ('Cell' if cell else ''), options, keys)


# ---- the run --------------------------------------------------------------------------------------


def _load_array(path: str, what: str) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except OSError as e:
        raise Rejected('E_IO', f'{what} {path}: {e.strerror or e}') from None
    except ValueError as e:
        raise Rejected('E_NPY_HEADER', f'{what} {path}: {e}') from None


def _lengths(arg: str) -> torch.Tensor:
    if re.fullmatch(r'\s*\d+(\s*,\s*\d+)*\s*', arg):
        return torch.tensor([int(v) for v in arg.split(',')], dtype=torch.int64)
    a = _load_array(arg, '--lengths')
    if a.dtype not in (np.int32, np.int64):
        raise Rejected('E_LENGTHS', f'--lengths {arg}: expected int32 or int64, got {a.dtype}')
    return torch.from_numpy(a.astype(np.int64))


@dataclass
class Prepared:
    """What `run` calls: the built module (eval mode, weights loaded, compute dtype) and its inputs."""
    module: torch.nn.Module
    kind: str
    input: torch.Tensor
    h_0: torch.Tensor | None
    c_0: torch.Tensor | None
    lengths: torch.Tensor | None


def prepare(args: argparse.Namespace) -> Prepared:
    """Loads, selects, checks the options, builds the module; returns it with the prepared inputs."""
    sd = load_weights(args.weights, args.key)
    prefix, cell, keys = select_module(sd, args.prefix)
    found = infer_module(sd, prefix, cell, keys)
    kind, lstm = found.kind, found.kind.startswith('LSTM')

    x = _load_array(args.input, '--input')
    if args.dtype is not None:
        dtype = args.dtype
    elif x.dtype in (np.float32, np.float64):
        dtype = str(x.dtype)
    elif x.dtype == np.float16:
        dtype = 'float32'
    else:
        raise Rejected('E_INPUT_DTYPE', f'--input {args.input}: expected a float array, got {x.dtype}')
    tdtype = rc.COMPUTE_DTYPES[dtype]

    rank = (1, 2) if cell else (2, 3)
    if x.ndim not in rank:
        raise Rejected('E_INPUT_RANK', f'input: expected rank {rank[0]} (unbatched) or {rank[1]}, got shape {x.shape}')
    if args.c0 is not None and not lstm:
        raise Rejected('E_BAD_OPTION', f'--c0 is for LSTM / LSTMCell, the module is {kind}')
    if lstm and (args.h0 is None) != (args.c0 is None):
        raise Rejected('E_BAD_OPTION', f'{kind} takes --h0 and --c0 together, or neither')
    if args.nonlinearity is not None and kind not in ('RNN', 'RNNCell'):
        raise Rejected('E_BAD_OPTION', f'--nonlinearity is for RNN / RNNCell, the module is {kind}')
    if cell and (args.lengths is not None or args.batch_first):
        raise Rejected('E_BAD_OPTION', f'--lengths and --batch-first do not apply to a cell ({kind})')
    if args.lengths is not None and x.ndim == 2:
        raise Rejected('E_BAD_OPTION', '--lengths needs a batched (3-d) input, got an unbatched one')

    options = dict(found.options)
    if kind in ('RNN', 'RNNCell'):
        options['nonlinearity'] = args.nonlinearity or 'tanh'
    if not cell:
        options['batch_first'] = args.batch_first
    module = rc.build_module(kind, options, tdtype)
    try:
        module.load_state_dict({k[len(prefix):]: sd[k] for k in keys}, strict=True)
    except RuntimeError as e:
        raise Rejected('E_PARAMETER_SHAPE', ' '.join(str(e).split())) from None

    def state(path: str | None, what: str) -> torch.Tensor | None:
        return None if path is None else torch.from_numpy(_load_array(path, what).astype(dtype))

    h_0, c_0 = state(args.h0, '--h0'), state(args.c0, '--c0')
    lengths = None
    if args.lengths is not None:
        lengths = _lengths(args.lengths)
        B, T = (x.shape[0], x.shape[1]) if args.batch_first else (x.shape[1], x.shape[0])
        if lengths.dim() != 1 or lengths.numel() != B or (B and (int(lengths.min()) < 1 or int(lengths.max()) > T)):
            raise Rejected('E_LENGTHS', f'lengths {lengths.tolist()}: expected {B} integers in 1..{T}')
    return Prepared(module, kind, torch.from_numpy(x.astype(dtype)), h_0, c_0, lengths)


def run(args: argparse.Namespace) -> dict[str, torch.Tensor]:
    """Loads, selects, checks the options, runs; returns {output, h_n[, c_n]}."""
    p = prepare(args)
    return rc.run_module(p.module, p.kind, p.input, p.h_0, p.c_0, p.lengths)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='torch_run.py', description="rnnport run's contract, computed by PyTorch.")
    parser.add_argument('weights', metavar='WEIGHTS', help='.safetensors, .pt, .npz or a folder of .npy files')
    parser.add_argument('--input', required=True, metavar='X.npy')
    parser.add_argument('--h0', metavar='F.npy')
    parser.add_argument('--c0', metavar='F.npy')
    parser.add_argument('--lengths', metavar='L.npy|5,3,2')
    parser.add_argument('--batch-first', action='store_true')
    parser.add_argument('--nonlinearity', choices=('tanh', 'relu'))
    parser.add_argument('--dtype', choices=tuple(rc.COMPUTE_DTYPES))
    parser.add_argument('--prefix')
    parser.add_argument('--key')
    parser.add_argument('--out', required=True, metavar='DIR')
    args = parser.parse_args(argv)
    warnings.simplefilter('ignore')  # one stderr line on failure: PyTorch's UserWarnings would add more
    try:
        results = run(args)
        os.makedirs(args.out, exist_ok=True)
        for name, t in results.items():
            np.save(os.path.join(args.out, name + '.npy'), t.numpy(), allow_pickle=False)
    except rc.UnsupportedError as e:
        print(f'torch_run: unsupported: {e}', file=sys.stderr)
        return 3
    except Rejected as e:
        print(f'torch_run: {e.code}: {e}', file=sys.stderr)
        return 1
    except Exception as e:  # PyTorch's own checks (shapes, sizes): one line
        msg = ' '.join(str(e).split()) or type(e).__name__
        print(f'torch_run: E_PYTORCH: {type(e).__name__}: {msg}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
