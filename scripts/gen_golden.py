"""Generates golden/: reference results computed by real PyTorch (CPU), one folder per case.

    .venv-torch/bin/python scripts/gen_golden.py            # PyTorch 2.x: the main set
    /usr/bin/python3 scripts/gen_golden.py --torch113       # Debian's 1.13: the subset named *_t113

Byte-reproducible: seeds come from case names (crc32), one thread, npz written with fixed zip
timestamps, torch.save into a fixed file name. A run rewrites its own cases, then MANIFEST.json
from every case.json (keeping the `measured` errors test/conformance recorded for cases whose
files did not change).

golden/<case>/case.json:
  module, options      the torch.nn class and its constructor arguments (PyTorch names)
  prefix, pt_key       where the module sits in the state_dict; pt_key: the dict key of the
                       state_dict inside weights.pt (a checkpoint beside 'optimizer', 'epoch')
  dtype, weights_dtype compute dtype; stored weights dtype (float16 / bfloat16 are upcast to
                       float32, which is what PyTorch computed the expected values from)
  atol, rtol           |got - expected| <= atol + rtol * |expected| elementwise
  weights              format -> file: safetensors, npz, npy (a folder of <key>.npy), pt
  input                kind: tensor | pack_padded_sequence | pack_sequence | pad_sequence, the
                       files (input, h_0, c_0, lengths, sequences) and the packing options; the
                       recipe line says how PyTorch combined them
  expected             tensor name -> .npy: output, h_n, c_n (a cell: h_n = h', c_n = c', one
                       step), and the intermediates padded, packed_data, batch_sizes,
                       sorted_indices, unsorted_indices

A layer case (module Embedding, Linear or LayerNorm: the layers around a recurrent module) has the
same fields; options are the layer's constructor arguments (eps and padding_idx are not in the
state_dict), input is {kind: 'layer', input: 'input.npy'} (int64 or int32 indices for an
Embedding) and expected is {output: 'output.npy'}: output = module(input). An Embedding without
max_norm is a gather: its tolerance is 0.
"""
import copy
import hashlib
import io
import json
import os
import platform
import shutil
import struct
import sys
import warnings
import zipfile
import zlib

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pack_sequence, pad_packed_sequence, pad_sequence

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'golden')
T113 = '--torch113' in sys.argv
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
TOL = {'float32': (1e-5, 1e-4), 'float64': (1e-10, 1e-8)}
CLASSES = {'RNN': nn.RNN, 'GRU': nn.GRU, 'LSTM': nn.LSTM, 'RNNCell': nn.RNNCell, 'GRUCell': nn.GRUCell, 'LSTMCell': nn.LSTMCell}
TORCH_DTYPE = {'float32': torch.float32, 'float64': torch.float64, 'float16': torch.float16, 'bfloat16': torch.bfloat16}
ST_DTYPE = {torch.float32: 'F32', torch.float64: 'F64', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.int64: 'I64'}

# ---- writers ------------------------------------------------------------------------------------


def npy_bytes(a):
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


def write_npz(path, arrays, compressed):
    """np.savez with a fixed date_time (np.savez stamps the current time)."""
    with zipfile.ZipFile(path, 'w') as z:
        for name, a in arrays.items():
            info = zipfile.ZipInfo(name + '.npy', date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            z.writestr(info, npy_bytes(a))


def tensor_bytes(t):
    if t.dtype == torch.bfloat16:
        return t.contiguous().view(torch.int16).numpy().tobytes()
    return t.contiguous().numpy().tobytes()


def write_safetensors(path, sd):
    """The official library where installed; torch 1.13 mode writes the documented layout by hand:
    u64 header length, JSON header padded with spaces to 8 bytes, then the data back to back."""
    sd = {k: v.detach().contiguous().clone() for k, v in sd.items()}
    if not T113:
        from safetensors.torch import save_file
        save_file(sd, path, metadata={'format': 'pt'})
        return
    header, offset, blobs = {'__metadata__': {'format': 'pt'}}, 0, []
    for k, v in sd.items():
        b = tensor_bytes(v)
        header[k] = {'dtype': ST_DTYPE[v.dtype], 'shape': list(v.shape), 'data_offsets': [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def to_np(t):
    return t.detach().numpy().copy()


# ---- one case -----------------------------------------------------------------------------------


def seed_of(name):
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def make_module(cls, opts, seed, wdtype, init_scale):
    torch.manual_seed(seed)
    m = CLASSES[cls](**opts)
    with torch.no_grad():
        for p in m.parameters():
            p.mul_(init_scale)
            if wdtype in ('float16', 'bfloat16'):
                # Weights stored narrow; the reference is a float32 module holding the upcast values.
                p.copy_(p.to(TORCH_DTYPE[wdtype]).float())
    return m.eval()


def run_module(m, cls, x, h0, c0):
    """Calls the module the way the case records; returns (output, h_n, c_n) with None for absent."""
    state = None if h0 is None else ((h0, c0) if cls.startswith('LSTM') else h0)
    if cls.endswith('Cell'):
        r = m(x, state)
        return (None,) + (r if isinstance(r, tuple) else (r, None))
    out, hn = m(x, state)
    return (out,) + (hn if isinstance(hn, tuple) else (hn, None))


def gen_case(c):
    name, cls = c['name'], c['module']
    seed = seed_of(name)
    dtype = c.get('dtype', 'float32')
    wdtype = c.get('weights_dtype', dtype)
    tdt = TORCH_DTYPE[dtype]
    opts = dict(c['options'])
    m = make_module(cls, opts, seed, wdtype, c.get('init_scale', 1.0)).to(tdt)
    gen = torch.Generator().manual_seed(seed + 1)

    def randn(*shape):
        return (torch.randn(*shape, generator=gen, dtype=torch.float64) * c.get('input_scale', 1.0)).to(tdt)

    cell = cls.endswith('Cell')
    H, I = opts['hidden_size'], opts['input_size']
    P = opts.get('proj_size', 0) or H
    D = 2 if opts.get('bidirectional') else 1
    L = 1 if cell else opts.get('num_layers', 1)
    bf = opts.get('batch_first', False)
    kind = c.get('kind', 'tensor')
    T, B = c.get('T', 4), c.get('B', 2)
    unbatched = c.get('unbatched', False)
    files, expected, inp = {}, {}, {'kind': kind}

    lead = () if unbatched else (B,)
    layers = () if cell else (L * D,)
    h0 = c0 = None
    if c.get('h0', False):
        h0 = files['h_0'] = randn(*layers, *lead, H if cell else P)
        if cls.startswith('LSTM'):
            c0 = files['c_0'] = randn(*layers, *lead, H)

    with torch.no_grad():
        if kind == 'tensor':
            shape = (*lead, I) if cell else ((T, I) if unbatched else ((B, T, I) if bf else (T, B, I)))
            x = files['input'] = randn(*shape)
            out, hn, cn = run_module(m, cls, x, h0, c0)
        elif kind == 'pad_sequence':
            seqs = [randn(n, I) for n in c['lengths']]
            padded = expected['padded'] = pad_sequence(seqs, batch_first=bf, padding_value=c['padding_value'])
            out, hn, cn = run_module(m, cls, padded, h0, c0)
            inp.update(batch_first=bf, padding_value=c['padding_value'])
        else:
            if kind == 'pack_padded_sequence':
                # Padding positions hold random values too: only lengths decide what is read.
                x = files['input'] = randn(*((B, T, I) if bf else (T, B, I)))
                lengths = files['lengths'] = torch.tensor(c['lengths'], dtype=torch.int64)
                packed = pack_padded_sequence(x, lengths, batch_first=bf, enforce_sorted=c['enforce_sorted'])
                inp['lengths'] = 'lengths.npy'
            else:
                seqs = [randn(n, I) for n in c['lengths']]
                packed = pack_sequence(seqs, enforce_sorted=c['enforce_sorted'])
            out, hn, cn = run_module(m, cls, packed, h0, c0)
            out = pad_packed_sequence(out, batch_first=bf, padding_value=c['padding_value'], total_length=c['total_length'])[0]
            inp.update(enforce_sorted=c['enforce_sorted'], batch_first=bf, padding_value=c['padding_value'],
                       total_length=c['total_length'])
            expected['batch_sizes'] = packed.batch_sizes.to(torch.int64)
            # PyTorch's order of equal lengths is unspecified for >= 17 sequences: then only
            # order-free results are expected (docs/semantics.md, "Packed sequences").
            if not c.get('tie_order_free'):
                expected['packed_data'] = packed.data
            if packed.sorted_indices is not None and not c.get('tie_order_free'):
                expected['sorted_indices'], expected['unsorted_indices'] = packed.sorted_indices, packed.unsorted_indices
        if kind in ('pad_sequence', 'pack_sequence'):
            files.update((f'seq_{i}', v) for i, v in enumerate(seqs))
            inp['sequences'] = [f'seq_{i}.npy' for i in range(len(seqs))]
    for k, v in (('output', out), ('h_n', hn), ('c_n', cn)):
        if v is not None:
            expected[k] = v
    for k in ('input', 'h_0', 'c_0'):
        if k in files:
            inp[k] = k + '.npy'
    inp['h_0'], inp['c_0'] = inp.get('h_0'), inp.get('c_0')
    if kind != 'tensor':
        inp['recipe'] = RECIPES[kind]

    d = os.path.join(ROOT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for k, v in {**files, **expected}.items():
        with open(os.path.join(d, k + '.npy'), 'wb') as f:
            f.write(npy_bytes(to_np(v)))

    sd = weights_of(m, c, wdtype)
    formats = write_weights(d, sd, c, wdtype)
    atol, rtol = TOL[dtype]
    meta = {
        'schema': 1, 'name': name, 'module': cls, 'options': opts, 'prefix': c.get('prefix', ''),
        'pt_key': c.get('pt_key'), 'seed': seed, 'dtype': dtype, 'weights_dtype': wdtype,
        'atol': atol, 'rtol': rtol, 'torch': torch.__version__, 'numpy': np.__version__,
        'python': platform.python_version(), 'covers': c['covers'], 'weights': formats,
        'input': inp, 'expected': {k: k + '.npy' for k in expected},
    }
    with open(os.path.join(d, 'case.json'), 'w') as f:
        json.dump(meta, f, indent=2)
        f.write('\n')


RECIPES = {
    'pack_padded_sequence': 'packed = pack_padded_sequence(input, lengths, batch_first, enforce_sorted); '
                            'out, h_n = module(packed, h_0); '
                            'output, _ = pad_packed_sequence(out, batch_first, padding_value, total_length)',
    'pack_sequence': 'packed = pack_sequence(sequences, enforce_sorted); out, h_n = module(packed, h_0); '
                     'output, _ = pad_packed_sequence(out, batch_first, padding_value, total_length)',
    'pad_sequence': 'padded = pad_sequence(sequences, batch_first, padding_value); output, h_n = module(padded, h_0)',
}


def weights_of(m, c, wdtype):
    """The state_dict as a user's torch.save writes it: an OrderedDict (with _metadata) from a real
    model holding the module at its prefix, beside the checkpoint's other modules and parameters;
    a float16 / bfloat16 case's module converted with .to(dtype)."""
    model = nn.Module()
    parts = {c.get('prefix', ''): copy.deepcopy(m).to(TORCH_DTYPE[wdtype])}
    for other in c.get('siblings', []):
        seed = seed_of(c['name'] + other['prefix'])
        parts[other['prefix']] = make_module(other['module'], other['options'], seed, 'float32', 1.0)
    g = torch.Generator().manual_seed(seed_of(c['name']) + 2)
    for key, shape in c.get('extra_keys', {}).items():
        parts[key] = nn.Parameter(torch.randn(*shape, generator=g), requires_grad=False)
    for path, part in sorted(parts.items()):
        if path == '':
            model = part
            continue
        *parents, leaf = path.rstrip('.').split('.')
        owner = model
        for name in parents:
            if not hasattr(owner, name):
                owner.add_module(name, nn.Module())
            owner = getattr(owner, name)
        owner.register_parameter(leaf, part) if isinstance(part, nn.Parameter) else owner.add_module(leaf, part)
    return model.state_dict()


def write_weights(d, sd, c, wdtype):
    formats = {'safetensors': 'weights.safetensors'}
    write_safetensors(os.path.join(d, 'weights.safetensors'), sd)
    if wdtype != 'bfloat16':  # numpy has no bfloat16
        arrays = {k: to_np(v) for k, v in sd.items()}  # state_dict order
        write_npz(os.path.join(d, 'weights.npz'), arrays, c.get('npz_compressed', False))
        os.makedirs(os.path.join(d, 'weights_npy'))
        for k, a in arrays.items():
            with open(os.path.join(d, 'weights_npy', k + '.npy'), 'wb') as f:
                f.write(npy_bytes(a))
        formats.update(npz='weights.npz', npy='weights_npy')
    obj = sd
    if c.get('pt_key'):
        obj = {c['pt_key']: sd, 'epoch': 3, 'optimizer': optimizer_state(sd)}
    torch.save(obj, os.path.join(d, 'weights.pt'))
    formats['pt'] = 'weights.pt'
    return formats


def optimizer_state(sd):
    """A real Adam state_dict after one step (tensors, tuples, floats, None), beside the model."""
    params = [nn.Parameter(v.float().clone()) for v in sd.values()]
    opt = torch.optim.Adam(params, lr=1e-3)
    for p in params:
        p.grad = torch.ones_like(p)
    opt.step()
    return opt.state_dict()


# ---- one layer case -----------------------------------------------------------------------------

LAYER_CLASSES = {'Embedding': nn.Embedding, 'Linear': nn.Linear, 'LayerNorm': nn.LayerNorm}


def make_layer(cls, opts, seed, wdtype):
    """PyTorch's own initialisation, except LayerNorm's (weight 1, bias 0 would test nothing)."""
    torch.manual_seed(seed)
    m = LAYER_CLASSES[cls](**opts)
    g = torch.Generator().manual_seed(seed + 3)
    with torch.no_grad():
        for p in m.parameters():
            if cls == 'LayerNorm':
                p.copy_(torch.randn(p.shape, generator=g))
            if wdtype in ('float16', 'bfloat16'):
                p.copy_(p.to(TORCH_DTYPE[wdtype]).float())
    return m.eval()


def gen_layer_case(c):
    name, cls = c['name'], c['module']
    seed = seed_of(name)
    dtype = c.get('dtype', 'float32')
    wdtype = c.get('weights_dtype', dtype)
    tdt = TORCH_DTYPE[dtype]
    opts = dict(c['options'])
    m = make_layer(cls, opts, seed, wdtype).to(tdt)
    sd = weights_of(m, c, wdtype)  # before the forward: max_norm renormalises the weight in place
    gen = torch.Generator().manual_seed(seed + 1)
    shape = c['input_shape']
    if cls == 'Embedding':
        x = torch.randint(0, opts['num_embeddings'], shape, generator=gen, dtype=torch.int64)
        if opts.get('padding_idx') is not None and len(shape) > 0:
            x[..., -1] = opts['padding_idx'] % opts['num_embeddings']  # padded positions
        x = x.to(torch.int32) if c.get('index_dtype') == 'int32' else x
    else:
        x = (torch.randn(*shape, generator=gen, dtype=torch.float64) * c.get('input_scale', 1.0)
             + c.get('input_shift', 0.0)).to(tdt)
    with torch.no_grad():
        out = m(x)

    d = os.path.join(ROOT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for k, v in (('input', x), ('output', out)):
        with open(os.path.join(d, k + '.npy'), 'wb') as f:
            f.write(npy_bytes(to_np(v)))
    formats = write_weights(d, sd, c, wdtype)
    atol, rtol = c.get('tol', TOL[dtype])
    meta = {
        'schema': 1, 'name': name, 'module': cls, 'options': opts, 'prefix': c.get('prefix', ''),
        'pt_key': c.get('pt_key'), 'seed': seed, 'dtype': dtype, 'weights_dtype': wdtype,
        'atol': atol, 'rtol': rtol, 'torch': torch.__version__, 'numpy': np.__version__,
        'python': platform.python_version(), 'covers': c['covers'], 'weights': formats,
        'input': {'kind': 'layer', 'input': 'input.npy', 'recipe': 'output = module(input)'},
        'expected': {'output': 'output.npy'},
    }
    with open(os.path.join(d, 'case.json'), 'w') as f:
        json.dump(meta, f, indent=2)
        f.write('\n')


# ---- the cases ----------------------------------------------------------------------------------

MODES = [('rnn_tanh', 'RNN', 'tanh'), ('rnn_relu', 'RNN', 'relu'), ('gru', 'GRU', None), ('lstm', 'LSTM', None)]
CELLS = [('rnncell_tanh', 'RNNCell', 'tanh'), ('rnncell_relu', 'RNNCell', 'relu'), ('grucell', 'GRUCell', None),
         ('lstmcell', 'LSTMCell', None)]
T113_SUBSET = ['rnn_tanh_l2_bidir', 'rnn_relu_packed_unsorted', 'gru_l2_bidir', 'gru_packed_unsorted', 'lstm_l2_bidir',
               'lstm_packed_bidir_l2', 'lstm_proj_bidir_l2_h0', 'gru_f64', 'lstm_w_f16', 'grucell', 'lstmcell_unbatched',
               'rnncell_tanh', 'lstm_prefixed', 'gru_pack_sequence', 'lstm_unbatched']


def opts(cls, nonlin, I=3, H=4, L=1, bidir=False, bf=False, bias=True, proj=0, dropout=0.0):
    o = {'input_size': I, 'hidden_size': H, 'bias': bias}
    if nonlin:
        o['nonlinearity'] = nonlin
    if cls.endswith('Cell'):
        return o
    o.update(num_layers=L, batch_first=bf, dropout=dropout, bidirectional=bidir)
    if cls == 'LSTM':
        o['proj_size'] = proj
    return o


def packed(lengths, enforce_sorted=False, padding_value=0.0, total_length=None, kind='pack_padded_sequence'):
    return {'kind': kind, 'lengths': lengths, 'enforce_sorted': enforce_sorted, 'padding_value': padding_value,
            'total_length': total_length, 'B': len(lengths), 'T': max(lengths)}


def mode_cases(m, cls, nl):
    def case(suffix, covers, **kw):
        o = kw.pop('o', {})
        return {'name': f'{m}_{suffix}', 'module': cls, 'options': opts(cls, nl, **o), 'covers': covers, **kw}

    out = []
    for L in (1, 2, 3):
        for bidir in (False, True):
            covers = f'{L} layer(s), {"bi" if bidir else "uni"}directional' + \
                [', h_0', ', batch_first', ', h_0, deflated npz'][L - 1]
            out.append(case(f'l{L}' + ('_bidir' if bidir else ''), covers, o=dict(L=L, bidir=bidir, bf=L == 2),
                            h0=L % 2 == 1, T=5, B=3, npz_compressed=L == 3))
    out += [
        case('nobias', 'bias=False', o=dict(bias=False)),
        case('nobias_l2_bidir', 'bias=False, 2 layers, bidirectional, h_0', o=dict(bias=False, L=2, bidir=True), h0=True),
        case('batch_first_bidir_h0', 'batch_first with h_0 (h_0 stays layer-major)', o=dict(bf=True, bidir=True), h0=True, B=3),
        case('unbatched', 'unbatched (T, I) input, 2 layers, bidirectional', o=dict(L=2, bidir=True), unbatched=True),
        case('unbatched_h0', 'unbatched input with an unbatched h_0', unbatched=True, h0=True),
        case('unbatched_batch_first', 'batch_first is ignored for unbatched input', o=dict(bf=True), unbatched=True, T=3),
        case('h0', 'given h_0 (and c_0)', h0=True),
        case('no_h0', 'no h_0: zeros', h0=False),
        case('dropout_eval', 'dropout=0.5 is ignored at inference', o=dict(L=2, dropout=0.5)),
        case('packed_unsorted', 'pack_padded_sequence, unsorted lengths, padding_value, total_length = T (as run --lengths)',
             h0=True, **packed([3, 5, 2, 4], padding_value=-7.5, total_length=5)),
        case('packed_bidir_l2', 'packed, bidirectional, 2 layers, unsorted lengths incl. 1, padded to max length',
             o=dict(L=2, bidir=True), **packed([2, 6, 1, 4], padding_value=0.25)),
        case('packed_batch_first', 'packed batch_first, total_length > T, h_0 permuted', o=dict(bidir=True, bf=True),
             h0=True, **packed([4, 1, 5], padding_value=3.0, total_length=8)),
        case('packed_sorted', 'pack_padded_sequence with enforce_sorted=True and ties', h0=True,
             **packed([5, 3, 3, 1], enforce_sorted=True)),
        case('packed_single_step', 'packed, one sequence of length 1', h0=True, **packed([1])),
        case('packed_run_bidir_l2', 'packed as `run --lengths` takes it (padding 0, total_length = T), unsorted lengths, '
             '2 layers, bidirectional, h_0', o=dict(L=2, bidir=True), h0=True, **packed([3, 5, 2, 4])),
        case('packed_run_batch_first', 'packed as `run --lengths` takes it, batch_first, unsorted lengths incl. 1',
             o=dict(bf=True), **packed([2, 4, 1, 3])),
        case('packed_ties', '18 sequences with tied lengths, bidirectional, h_0 (order-free results only)',
             o=dict(H=3, bidir=True), h0=True, tie_order_free=True,
             **packed([3, 1, 3, 2, 3, 1, 2, 3, 3, 1, 2, 2, 3, 1, 3, 2, 1, 3], padding_value=0.5)),
        case('odd_sizes', 'sizes that are not multiples of 4 (I 7, H 13, B 5), 2 layers, bidirectional, h_0',
             o=dict(I=7, H=13, L=2, bidir=True), h0=True, T=6, B=5),
        case('pack_sequence', 'pack_sequence of unsorted sequences, bidirectional', o=dict(bidir=True),
             **packed([2, 5, 3], padding_value=-1.0, kind='pack_sequence')),
        case('pack_sequence_sorted', 'pack_sequence enforce_sorted=True, 2 layers, batch_first output, h_0',
             o=dict(L=2, bf=True), h0=True, **packed([4, 4, 2], enforce_sorted=True, kind='pack_sequence')),
        case('pad_sequence', 'pad_sequence (padding_value 0.5) fed to the module',
             **packed([3, 1, 4], padding_value=0.5, kind='pad_sequence')),
        case('pad_sequence_batch_first', 'pad_sequence batch_first, bidirectional', o=dict(bf=True, bidir=True),
             **packed([2, 4, 4, 1], kind='pad_sequence')),
        case('f64', 'float64 weights and input, 2 layers, bidirectional, h_0', o=dict(L=2, bidir=True), h0=True, dtype='float64'),
        case('f64_packed', 'float64 packed, unsorted', dtype='float64', **packed([2, 4, 3])),
        case('w_f16', 'float16 weights upcast to float32, 2 layers, bidirectional', o=dict(L=2, bidir=True),
             weights_dtype='float16'),
        case('w_bf16', 'bfloat16 weights upcast to float32, h_0 (safetensors and .pt only)', h0=True, weights_dtype='bfloat16'),
        case('saturating', 'saturating pre-activations: input scale 60, weights x3', o=dict(L=2, bidir=True), h0=True,
             input_scale=60.0, init_scale=3.0),
        case('size1', 'every dimension 1: T, B, I, H, layers', o=dict(I=1, H=1), h0=True, T=1, B=1),
        case('batch0', 'B = 0: empty results of the right shapes', o=dict(L=2, bidir=True), h0=True, B=0),
        case('long', 'T = 30, H = 16: error accumulation', o=dict(I=8, H=16, bidir=True), T=30, B=2),
        case('prefixed', 'module under encoder.rnn. inside a checkpoint {model, optimizer, epoch}', o=dict(L=2),
             h0=True, prefix='encoder.rnn.', pt_key='model'),
        case('prefixed_flat', 'module under rnn. beside other layers\' parameters', o=dict(bidir=True), prefix='rnn.',
             extra_keys={'embedding.weight': [10, 3], 'fc.weight': [2, 8], 'fc.bias': [2]}),
    ]
    return out


def cell_cases(m, cls, nl):
    def case(suffix, covers, **kw):
        o = kw.pop('o', {})
        name = m if suffix == '' else f'{m}_{suffix}'
        return {'name': name, 'module': cls, 'options': opts(cls, nl, **o), 'covers': f'{cls}, one step: {covers}', **kw}

    return [
        case('', 'batch of 3 with h_0', h0=True, B=3),
        case('no_h0', 'no h_0: zeros', B=3),
        case('unbatched', 'unbatched (I,) input and (H,) state', unbatched=True, h0=True),
        case('unbatched_no_h0', 'unbatched, no state', unbatched=True),
        case('nobias', 'bias=False', o=dict(bias=False), h0=True),
        case('f64', 'float64', h0=True, dtype='float64'),
        case('saturating', 'input scale 60, weights x3', h0=True, input_scale=60.0, init_scale=3.0),
        case('size1', 'every dimension 1', o=dict(I=1, H=1), h0=True, B=1),
        case('batch0', 'B = 0', h0=True, B=0),
        case('w_bf16', 'bfloat16 weights upcast to float32', h0=True, weights_dtype='bfloat16'),
    ]


def proj_cases():
    def case(suffix, covers, **kw):
        o = {'H': 5, 'proj': 3, **kw.pop('o', {})}
        return {'name': f'lstm_proj_{suffix}', 'module': 'LSTM', 'options': opts('LSTM', None, **o),
                'covers': f'LSTM proj_size=3, hidden 5: {covers}', **kw}

    return [
        case('l1', '1 layer'),
        case('l2', '2 layers (layer 1 input is the projected output)', o=dict(L=2)),
        case('bidir_l2_h0', 'bidirectional, 2 layers, h_0 (P wide) and c_0 (H wide)', o=dict(L=2, bidir=True), h0=True),
        case('l3_bidir', '3 layers, bidirectional', o=dict(L=3, bidir=True)),
        case('packed_bidir', 'packed unsorted, bidirectional, h_0', o=dict(bidir=True), h0=True,
             **packed([3, 1, 4], padding_value=-2.0, total_length=4)),
        case('packed_run', 'packed as `run --lengths` takes it (padding 0), unsorted, bidirectional, h_0',
             o=dict(bidir=True), h0=True, **packed([2, 4, 1, 3])),
        case('pack_sequence', 'pack_sequence, 2 layers', o=dict(L=2), **packed([1, 3, 2], kind='pack_sequence')),
        case('unbatched_h0', 'unbatched with state', unbatched=True, h0=True),
        case('batch_first', 'batch_first, bidirectional', o=dict(bf=True, bidir=True)),
        case('f64', 'float64, h_0', h0=True, dtype='float64'),
        case('w_f16', 'float16 weights upcast', o=dict(bidir=True), weights_dtype='float16'),
        case('odd_sizes', 'hidden 13, proj 5, input 7, bias=False, bidirectional',
             o=dict(I=7, H=13, proj=5, bias=False, bidir=True), B=5),
    ]


def wide_cases():
    return [
        {'name': 'lstm_wide', 'module': 'LSTM', 'options': opts('LSTM', None, I=32, H=64), 'T': 12, 'B': 3, 'h0': True,
         'covers': 'wider LSTM: input 32, hidden 64 (GEMM blocking), h_0'},
        {'name': 'gru_wide', 'module': 'GRU', 'options': opts('GRU', None, I=24, H=40, bidir=True), 'T': 12, 'B': 3,
         'covers': 'wider GRU: input 24, hidden 40, bidirectional'},
    ]


def multi_cases():
    enc = {'prefix': 'encoder.rnn.', 'module': 'GRU', 'options': opts('GRU', None, I=3, H=4, bidir=True)}
    dec = {'prefix': 'decoder.rnn.', 'module': 'LSTM', 'options': opts('LSTM', None, I=8, H=5, L=2)}
    cell = {'prefix': 'decoder.cell.', 'module': 'LSTMCell', 'options': opts('LSTMCell', None, I=3, H=4)}
    twin = {'prefix': 'encoder.rnn2.', 'module': 'RNN', 'options': opts('RNN', 'tanh', I=3, H=4)}
    extra = {'embedding.weight': [10, 3], 'head.weight': [2, 5], 'head.bias': [2]}

    def case(name, covers, chosen, siblings, **kw):
        return {'name': f'multi_{name}', 'module': chosen['module'], 'options': chosen['options'], 'prefix': chosen['prefix'],
                'covers': f'checkpoint with several modules: {covers}', 'siblings': siblings, 'extra_keys': extra, **kw}

    return [
        case('encoder', 'select encoder.rnn. (GRU)', enc, [dec, cell]),
        case('decoder', 'select decoder.rnn. (LSTM, 2 layers)', dec, [enc, cell], h0=True),
        case('cell', 'select decoder.cell. (LSTMCell)', cell, [enc, dec], h0=True),
        case('dot_boundary', 'encoder.rnn. beside encoder.rnn2.: prefixes match at dots', enc, [twin]),
        case('twin', 'select encoder.rnn2. (RNN) beside encoder.rnn.', twin, [enc], h0=True),
        case('nested', 'select decoder.rnn. inside {model, optimizer, epoch}', dec, [enc], pt_key='model'),
        case('root', 'a module at the root (prefix \'\') beside aux.lstm.', dict(enc, prefix=''),
             [{'prefix': 'aux.lstm.', 'module': 'LSTM', 'options': opts('LSTM', None)}]),
    ]


def layer_cases():
    def case(name, cls, options, covers, input_shape, **kw):
        return {'name': name, 'module': cls, 'options': options, 'covers': f'{cls}: {covers}', 'input_shape': input_shape, **kw}

    lstm = {'prefix': 'encoder.rnn.', 'module': 'LSTM', 'options': opts('LSTM', None, I=6, H=4, bidir=True)}
    exact = {'tol': (0.0, 0.0)}
    emb = {'num_embeddings': 20, 'embedding_dim': 6}
    return [
        case('embedding', 'Embedding', emb, 'int64 indices (B 3, T 5), a gather (tolerance 0)', [3, 5], **exact),
        case('embedding_1d', 'Embedding', emb, '1-d int64 indices', [7], **exact),
        case('embedding_int32', 'Embedding', emb, 'int32 indices (3-d)', [2, 3, 4], index_dtype='int32', **exact),
        case('embedding_padding_idx', 'Embedding', dict(emb, padding_idx=0),
             'padding_idx=0 (its row zero, as PyTorch initialises it), under encoder.embedding. beside an LSTM '
             'and a head, inside {model, optimizer, epoch}', [3, 5], prefix='encoder.embedding.', pt_key='model',
             siblings=[lstm], extra_keys={'head.weight': [3, 8], 'head.bias': [3]}, **exact),
        case('embedding_padding_idx_negative', 'Embedding', dict(emb, padding_idx=-1),
             'padding_idx=-1 (normalised to 19)', [4, 3], **exact),
        case('embedding_f64', 'Embedding', emb, 'float64 table', [3, 5], dtype='float64', **exact),
        case('embedding_w_f16', 'Embedding', emb, 'float16 table upcast to float32', [3, 5],
             weights_dtype='float16', **exact),
        case('embedding_w_bf16', 'Embedding', emb, 'bfloat16 table upcast to float32 (safetensors and .pt only)',
             [3, 5], weights_dtype='bfloat16', **exact),
        case('embedding_max_norm', 'Embedding', dict(emb, max_norm=1.5), 'max_norm=1.5: rows renormalised', [3, 5]),
        case('embedding_max_norm_p1', 'Embedding', dict(emb, max_norm=2.0, norm_type=1.0),
             'max_norm=2 with norm_type=1', [3, 5]),
        case('linear', 'Linear', {'in_features': 6, 'out_features': 5}, '2-d input (4, 6)', [4, 6]),
        case('linear_nobias', 'Linear', {'in_features': 6, 'out_features': 5, 'bias': False}, 'bias=False', [4, 6]),
        case('linear_3d', 'Linear', {'in_features': 6, 'out_features': 5}, '3-d input (2, 3, 6) under head.',
             [2, 3, 6], prefix='head.', siblings=[lstm]),
        case('linear_1d', 'Linear', {'in_features': 6, 'out_features': 5}, '1-d input (6,)', [6]),
        case('linear_batch0', 'Linear', {'in_features': 6, 'out_features': 5}, 'no rows: input (0, 6)', [0, 6]),
        case('linear_wide', 'Linear', {'in_features': 40, 'out_features': 37},
             'in 40, out 37 (not a multiple of the panel width), 70 rows', [70, 40]),
        case('linear_f64', 'Linear', {'in_features': 6, 'out_features': 5}, 'float64, 3-d input', [2, 3, 6],
             dtype='float64'),
        case('linear_w_f16', 'Linear', {'in_features': 6, 'out_features': 5}, 'float16 weights upcast to float32',
             [4, 6], weights_dtype='float16'),
        case('linear_w_bf16', 'Linear', {'in_features': 6, 'out_features': 5, 'bias': False},
             'bfloat16 weights upcast to float32, bias=False (safetensors and .pt only)', [4, 6],
             weights_dtype='bfloat16'),
        case('layernorm', 'LayerNorm', {'normalized_shape': 8}, 'normalized_shape 8, random weight and bias, 3-d input',
             [3, 4, 8]),
        case('layernorm_no_affine', 'LayerNorm', {'normalized_shape': 8, 'elementwise_affine': False},
             'elementwise_affine=False (no parameters) under norm. beside a head', [5, 8], prefix='norm.',
             extra_keys={'head.weight': [3, 8], 'head.bias': [3]}),
        case('layernorm_nobias', 'LayerNorm', {'normalized_shape': 8, 'bias': False}, 'bias=False (PyTorch >= 2.1)',
             [5, 8]),
        case('layernorm_eps', 'LayerNorm', {'normalized_shape': 8, 'eps': 1e-3},
             'eps=1e-3 on inputs of variance ~1e-4 (eps matters)', [5, 8], input_scale=0.01),
        case('layernorm_multidim', 'LayerNorm', {'normalized_shape': [4, 6]}, 'normalized_shape (4, 6)', [2, 4, 6]),
        case('layernorm_wide', 'LayerNorm', {'normalized_shape': 300},
             'N 300, inputs around 50 (variance by E[x^2] - E[x]^2 would cancel)', [10, 300],
             input_scale=3.0, input_shift=50.0),
        case('layernorm_f64', 'LayerNorm', {'normalized_shape': 8}, 'float64', [3, 8], dtype='float64'),
        case('layernorm_w_f16', 'LayerNorm', {'normalized_shape': 8}, 'float16 weight and bias upcast to float32',
             [3, 8], weights_dtype='float16'),
    ]


def cases_main():
    out = [c for m in MODES for c in mode_cases(*m)] + [c for m in CELLS for c in cell_cases(*m)]
    return out + proj_cases() + multi_cases() + wide_cases() + layer_cases()


def cases_113():
    chosen = [c for c in cases_main() if c['name'] in T113_SUBSET]
    assert len(chosen) == len(T113_SUBSET)
    return [dict(c, name=c['name'] + '_t113', covers=c['covers'] + ' (PyTorch 1.13)') for c in chosen]



# ---- manifest -----------------------------------------------------------------------------------


def case_hash(d):
    """sha256 of a case folder: per folder (sorted), per file (sorted), `relative/path` NUL contents."""
    h = hashlib.sha256()
    for root, _, names in sorted(os.walk(d)):
        for n in sorted(names):
            p = os.path.join(root, n)
            h.update(os.path.relpath(p, d).encode() + b'\0')
            with open(p, 'rb') as f:
                h.update(f.read())
    return h.hexdigest()


def write_manifest():
    path = os.path.join(ROOT, 'MANIFEST.json')
    old = {}
    if os.path.exists(path):
        with open(path) as f:
            old = {e['name']: e for e in json.load(f)['cases']}
    cases, versions = [], {}
    for name in sorted(os.listdir(ROOT)):
        meta_path = os.path.join(ROOT, name, 'case.json')
        if not os.path.exists(meta_path):
            continue
        with open(meta_path) as f:
            meta = json.load(f)
        versions[meta['torch']] = {'torch': meta['torch'], 'numpy': meta['numpy'], 'python': meta['python']}
        entry = {'name': name, 'module': meta['module'], 'torch': meta['torch'], 'covers': meta['covers'],
                 'sha256': case_hash(os.path.join(ROOT, name))}
        prev = old.get(name, {})
        if prev.get('sha256') == entry['sha256'] and 'measured' in prev:
            entry['measured'] = prev['measured']
        cases.append(entry)
    manifest = {'schema': 1, 'generator': 'scripts/gen_golden.py',
                'versions': sorted(versions.values(), key=lambda v: v['torch']), 'count': len(cases), 'cases': cases}
    with open(path, 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')


def main():
    torch.set_num_threads(1)
    warnings.filterwarnings('ignore', message='LSTM with projections is not supported with oneDNN')
    cases = cases_113() if T113 else cases_main()
    names = [c['name'] for c in cases]
    assert len(set(names)) == len(names), 'duplicate case names'
    assert all(n.endswith('_t113') == T113 for n in names)
    os.makedirs(ROOT, exist_ok=True)
    for old in os.listdir(ROOT):  # cases this mode no longer makes
        if os.path.isdir(os.path.join(ROOT, old)) and old.endswith('_t113') == T113 and old not in names:
            shutil.rmtree(os.path.join(ROOT, old))
    for c in cases:
        (gen_layer_case if c['module'] in LAYER_CLASSES else gen_case)(c)
    write_manifest()
    print(f'{len(cases)} cases written (torch {torch.__version__})')


if __name__ == '__main__':
    main()
