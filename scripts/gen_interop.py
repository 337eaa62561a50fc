"""Interop fixtures for the loaders: files written by numpy itself and by the official safetensors
writer, plus the values they hold, in test/fixtures/interop/. Byte-reproducible (fixed data; the
npz zip timestamps are pinned by freezing the clock numpy's zipfile reads).

  /usr/bin/python3 scripts/gen_interop.py numpy                   # Debian numpy 1.24
  .venv-torch/bin/python scripts/gen_interop.py safetensors       # torch 2.13 + safetensors 0.8
"""
import io
import json
import math
import os
import sys
import time

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'interop')


def encode(v):
    """JSON-safe scalar: NaN/Inf as strings, integers beyond 2^53 as strings."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v if abs(v) <= 2**53 else str(v)
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return v


def describe(dtype, shape, flat):
    return {'dtype': dtype, 'shape': list(shape), 'values': [encode(v) for v in flat]}


def write_json(name, doc):
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump(doc, f, indent=1)
        f.write('\n')


class Unseekable(io.RawIOBase):
    """A write-only stream: zipfile then writes data descriptors (flag bit 3)."""

    def __init__(self):
        self.buf = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.buf += b
        return len(b)


def gen_numpy():
    import numpy as np

    os.environ['TZ'] = 'UTC'
    time.tzset()
    time.time = lambda: 946684800.0  # 2000-01-01T00:00:00Z: what zipfile stamps into np.savez members

    names = {'bool': 'bool', 'uint8': 'uint8', 'int8': 'int8', 'int16': 'int16', 'uint16': 'uint16', 'int32': 'int32',
             'uint32': 'uint32', 'int64': 'int64', 'uint64': 'uint64', 'float16': 'float16', 'float32': 'float32', 'float64': 'float64'}
    cases = {}
    rng = np.random.default_rng(3)

    def save(file, arr, expect=None, **kw):
        path = os.path.join(OUT, file)
        if kw:
            with open(path, 'wb') as f:
                np.lib.format.write_array(f, arr, **kw)
        else:
            np.save(path, arr)
        a = np.asarray(arr if expect is None else expect, order='C')
        cases[file] = {'arr_0': describe(names[a.dtype.name], a.shape, a.reshape(-1).tolist())}

    f32 = rng.standard_normal((2, 3)).astype('<f4')
    save('le_f4.npy', f32)
    save('le_f8_1d.npy', rng.standard_normal(5))
    save('le_i8.npy', np.array([[-(2**62), 7], [2**40, -1]], dtype='<i8'))
    save('be_f8.npy', rng.standard_normal((3, 2)).astype('>f8'))
    save('be_i4.npy', np.arange(-3, 3, dtype='>i4').reshape(2, 3))
    save('be_f2.npy', np.array([1.5, -0.0, np.inf, 65504, 6e-8], dtype='>f2'))
    save('fortran_f4.npy', np.asfortranarray(rng.standard_normal((3, 4)).astype('<f4')))
    save('fortran_i2_3d.npy', np.asfortranarray(np.arange(24, dtype='<i2').reshape(2, 3, 4)))
    save('scalar_f8.npy', np.array(3.25))
    save('empty_f4.npy', np.zeros((0, 3), dtype='<f4'))
    save('bool.npy', np.array([[True, False, True]]))
    save('u1.npy', np.array([0, 1, 255], dtype='u1'))
    save('i1.npy', np.array([-128, 0, 127], dtype='i1'))
    save('u2.npy', np.array([0, 65535], dtype='<u2'))
    save('u4.npy', np.array([0, 2**32 - 1], dtype='<u4'))
    save('u8.npy', np.array([0, 2**64 - 1], dtype='<u8'))
    save('f2_special.npy', np.array([np.nan, -np.inf, 2**-24, -2**-14, 0.333], dtype='<f2'))
    save('v2_f4.npy', f32, version=(2, 0))
    save('v3_f4.npy', f32, version=(3, 0))

    a = rng.standard_normal((4, 3)).astype('f4')
    b = np.arange(6, dtype='i8').reshape(3, 2)
    c = np.asfortranarray(rng.standard_normal((2, 5)))
    npz = {'rnn.weight_ih_l0': a, 'rnn.bias': b, 'fortran': c}

    def expect_npz(d):
        return {k: describe(names[v.dtype.name], v.shape, np.asarray(v, order='C').reshape(-1).tolist()) for k, v in d.items()}

    np.savez(os.path.join(OUT, 'savez.npz'), **npz)
    cases['savez.npz'] = expect_npz(npz)
    np.savez(os.path.join(OUT, 'savez_positional.npz'), a, b)
    cases['savez_positional.npz'] = expect_npz({'arr_0': a, 'arr_1': b})
    big = {'w': np.tile(np.arange(16, dtype='<f4'), 16).reshape(32, 8), 'b': b}
    np.savez_compressed(os.path.join(OUT, 'savez_compressed.npz'), **big)
    cases['savez_compressed.npz'] = expect_npz(big)
    stream = Unseekable()
    np.savez_compressed(stream, **npz)
    with open(os.path.join(OUT, 'savez_stream_descriptor.npz'), 'wb') as f:
        f.write(bytes(stream.buf))
    cases['savez_stream_descriptor.npz'] = expect_npz(npz)

    write_json('numpy.json', {'generator': 'scripts/gen_interop.py numpy', 'numpy': np.__version__, 'python': sys.version.split()[0], 'files': cases})


def gen_safetensors():
    import safetensors
    import torch
    from safetensors.torch import save_file

    g = torch.Generator().manual_seed(5)
    t = {
        'rnn.weight_ih_l0': torch.randn(6, 3, generator=g),
        'rnn.weight_hh_l0': torch.randn(6, 2, generator=g, dtype=torch.float64),
        'f16': torch.tensor([1.5, -0.0, float('inf'), 65504, 2**-24], dtype=torch.float16),
        'bf16': torch.tensor([1.0, -2.5, float('nan'), 3e38, 2**-133], dtype=torch.bfloat16),
        'f8_e4m3': torch.tensor([0.5, -448, 2**-9, 1.75], dtype=torch.float8_e4m3fn),
        'f8_e5m2': torch.tensor([0.5, -57344, float('inf'), 2**-16], dtype=torch.float8_e5m2),
        'i64': torch.tensor([-(2**62), 3, 2**53 + 1], dtype=torch.int64),
        'i32': torch.tensor([[-5, 6]], dtype=torch.int32),
        'i16': torch.tensor([-32768, 32767], dtype=torch.int16),
        'i8': torch.tensor([-128, 127], dtype=torch.int8),
        'u8': torch.tensor([0, 255], dtype=torch.uint8),
        'u16': torch.tensor([0, 65535], dtype=torch.uint16),
        'u32': torch.tensor([0, 2**32 - 1], dtype=torch.uint32),
        'u64': torch.tensor([0, 2**63 + 5], dtype=torch.uint64),
        'bool': torch.tensor([True, False]),
        'scalar': torch.tensor(2.5),
        'empty': torch.zeros(0, 4),
    }
    save_file(t, os.path.join(OUT, 'official.safetensors'), metadata={'format': 'pt'})
    names = {torch.float32: 'float32', torch.float64: 'float64', torch.float16: 'float16', torch.bfloat16: 'bfloat16',
             torch.float8_e4m3fn: 'float8_e4m3fn', torch.float8_e5m2: 'float8_e5m2', torch.int64: 'int64', torch.int32: 'int32',
             torch.int16: 'int16', torch.int8: 'int8', torch.uint8: 'uint8', torch.uint16: 'uint16', torch.uint32: 'uint32',
             torch.uint64: 'uint64', torch.bool: 'bool'}
    out = {}
    for k, v in t.items():
        flat = v.reshape(-1)
        if v.dtype in (torch.uint16, torch.uint32, torch.uint64):
            values = [int(x) for x in flat.to(torch.float64).tolist()] if v.dtype != torch.uint64 else [0, 2**63 + 5]
        elif v.is_floating_point():
            values = flat.to(torch.float64).tolist()
        else:
            values = flat.tolist()
        out[k] = describe(names[v.dtype], v.shape, values)
    write_json('safetensors.json', {'generator': 'scripts/gen_interop.py safetensors', 'torch': torch.__version__, 'safetensors': safetensors.__version__,
                                    'python': sys.version.split()[0], 'files': {'official.safetensors': {'metadata': {'format': 'pt'}, 'tensors': out}}})


if __name__ == '__main__':
    {'numpy': gen_numpy, 'safetensors': gen_safetensors}[sys.argv[1]]()
