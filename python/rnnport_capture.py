"""Record what a PyTorch recurrent module computes as one self-describing case file, and check it later.

A *case* is one safetensors file holding the module's state_dict under its own names
(``encoder.rnn.weight_ih_l0`` ...), the inputs and PyTorch's outputs as ``__case__.*`` tensors,
and a JSON description in ``__metadata__["rnnport.case"]``. ``rnnport verify CASE.safetensors``
checks rnnport against it with no other flag; ``python rnnport_capture.py check CASE...`` re-runs
it in the PyTorch you have now (a regression check between PyTorch versions or devices, no JS).

Example (runs as is)::

    import torch
    from torch import nn
    from rnnport_capture import capture

    torch.manual_seed(0)
    model = nn.Module()
    model.encoder = nn.Module()
    model.encoder.rnn = nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)

    x = torch.randn(2, 5, 3)                                    # (B, T, input_size): batch_first
    capture(model.encoder.rnn, x, path="lstm.safetensors", root=model)       # prefix "encoder.rnn."
    capture(model.encoder.rnn, x, lengths=[5, 2], path="lstm_packed.safetensors", root=model)
    h0, c0 = torch.zeros(4, 2, 4), torch.ones(4, 2, 4)
    capture(model.encoder.rnn, x, hx=(h0, c0), path="lstm_h0.safetensors", prefix="encoder.rnn.")

then, in a shell::

    python rnnport_capture.py check lstm*.safetensors             # PyTorch against PyTorch
    npx rnnport verify lstm.safetensors                           # rnnport against PyTorch

``capture`` accepts nn.RNN / nn.GRU / nn.LSTM (any num_layers, bidirectional, batch_first,
proj_size, bias=False, nonlinearity) and nn.RNNCell / nn.GRUCell / nn.LSTMCell, batched or
unbatched. It runs the module in eval mode under ``torch.no_grad()`` and restores the module's
training flag afterwards. A cell computes one step: its ``output`` is h' (= ``h_n``), ``c_n`` is c'.

The file depends on torch and numpy only. It uses the official ``safetensors`` library when it
is importable and otherwise a built-in reader/writer that produces the same bytes (set
``RNNPORT_CAPTURE_BUILTIN_SAFETENSORS=1`` to force it). Copy it into a project or run it with
``python -m rnnport_capture`` (this folder on ``sys.path``). The format is described in
rnnport's ``docs/case-format.md``.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import struct
import sys
import warnings
from dataclasses import dataclass
from typing import Any, Mapping, Sequence, Union

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

__all__ = [
    'capture', 'load_case', 'check_case', 'run_module', 'build_module', 'describe_module', 'compare',
    'save_safetensors', 'load_safetensors', 'Case', 'Comparison', 'UnsupportedError',
    'SCHEMA', 'CASE_PREFIX', 'METADATA_KEY', 'MODULES', 'DEFAULT_TOLERANCE',
]

SCHEMA = 1
CREATED_BY = 'rnnport_capture.py 1'
METADATA_KEY = 'rnnport.case'
CASE_PREFIX = '__case__.'
CASE_TENSORS = ('input', 'h_0', 'c_0', 'lengths', 'output', 'h_n', 'c_n')
OUTPUTS = ('output', 'h_n', 'c_n')
#: (atol, rtol) per compute dtype: |got - expected| <= atol + rtol * |expected|.
DEFAULT_TOLERANCE = {'float32': (1e-5, 1e-4), 'float64': (1e-10, 1e-8)}
COMPUTE_DTYPES = {'float32': torch.float32, 'float64': torch.float64}

#: The recurrent classes and their constructor arguments, in PyTorch's order.
MODULES: dict[str, tuple[type[nn.Module], tuple[str, ...]]] = {
    'LSTM': (nn.LSTM, ('input_size', 'hidden_size', 'num_layers', 'bias', 'batch_first', 'dropout', 'bidirectional',
                       'proj_size')),
    'GRU': (nn.GRU, ('input_size', 'hidden_size', 'num_layers', 'bias', 'batch_first', 'dropout', 'bidirectional')),
    'RNN': (nn.RNN, ('input_size', 'hidden_size', 'num_layers', 'nonlinearity', 'bias', 'batch_first', 'dropout',
                     'bidirectional')),
    'LSTMCell': (nn.LSTMCell, ('input_size', 'hidden_size', 'bias')),
    'GRUCell': (nn.GRUCell, ('input_size', 'hidden_size', 'bias')),
    'RNNCell': (nn.RNNCell, ('input_size', 'hidden_size', 'bias', 'nonlinearity')),
}


class UnsupportedError(Exception):
    """Something this PyTorch cannot express (a dtype it lacks): not a mismatch, not bad input."""


# ---- safetensors ----------------------------------------------------------------------------------
#
# Layout (https://github.com/huggingface/safetensors#format): u64 little-endian N | N bytes of JSON
# header | data. The header maps each name to {dtype, shape, data_offsets: [begin, end]} relative
# to the data, plus an optional "__metadata__" map of strings. The official writer (tensor.rs
# `prepare`; checked byte for byte against safetensors 0.8) lays tensors out by dtype in the order
# of _ST_ORDER, then by name, lists them in that order after "__metadata__", and pads the header
# with spaces to a multiple of 8. The built-in writer does the same, so both give the same bytes.

# safetensors dtype -> (torch dtype name, numpy dtype of the same width used to move the bytes)
_ST_DTYPES: dict[str, tuple[str, str]] = {
    'F64': ('float64', '<f8'), 'F32': ('float32', '<f4'), 'F16': ('float16', '<f2'), 'BF16': ('bfloat16', '<i2'),
    'I64': ('int64', '<i8'), 'I32': ('int32', '<i4'), 'I16': ('int16', '<i2'), 'I8': ('int8', 'i1'),
    'U8': ('uint8', 'u1'), 'BOOL': ('bool', '?'), 'U16': ('uint16', '<i2'), 'U32': ('uint32', '<i4'),
    'U64': ('uint64', '<i8'), 'F8_E4M3': ('float8_e4m3fn', 'i1'), 'F8_E5M2': ('float8_e5m2', 'i1'),
}
# The official writer's data order: this dtype order, descending, then the name.
_ST_ORDER = ['U64', 'I64', 'F64', 'F32', 'U32', 'I32', 'BF16', 'F16', 'U16', 'I16', 'F8_E4M3', 'F8_E5M2', 'I8', 'U8',
             'BOOL']
_ST_MAX_HEADER = 100_000_000


def _official_safetensors() -> Any:
    """The official library's modules, or None when it is missing or the built-in one is forced."""
    if os.environ.get('RNNPORT_CAPTURE_BUILTIN_SAFETENSORS'):
        return None
    try:
        import safetensors
        import safetensors.torch
    except ImportError:
        return None
    return safetensors


def _st_dtype(dtype: torch.dtype) -> str:
    for name, (torch_name, _) in _ST_DTYPES.items():
        if getattr(torch, torch_name, None) == dtype:
            return name
    raise UnsupportedError(f'dtype {dtype} has no safetensors name known to {CREATED_BY}')


_NUMPY_NATIVE = (torch.float64, torch.float32, torch.float16, torch.int64, torch.int32, torch.int16, torch.int8,
                 torch.uint8, torch.bool)
_INT_OF_WIDTH = {1: torch.int8, 2: torch.int16, 4: torch.int32, 8: torch.int64}


def _tensor_bytes(t: torch.Tensor) -> bytes:
    """Little-endian bytes of a tensor; dtypes numpy lacks (bfloat16, float8) travel as same-width integers."""
    width = np.dtype(_ST_DTYPES[_st_dtype(t.dtype)][1])
    t = t.detach().contiguous().cpu()
    a = t.numpy() if t.dtype in _NUMPY_NATIVE else t.view(_INT_OF_WIDTH[width.itemsize]).numpy()
    return a.astype(width.newbyteorder('<'), copy=False).tobytes()


def save_safetensors(tensors: Mapping[str, torch.Tensor], path: str, metadata: Mapping[str, str] | None = None) -> None:
    """Writes `tensors` to `path` as safetensors: the official library where importable, else the
    built-in writer (same bytes). Metadata values must be strings."""
    tensors = {k: v.detach().cpu().contiguous().clone() for k, v in tensors.items()}
    meta = dict(metadata) if metadata is not None else None
    lib = _official_safetensors()
    if lib is not None:
        lib.torch.save_file(tensors, path, metadata=meta)
        return
    for k, v in (meta or {}).items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise TypeError(f'safetensors metadata must map strings to strings, got {k!r}: {v!r}')
    order = sorted(tensors, key=lambda k: (_ST_ORDER.index(_st_dtype(tensors[k].dtype)), k))
    header: dict[str, Any] = {}
    if meta is not None:
        header['__metadata__'] = meta
    blobs, offset = [], 0
    for k in order:
        b = _tensor_bytes(tensors[k])
        header[k] = {'dtype': _st_dtype(tensors[k].dtype), 'shape': list(tensors[k].shape),
                     'data_offsets': [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f'duplicate key {k!r} in the safetensors header')
        out[k] = v
    return out


def _builtin_load(path: str) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """Reads and validates a safetensors file completely (header size, JSON, dtypes, shapes, exact
    coverage of the data, no trailing bytes), as the official reader does."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f'{path}: not safetensors: {len(data)} bytes, no header length')
    (n,) = struct.unpack('<Q', data[:8])
    if n > _ST_MAX_HEADER or 8 + n > len(data):
        raise ValueError(f'{path}: safetensors header length {n} exceeds the file or the 100 MB limit')
    try:
        header = json.loads(data[8:8 + n].decode('utf-8'), object_pairs_hook=_reject_duplicates)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f'{path}: safetensors header is not JSON: {e}') from None
    if not isinstance(header, dict):
        raise ValueError(f'{path}: safetensors header is not a JSON object')
    metadata = header.pop('__metadata__', None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise ValueError(f'{path}: __metadata__ must map strings to strings')
    body = memoryview(data)[8 + n:]
    slots = []
    for name, info in header.items():
        if not isinstance(info, dict) or set(info) != {'dtype', 'shape', 'data_offsets'}:
            raise ValueError(f'{path}: tensor {name!r}: expected {{dtype, shape, data_offsets}}')
        dtype, shape, (begin, end) = info['dtype'], info['shape'], info['data_offsets']
        if dtype not in _ST_DTYPES:
            raise UnsupportedError(f'{path}: tensor {name!r}: dtype {dtype} is not supported')
        if not all(isinstance(d, int) and d >= 0 for d in shape):
            raise ValueError(f'{path}: tensor {name!r}: bad shape {shape}')
        size = math.prod(shape) * np.dtype(_ST_DTYPES[dtype][1]).itemsize
        if not (isinstance(begin, int) and isinstance(end, int) and end - begin == size):
            raise ValueError(f'{path}: tensor {name!r}: data_offsets {[begin, end]} do not hold {shape} {dtype}')
        slots.append((begin, end, name, dtype, shape))
    covered = 0
    for begin, end, name, _, _ in sorted(slots):
        if begin != covered:
            raise ValueError(f'{path}: tensor {name!r}: data_offsets begin at {begin}, expected {covered}')
        covered = end
    if covered != len(body):
        raise ValueError(f'{path}: {len(body) - covered} bytes after the last tensor (or the data is short)')
    tensors = {}
    for begin, end, name, dtype, shape in slots:
        torch_name, np_dtype = _ST_DTYPES[dtype]
        torch_dtype = getattr(torch, torch_name, None)
        if torch_dtype is None:
            raise UnsupportedError(f'tensor {name!r}: dtype {dtype} needs torch.{torch_name}, '
                                   f'which PyTorch {torch.__version__} lacks')
        a = np.frombuffer(body[begin:end], dtype=np.dtype(np_dtype)).astype(np.dtype(np_dtype).newbyteorder('='))
        t = torch.from_numpy(a.copy()).reshape(shape)
        tensors[name] = t if t.dtype == torch_dtype else t.view(torch_dtype)
    return tensors, metadata


def load_safetensors(path: str) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """Reads a safetensors file: (tensors on the CPU, metadata). Official library where importable."""
    lib = _official_safetensors()
    if lib is None:
        return _builtin_load(path)
    try:
        with lib.safe_open(path, framework='pt') as f:
            return {k: f.get_tensor(k) for k in f.keys()}, dict(f.metadata() or {})
    except Exception as e:  # the library raises its own SafetensorError, TypeError, ...
        raise ValueError(f'{path}: {type(e).__name__}: {e}') from None


# ---- modules --------------------------------------------------------------------------------------


def describe_module(module: nn.Module) -> tuple[str, dict[str, Any]]:
    """The class name (`LSTM`, `GRUCell`, ...) and constructor arguments of a recurrent module."""
    for kind, (cls, args) in MODULES.items():
        if isinstance(module, cls):
            break
    else:
        raise TypeError(f'capture takes nn.RNN / GRU / LSTM or a cell, got {type(module).__name__}')
    options: dict[str, Any] = {}
    for a in args:
        if a == 'nonlinearity':
            # nn.RNN keeps it in `mode` (RNN_TANH / RNN_RELU) in every version; the cells in `nonlinearity`.
            options[a] = module.mode[4:].lower() if kind == 'RNN' else module.nonlinearity
        elif a == 'dropout':
            options[a] = float(module.dropout)
        else:
            options[a] = getattr(module, a)
    return kind, options


def build_module(kind: str, options: Mapping[str, Any], dtype: torch.dtype = torch.float32) -> nn.Module:
    """A fresh module of class `kind` with `options` (PyTorch's constructor arguments), in eval mode."""
    if kind not in MODULES:
        raise ValueError(f'unknown module {kind!r}: expected one of {", ".join(MODULES)}')
    cls, args = MODULES[kind]
    unknown = set(options) - set(args)
    if unknown:
        raise ValueError(f'{kind} has no option(s) {sorted(unknown)}')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # dropout > 0 with one layer warns; inference ignores dropout
        return cls(**options).to(dtype).eval()


def is_cell(kind: str) -> bool:
    return kind.endswith('Cell')


def run_module(module: nn.Module, kind: str, input: torch.Tensor, h_0: torch.Tensor | None = None,
               c_0: torch.Tensor | None = None, lengths: torch.Tensor | None = None,
               enforce_sorted: bool = False) -> dict[str, torch.Tensor]:
    """Calls `module` as rnnport's `run` does and returns {output, h_n[, c_n]} on the CPU.

    A cell computes one step: output = h_n = h', c_n = c'. With `lengths`:
    pack_padded_sequence(input, lengths, batch_first, enforce_sorted) -> module ->
    pad_packed_sequence(..., total_length=T), padding 0. Runs in eval mode under no_grad and
    restores the module's training flag.
    """
    lstm = kind.startswith('LSTM')
    if (h_0 is None) != (c_0 is None) and lstm:
        raise ValueError(f'{kind} takes h_0 and c_0 together, or neither')
    if c_0 is not None and not lstm:
        raise ValueError(f'c_0 is for LSTM / LSTMCell only, not {kind}')
    hx: Any = None if h_0 is None else ((h_0, c_0) if lstm else h_0)
    training = module.training
    module.eval()
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.filterwarnings('ignore', message='LSTM with projections is not supported with oneDNN')
            if is_cell(kind):
                if lengths is not None:
                    raise ValueError(f'lengths (a packed batch) do not apply to a cell ({kind})')
                r = module(input, hx)
                h, c = r if lstm else (r, None)
                out = {'output': h, 'h_n': h}
                if c is not None:
                    out['c_n'] = c
            elif lengths is None:
                y, hn = module(input, hx)
                out = {'output': y, **_state(hn, lstm)}
            else:
                if input.dim() != 3:
                    raise ValueError(f'lengths need a batched (3-d) input, got {input.dim()}-d')
                bf = bool(module.batch_first)
                T = input.shape[1 if bf else 0]
                lengths = torch.as_tensor(lengths, dtype=torch.int64).cpu()
                if lengths.dim() != 1 or (lengths.numel() and int(lengths.max()) > T):
                    # PyTorch does not check this and reads wrong rows.
                    raise ValueError(f'lengths must be one integer <= T = {T} per sequence, got {lengths.tolist()}')
                packed = pack_padded_sequence(input, lengths, batch_first=bf, enforce_sorted=enforce_sorted)
                y, hn = module(packed, hx)
                y, _ = pad_packed_sequence(y, batch_first=bf, total_length=T)
                out = {'output': y, **_state(hn, lstm)}
    finally:
        module.train(training)
    return {k: v.detach().cpu() for k, v in out.items()}


def _state(hn: Any, lstm: bool) -> dict[str, torch.Tensor]:
    return {'h_n': hn[0], 'c_n': hn[1]} if lstm else {'h_n': hn}


# ---- capture --------------------------------------------------------------------------------------

TensorLike = Union[torch.Tensor, np.ndarray, Sequence[float]]


def _module_dtype(module: nn.Module) -> str:
    dtypes = {p.dtype for p in module.parameters()}
    names = {str(d).replace('torch.', '') for d in dtypes}
    if len(names) != 1 or next(iter(names)) not in COMPUTE_DTYPES:
        raise ValueError(f'the module\'s parameters must all be float32 or all float64, got {sorted(names)}')
    return next(iter(names))


def _find_prefix(module: nn.Module, root: nn.Module) -> str:
    for name, m in root.named_modules():
        if m is module:
            return name + '.' if name else ''
    raise ValueError(f'the {type(module).__name__} is not a submodule of the given root ({type(root).__name__})')


def _normalize_prefix(prefix: str) -> str:
    return prefix if prefix == '' or prefix.endswith('.') else prefix + '.'


def capture(module: nn.Module, input: TensorLike, hx: Any = None, lengths: TensorLike | None = None,
            path: str = 'case.safetensors', *, prefix: str | None = None, root: nn.Module | None = None,
            atol: float | None = None, rtol: float | None = None, name: str | None = None) -> str:
    """Runs `module` on `input` and writes one case file to `path`; returns `path`.

    module   nn.RNN / nn.GRU / nn.LSTM / nn.RNNCell / nn.GRUCell / nn.LSTMCell, float32 or float64
             (its dtype is the case's compute dtype; the input must have it too: PyTorch does not promote).
    input    (T, B, I), (B, T, I) with batch_first, (T, I) unbatched; a cell: (B, I) or (I,).
    hx       h_0, or (h_0, c_0) for LSTM / LSTMCell; None means zeros.
    lengths  one length per sequence: the batch is packed with
             pack_padded_sequence(input, lengths, batch_first=module.batch_first, enforce_sorted=False)
             and the output padded back with pad_packed_sequence(..., total_length=T).
    prefix   the module's path in your state_dict (`encoder.rnn.`); or give `root`, the model that
             contains the module, and the path is found with named_modules(). Default '' (root).
    atol, rtol  the case's tolerance; default 1e-5 / 1e-4 (float32), 1e-10 / 1e-8 (float64).
    name     an optional name stored in the description.

    The bytes depend only on what is captured and the versions (no timestamps): capturing the
    same thing twice on one machine gives the same file.
    """
    if prefix is not None and root is not None:
        raise ValueError('give prefix or root, not both')
    prefix = _find_prefix(module, root) if root is not None else _normalize_prefix(prefix or '')
    kind, options = describe_module(module)
    dtype = _module_dtype(module)
    tdtype = COMPUTE_DTYPES[dtype]
    device = next(module.parameters()).device

    def tensor(v: TensorLike, what: str) -> torch.Tensor:
        t = v.detach() if isinstance(v, torch.Tensor) else torch.as_tensor(np.asarray(v))
        if t.dtype != tdtype:
            raise ValueError(f'{what} is {str(t.dtype).replace("torch.", "")}, the module is {dtype}: '
                             'PyTorch does not promote; convert one of them')
        return t.to(device)

    x = tensor(input, 'input')
    lstm = kind.startswith('LSTM')
    h_0 = c_0 = None
    if hx is not None:
        if lstm:
            if not (isinstance(hx, (tuple, list)) and len(hx) == 2):
                raise ValueError(f'{kind} takes hx = (h_0, c_0)')
            h_0, c_0 = tensor(hx[0], 'h_0'), tensor(hx[1], 'c_0')
        else:
            if isinstance(hx, (tuple, list)):
                raise ValueError(f'{kind} takes hx = h_0, a tensor')
            h_0 = tensor(hx, 'h_0')
    lens = None
    if lengths is not None:
        lens = torch.as_tensor(np.asarray(lengths.cpu() if isinstance(lengths, torch.Tensor) else lengths))
        if lens.dtype.is_floating_point or lens.dtype == torch.bool:
            raise ValueError(f'lengths must be integers, got {lens.dtype}')
        lens = lens.to(torch.int64)
    results = run_module(module, kind, x, h_0, c_0, lens, enforce_sorted=False)

    default_atol, default_rtol = DEFAULT_TOLERANCE[dtype]
    description = {
        'schema': SCHEMA,
        'name': name,
        'module': kind,
        'options': options,
        'prefix': prefix,
        'packed': lens is not None,
        'enforce_sorted': False,
        'dtype': dtype,
        'tolerance': {'atol': float(default_atol if atol is None else atol),
                      'rtol': float(default_rtol if rtol is None else rtol)},
        'torch': torch.__version__,
        'python': platform.python_version(),
        'platform': platform.platform(),
        'device': device.type,
        'created_by': CREATED_BY,
    }
    tensors = {prefix + k: v for k, v in module.state_dict().items()}
    case = {'input': x, 'h_0': h_0, 'c_0': c_0, 'lengths': lens, **results}
    for k, v in case.items():
        if v is not None:
            tensors[CASE_PREFIX + k] = v.detach().cpu()
    # One metadata key keeps the official writer's header deterministic (its map order is not).
    save_safetensors(tensors, path, {METADATA_KEY: json.dumps(description, separators=(',', ':'))})
    return path


# ---- reading and checking -------------------------------------------------------------------------


@dataclass
class Case:
    """A case file, parsed: its description, the module's state_dict (prefix stripped), the inputs
    (`input`, `h_0`, `c_0`, `lengths`; absent ones None) and the expected outputs."""
    path: str
    description: dict[str, Any]
    state_dict: dict[str, torch.Tensor]
    inputs: dict[str, torch.Tensor | None]
    expected: dict[str, torch.Tensor]

    @property
    def kind(self) -> str:
        return self.description['module']

    @property
    def dtype(self) -> torch.dtype:
        return COMPUTE_DTYPES[self.description['dtype']]

    @property
    def tolerance(self) -> tuple[float, float]:
        t = self.description.get('tolerance') or {}
        atol, rtol = DEFAULT_TOLERANCE[self.description['dtype']]
        return float(t.get('atol', atol)), float(t.get('rtol', rtol))


def load_case(path: str) -> Case:
    """Reads and checks a case file written by `capture` (or by rnnport)."""
    tensors, metadata = load_safetensors(path)
    if METADATA_KEY not in metadata:
        raise ValueError(f'{path}: no __metadata__["{METADATA_KEY}"]: not an rnnport case file')
    try:
        d = json.loads(metadata[METADATA_KEY])
    except json.JSONDecodeError as e:
        raise ValueError(f'{path}: __metadata__["{METADATA_KEY}"] is not JSON: {e}') from None
    if not isinstance(d, dict) or d.get('schema') != SCHEMA:
        raise ValueError(f'{path}: case schema {d.get("schema") if isinstance(d, dict) else d!r}: '
                         f'this script reads schema {SCHEMA}')
    for k in ('module', 'options', 'prefix', 'dtype'):
        if k not in d:
            raise ValueError(f'{path}: the case description has no "{k}"')
    if d['dtype'] not in COMPUTE_DTYPES:
        raise ValueError(f'{path}: dtype {d["dtype"]!r}: expected float32 or float64')
    prefix = d['prefix']
    case = {k[len(CASE_PREFIX):]: v for k, v in tensors.items() if k.startswith(CASE_PREFIX)}
    unknown = set(case) - set(CASE_TENSORS)
    if unknown:
        raise ValueError(f'{path}: unknown case tensor(s) {sorted(CASE_PREFIX + u for u in unknown)}')
    for k in ('input', 'output', 'h_n'):
        if k not in case:
            raise ValueError(f'{path}: no {CASE_PREFIX}{k} tensor')
    if bool(d.get('packed')) != ('lengths' in case):
        raise ValueError(f'{path}: "packed" is {d.get("packed")} but {CASE_PREFIX}lengths is '
                         f'{"present" if "lengths" in case else "absent"}')
    sd = {k[len(prefix):]: v for k, v in tensors.items() if not k.startswith(CASE_PREFIX) and k.startswith(prefix)}
    return Case(path=path, description=d, state_dict=sd,
                inputs={k: case.get(k) for k in ('input', 'h_0', 'c_0', 'lengths')},
                expected={k: case[k] for k in OUTPUTS if k in case})


@dataclass
class Comparison:
    """One tensor compared elementwise: |got - expected| <= atol + rtol * |expected|; NaN matches
    only NaN, +-Inf only itself; shapes must be equal. `worst` is the element furthest out of
    tolerance (largest error / bound): (index, got, expected)."""
    name: str
    shape: tuple[int, ...]
    ok: bool
    max_abs: float
    max_rel: float
    mismatches: int
    worst: tuple[tuple[int, ...], float, float] | None = None
    got_shape: tuple[int, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        def num(v: float) -> Any:
            return v if math.isfinite(v) else str(v)
        out: dict[str, Any] = {'tensor': self.name, 'shape': list(self.shape), 'ok': self.ok, 'max_abs': num(self.max_abs),
                               'max_rel': num(self.max_rel), 'mismatches': self.mismatches}
        if self.got_shape is not None:
            out['got_shape'] = list(self.got_shape)
        if self.worst is not None:
            idx, g, e = self.worst
            out['worst'] = {'index': list(idx), 'got': num(g), 'expected': num(e)}
        return out


def compare(name: str, got: torch.Tensor | np.ndarray, expected: torch.Tensor | np.ndarray,
            atol: float, rtol: float) -> Comparison:
    """Compares `got` with `expected` elementwise (values as float64), rnnport's rule."""
    g = (got.detach().cpu().double().numpy() if isinstance(got, torch.Tensor) else np.asarray(got, np.float64))
    e = (expected.detach().cpu().double().numpy() if isinstance(expected, torch.Tensor)
         else np.asarray(expected, np.float64))
    if g.shape != e.shape:
        return Comparison(name, e.shape, False, math.inf, math.inf, int(e.size), got_shape=g.shape)
    if e.size == 0:
        return Comparison(name, e.shape, True, 0.0, 0.0, 0)
    with np.errstate(invalid='ignore', over='ignore', divide='ignore'):
        both_finite = np.isfinite(g) & np.isfinite(e)
        same_special = (np.isnan(g) & np.isnan(e)) | (~np.isnan(e) & ~np.isfinite(e) & (g == e))
        err = np.where(both_finite, np.abs(g - e), np.where(same_special, 0.0, np.inf))
        bound = np.where(np.isfinite(e), atol + rtol * np.abs(e), 0.0)
        rel = np.where(err == 0, 0.0, np.where(np.isfinite(e), err / np.abs(e), np.inf))
        score = np.where(err == 0, 0.0, np.where(bound > 0, err / bound, np.inf))
    bad = int(np.count_nonzero(err > bound))
    i = int(np.argmax(score))
    idx = tuple(int(j) for j in np.unravel_index(i, e.shape))
    return Comparison(name, e.shape, bad == 0, float(err.max()), float(rel.max()), bad,
                      worst=(idx, float(g.flat[i]), float(e.flat[i])))


def check_case(case: Case, atol: float | None = None, rtol: float | None = None,
               device: str = 'cpu') -> list[Comparison]:
    """Re-runs a case in this PyTorch and compares each stored output (output, h_n, c_n)."""
    d = case.description
    module = build_module(case.kind, d['options'], case.dtype).to(device)
    module.load_state_dict({k: v.to(case.dtype) for k, v in case.state_dict.items()}, strict=True)
    ins = {k: (None if v is None else v.to(device)) for k, v in case.inputs.items()}
    got = run_module(module, case.kind, ins['input'], ins['h_0'], ins['c_0'],
                     None if ins['lengths'] is None else ins['lengths'].cpu(),
                     enforce_sorted=bool(d.get('enforce_sorted', False)))
    case_atol, case_rtol = case.tolerance
    atol = case_atol if atol is None else atol
    rtol = case_rtol if rtol is None else rtol
    return [compare(k, got.get(k, torch.empty(0)), v, atol, rtol) for k, v in case.expected.items()]


def _fmt(v: float) -> str:
    return f'{v:.2e}' if math.isfinite(v) else str(v)


def _shape(s: Sequence[int]) -> str:
    return '(' + ', '.join(map(str, s)) + (',)' if len(s) == 1 else ')')


def main(argv: Sequence[str] | None = None) -> int:
    """`python rnnport_capture.py check CASE... [--atol A] [--rtol R] [--device D] [--json]`."""
    parser = argparse.ArgumentParser(
        prog='rnnport_capture.py',
        description='Re-run rnnport case files in this PyTorch and compare with the outputs they store.')
    sub = parser.add_subparsers(dest='command', required=True)
    ck = sub.add_parser('check', help='re-run cases in this PyTorch; exit 0 all ok, 1 any mismatch, 2 usage')
    ck.add_argument('cases', nargs='+', metavar='CASE', help='.safetensors case files')
    ck.add_argument('--atol', type=float, help="absolute tolerance (default: each case's)")
    ck.add_argument('--rtol', type=float, help="relative tolerance (default: each case's)")
    ck.add_argument('--device', default='cpu', help='device to run on (default cpu)')
    ck.add_argument('--json', action='store_true', help='print one JSON document instead of the tables')
    args = parser.parse_args(argv)
    for tol in (args.atol, args.rtol):
        if tol is not None and not (math.isfinite(tol) and tol >= 0):
            parser.error('--atol / --rtol must be finite numbers >= 0')
    missing = [p for p in args.cases if not os.path.isfile(p)]
    if missing:
        parser.error(f'no such file: {", ".join(missing)}')

    now = torch.__version__
    reports, all_ok = [], True
    for path in args.cases:
        report: dict[str, Any] = {'case': path}
        try:
            case = load_case(path)
            d = case.description
            atol, rtol = case.tolerance
            atol = atol if args.atol is None else args.atol
            rtol = rtol if args.rtol is None else args.rtol
            report.update(name=d.get('name'), module=d['module'], dtype=d['dtype'], made_by=d.get('torch'),
                          atol=atol, rtol=rtol)
            results = check_case(case, atol, rtol, args.device)
            report['tensors'] = [r.to_json() for r in results]
            report['ok'] = all(r.ok for r in results)
        except Exception as e:  # a case that cannot be read or run fails; the others still run
            report['ok'], report['error'] = False, f'{type(e).__name__}: {e}'.replace('\n', ' ')
            results = []
        all_ok &= report['ok']
        reports.append(report)
        if args.json:
            continue
        if 'error' in report and 'module' not in report:
            print(f'{path}: FAIL: {report["error"]}')
            continue
        print(f'{path}: {report["module"]} {report["dtype"]}, made by torch {report["made_by"]}, now {now}: '
              f'{"ok" if report["ok"] else "FAIL"}')
        if 'error' in report:
            print(f'  error: {report["error"]}')
            continue
        rows = [('tensor', 'shape', 'max abs err', 'max rel err', 'worst element (got vs expected)', 'result')]
        for r in results:
            worst = '-' if r.worst is None or r.max_abs == 0 else f'{list(r.worst[0])}: {r.worst[1]!r} vs {r.worst[2]!r}'
            if r.got_shape is not None:
                worst = f'shape {_shape(r.got_shape)} vs {_shape(r.shape)}'
            rows.append((r.name, _shape(r.shape), _fmt(r.max_abs), _fmt(r.max_rel), worst, 'ok' if r.ok else 'FAIL'))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            print('  ' + '  '.join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        print(f'  tolerance: atol {report["atol"]:g}, rtol {report["rtol"]:g} ({report["dtype"]})')
    if args.json:
        json.dump({'schema': 1, 'torch': now, 'ok': all_ok, 'cases': reports}, sys.stdout, indent=2)
        print()
    else:
        n_ok = sum(r['ok'] for r in reports)
        print(f'{n_ok}/{len(reports)} case(s) ok (torch {now})')
    return 0 if all_ok else 1


if __name__ == '__main__':
    sys.exit(main())
