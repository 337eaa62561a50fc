"""Writes the .pt fixtures of the torch.save loader (src/io/torch.ts).

    /usr/bin/python3 scripts/gen_pt_fixtures.py            # Debian torch 1.13: *_t113.pt
    .venv-torch/bin/python scripts/gen_pt_fixtures.py       # torch 2.13: *_t213.pt + test/malformed/pt/

test/fixtures/pt/<name>_t<version>.pt are real torch.save files; <name>_t<version>.json holds what
rnnport must read from each: the chosen key, the state_dict paths, and every tensor's dtype, shape
and little-endian bytes (hex), or the error code. test/malformed/pt/ holds the adversarial corpus,
crafted byte by byte, with cases.json {file, code, why[, phase]}. Deterministic: fixed seeds, fixed
zip timestamps, legacy storage keys (object ids) renamed to their index.

Payloads that would run code touch MARKER; the generator proves each one does under Python's
pickle (then deletes the marker), and the tests prove rnnport never creates it.
"""
import argparse
import io
import json
import os
import pickle
import pickletools
import struct
import subprocess
import sys
import warnings
import zipfile
from collections import Counter, OrderedDict

import numpy
import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
FIXTURES = os.path.join(ROOT, 'test', 'fixtures', 'pt')
MALFORMED = os.path.join(ROOT, 'test', 'malformed', 'pt')
MARKER = '/tmp/rnnport-pickle-payload-ran'
MAJOR, MINOR = (int(x) for x in torch.__version__.split('.')[:2])
TAG = f't{MAJOR}{MINOR}'
DATE = (2020, 1, 1, 0, 0, 0)


def tensor_hex(t):
    t = t.detach().contiguous().reshape(-1)
    return t.view(torch.uint8).numpy().tobytes().hex() if t.numel() > 0 else ''


def expected_of(sd, key=None, keys=None):
    out = {'tensors': {k: {'dtype': str(v.dtype).replace('torch.', ''), 'shape': list(v.shape), 'hex': tensor_hex(v)}
                       for k, v in sd.items() if isinstance(v, torch.Tensor)}}
    if key is not None:
        out['key'] = key
    if keys is not None:
        out['stateDictKeys'] = keys
    return out


def save(name, obj, expected, **kwargs):
    buf = io.BytesIO()
    torch.save(obj, buf, **kwargs)
    data = buf.getvalue() if kwargs.get('_use_new_zipfile_serialization', True) else stable_legacy_keys(buf.getvalue())
    write(FIXTURES, f'{name}_{TAG}.pt', data)
    write(FIXTURES, f'{name}_{TAG}.json', (json.dumps(expected, indent=1) + '\n').encode())
    return buf.getvalue()


def stable_legacy_keys(data):
    """Legacy storage keys are object ids: renamed to their index, in the pickles only."""
    f = io.BytesIO(data)
    for _ in range(3):  # magic number, protocol version, sys_info
        pickle.load(f)
    for op, _, _ in pickletools.genops(f):  # the object: its persistent ids need torch to load
        if op.name == 'STOP':
            break
    keys = pickle.load(f)
    end = f.tell()
    head = data[:end]
    for i, k in enumerate(keys):  # as BINUNICODE strings, where the pickles name them
        head = head.replace(P.BINUNICODE + struct.pack('<I', len(k)) + k.encode(), P.BINUNICODE + struct.pack('<I', len(str(i))) + str(i).encode())
    return head + data[end:]


def write(folder, name, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), 'wb') as f:
        f.write(data)


def zip_bytes(members):
    """A stored zip of (name, bytes) members, fixed timestamps, duplicates allowed."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_STORED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, DATE)
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')  # duplicate names on purpose
                z.writestr(info, data)
    return buf.getvalue()


def zip_members(data):
    z = zipfile.ZipFile(io.BytesIO(data))
    return [(i.filename, z.read(i.filename)) for i in z.infolist()]


# ---- valid files, from real torch --------------------------------------------------------------

def valid():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    gru = torch.nn.GRU(3, 2)
    cell = torch.nn.GRUCell(2, 3)

    sd = lstm.state_dict()
    save('state_dict', sd, expected_of(sd))
    save('protocol4', sd, expected_of(sd), pickle_protocol=4)
    save('legacy', gru.state_dict(), expected_of(gru.state_dict()), _use_new_zipfile_serialization=False)

    # Pickles longer than the loader's first 64 KiB read of a legacy file.
    long = OrderedDict(list(cell.state_dict().items()) + [('notes', 'x' * 70_000)])
    save('legacy_long', long, expected_of(long), _use_new_zipfile_serialization=False)

    opt = torch.optim.Adam(gru.parameters(), lr=0.1)
    gru(torch.randn(2, 1, 3))[0].sum().backward()
    opt.step()
    ckpt = {'model': gru.state_dict(), 'optimizer': opt.state_dict(), 'epoch': 3, 'best': torch.tensor(0.5),
            'config': {'hidden_size': 2, 'layers': [1, 2], 'name': 'gru', 'rate': 0.25, 'flag': None}}
    save('checkpoint', ckpt, expected_of(gru.state_dict(), key='model', keys=['model']))

    two = {'encoder': {'rnn': lstm.state_dict()}, 'decoder': gru.state_dict(), 'head': {'weight': torch.ones(2, 2)}}
    # The error lists the state_dicts holding recurrent parameters; stateDictKeys lists them all.
    save('two_models', two, {'error': 'E_AMBIGUOUS_MODULE', 'listed': ['encoder.rnn', 'decoder'], 'stateDictKeys': ['encoder.rnn', 'decoder', 'head'],
                             'withKey': {'encoder.rnn': expected_of(lstm.state_dict(), key='encoder.rnn')}})

    dotted = {'ema.model': cell.state_dict(), 'ema': {'model': gru.state_dict()}}
    save('dotted_key', dotted, {'error': 'E_AMBIGUOUS_MODULE', 'listed': ['ema.model', 'ema.model'], 'stateDictKeys': ['ema.model', 'ema.model'],
                                'withKey': {'ema.model': expected_of(cell.state_dict(), key='ema.model')}})

    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    views = OrderedDict([('base', base), ('rows', base[1:3]), ('t', base.t()), ('col', base[:, 2]),
                         ('offset', base.view(-1)[5:11].view(2, 3)), ('step', base[::2, ::3]),
                         ('expand', torch.tensor([1.0, 2.0, 3.0])[None].expand(4, 3)), ('empty', base[:0]),
                         ('scalar', base[2, 3])])
    save('views', views, expected_of(views))

    dtypes = OrderedDict([('f16', torch.randn(2, 3).half()), ('bf16', torch.randn(3).bfloat16()), ('f64', torch.randn(2, 2).double()),
                          ('i64', torch.tensor([-(2 ** 62), 7, -1])), ('i32', torch.tensor([1, -2], dtype=torch.int32)),
                          ('i16', torch.tensor([300, -300], dtype=torch.int16)), ('i8', torch.tensor([-5], dtype=torch.int8)),
                          ('u8', torch.tensor([250], dtype=torch.uint8)), ('b', torch.tensor([True, False])),
                          ('num_batches_tracked', torch.tensor(5))])
    save('dtypes', dtypes, expected_of(dtypes))

    params = OrderedDict((k, torch.nn.Parameter(v)) for k, v in cell.state_dict().items())
    save('parameters', params, expected_of(params))

    save('whole_module', Net(), {'error': 'E_PICKLE_GLOBAL'})
    buf = io.BytesIO()
    torch.manual_seed(1)
    torch.jit.save(torch.jit.script(Net()), buf)
    write(FIXTURES, f'torchscript_{TAG}.pt', buf.getvalue())
    write(FIXTURES, f'torchscript_{TAG}.json', b'{"error": "E_PICKLE_GLOBAL"}\n')

    if MAJOR < 2:
        from_gpu(gru.state_dict())
    if MAJOR >= 2:
        v3 = OrderedDict([('u16', torch.tensor([1, 65535], dtype=torch.uint16)), ('u32', torch.tensor([7], dtype=torch.uint32)),
                          ('f8', torch.tensor([0.5, -2.0]).to(torch.float8_e4m3fn)), ('f32', torch.ones(2))])
        save('dtypes_v3', v3, expected_of(v3))
        big_endian(OrderedDict([('w', torch.randn(2, 3)), ('d', torch.randn(2).double()), ('i', torch.tensor([1, -2])),
                                ('h', torch.randn(3).half()), ('b', torch.tensor([True]))]))
        np_scalars = {'model': cell.state_dict(), 'best_acc': numpy.float64(0.75), 'args': argparse.Namespace(lr=0.1)}
        save('numpy_scalar', np_scalars, expected_of(cell.state_dict(), key='model', keys=['model']))
        extras_and_ema(gru)


def extras_and_ema(gru):
    """What torch.load(weights_only=True) loads beside the weights, and two state_dicts."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # quantized tensors and TypedStorage are deprecated
        scaled = torch.ones(2)
        scaled.note = 'a tensor with a Python attribute'
        extras = {'model': gru.state_dict(), 'device': torch.device('cpu'), 'z': 1 + 2j, 'complex': torch.tensor([1 + 2j, 3 - 1j]),
                  'complex128': torch.tensor([1j], dtype=torch.complex128), 'sparse': torch.eye(3).to_sparse(),
                  'quantized': torch.quantize_per_tensor(torch.ones(2), 0.1, 0, torch.qint8), 'bytes': bytearray(b'ab'),
                  'counts': Counter('aab'), 'meta': torch.empty(3, device='meta'), 'dtype': torch.complex64, 'scaled': scaled}
        buf = io.BytesIO()
        torch.save(extras, buf)
        back = torch.load(io.BytesIO(buf.getvalue()), weights_only=True)
        assert back['z'] == 1 + 2j and back['sparse'].is_sparse and back['device'] == torch.device('cpu'), 'weights_only loads the extras'
        save('extras', extras, expected_of(gru.state_dict(), key='model', keys=['model']))
    torch.manual_seed(2)
    ema = torch.nn.GRU(3, 2)
    both = {'model': gru.state_dict(), 'ema': ema.state_dict(), 'step': 3}
    save('model_ema', both, {'error': 'E_AMBIGUOUS_MODULE', 'listed': ['model', 'ema'], 'stateDictKeys': ['model', 'ema'],
                             'withKey': {'ema': expected_of(ema.state_dict(), key='ema')}})


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.GRU(2, 2)

    def forward(self, x):
        return self.rnn(x)[0]


def from_gpu(sd):
    """A 1.x file as saved from a GPU: torch.cuda.FloatStorage and location 'cuda:0' in every id."""
    buf = io.BytesIO()
    torch.save(sd, buf)
    out = []
    for name, data in zip_members(buf.getvalue()):
        if name.endswith('/data.pkl'):
            data = data.replace(b'ctorch\nFloatStorage\n', b'ctorch.cuda\nFloatStorage\n')
            data = data.replace(P.BINUNICODE + struct.pack('<I', 3) + b'cpu', P.BINUNICODE + struct.pack('<I', 6) + b'cuda:0')
        out.append((name, data))
    blob = zip_bytes(out)
    back = torch.load(io.BytesIO(blob), map_location='cpu')
    assert all(torch.equal(back[k], v) for k, v in sd.items()), 'torch reads the GPU file back on the CPU'
    write(FIXTURES, f'from_gpu_{TAG}.pt', blob)
    write(FIXTURES, f'from_gpu_{TAG}.json', (json.dumps(expected_of(sd), indent=1) + '\n').encode())


def big_endian(sd):
    """A 2.x file rewritten as a big-endian machine writes it: byteorder 'big', swapped records."""
    buf = io.BytesIO()
    torch.save(sd, buf)
    sizes = {str(i): v.element_size() for i, v in enumerate(sd.values())}
    out = []
    for name, data in zip_members(buf.getvalue()):
        leaf = name.split('/', 1)[1]
        if leaf == 'byteorder':
            data = b'big'
        elif leaf.startswith('data/'):
            n = sizes[leaf[5:]]
            data = b''.join(data[i:i + n][::-1] for i in range(0, len(data), n))
        out.append((name, data))
    blob = zip_bytes(out)
    back = torch.load(io.BytesIO(blob))
    assert all(torch.equal(back[k], v) for k, v in sd.items()), 'torch reads the big-endian file back'
    write(FIXTURES, f'big_endian_{TAG}.pt', blob)
    write(FIXTURES, f'big_endian_{TAG}.json', (json.dumps(expected_of(sd), indent=1) + '\n').encode())


# ---- the adversarial corpus, byte by byte ------------------------------------------------------

P = pickle  # opcode constants: P.GLOBAL, P.REDUCE, …


def s(text):  # SHORT_BINUNICODE-free protocol 2 string: BINUNICODE
    b = text.encode()
    return P.BINUNICODE + struct.pack('<I', len(b)) + b


def g(module, name):
    return P.GLOBAL + f'{module}\n{name}\n'.encode()


def pkl(body):
    return P.PROTO + b'\x02' + body + P.STOP


def tensor_op(key, numel, offset, size, stride, storage='FloatStorage'):
    """_rebuild_tensor_v2(('storage', torch.<storage>, key, 'cpu', numel), offset, size, stride, False, OrderedDict())."""
    tup = lambda xs: P.MARK + b''.join(P.BININT + struct.pack('<i', x) for x in xs) + P.TUPLE
    pid = P.MARK + s('storage') + g('torch', storage) + s(key) + s('cpu') + P.BININT + struct.pack('<i', numel) + P.TUPLE + P.BINPERSID
    return (g('torch._utils', '_rebuild_tensor_v2') + P.MARK + pid + P.BININT + struct.pack('<i', offset) + tup(size) + tup(stride)
            + P.NEWFALSE + g('collections', 'OrderedDict') + P.EMPTY_TUPLE + P.REDUCE + P.TUPLE + P.REDUCE)


def sd_pickle(entries):
    """{name: tensor_op} as torch writes a state_dict."""
    return pkl(g('collections', 'OrderedDict') + P.EMPTY_TUPLE + P.REDUCE + P.MARK
               + b''.join(s(k) + v for k, v in entries) + P.SETITEMS)


def pt(data_pkl, records=(), extra=()):
    return zip_bytes([('archive/data.pkl', data_pkl)] + [(f'archive/data/{k}', v) for k, v in records]
                     + [('archive/version', b'3\n')] + list(extra))


def touch():
    return s(f'touch {MARKER}')


def malformed():
    cases = []

    def case(file, code, why, data, payload=None, **extra):
        write(MALFORMED, file, data)
        cases.append(dict(file=file, code=code, why=why, **extra))
        if payload is not None:
            proves_payload(payload)


    w = tensor_op('0', 6, 0, [2, 3], [3, 1])
    ok = struct.pack('<6f', *range(6))
    reduce_system = g('os', 'system') + touch() + P.TUPLE1 + P.REDUCE
    for file, why, body in [
        ('os_system_reduce.pt', 'GLOBAL os.system + REDUCE runs a shell command in Python', reduce_system),
        ('eval_reduce.pt', 'builtins.eval + REDUCE', g('builtins', 'eval') + s(f"__import__('os').system('touch {MARKER}')") + P.TUPLE1 + P.REDUCE),
        ('subprocess_reduce.pt', 'subprocess.check_call + REDUCE', g('subprocess', 'check_call') + P.MARK + s('touch') + s(MARKER) + P.LIST + P.TUPLE1 + P.REDUCE),
        ('inst.pt', 'INST os system (protocol 0 instantiation)', P.MARK + touch() + P.INST + b'os\nsystem\n'),
        ('obj.pt', 'OBJ with os.system as the class', P.MARK + g('os', 'system') + touch() + P.OBJ),
        ('setstate_build.pt', 'BUILD puts os.system in __setstate__ of an allowed object (argparse.Namespace), a second BUILD calls it',
         g('argparse', 'Namespace') + P.EMPTY_TUPLE + P.NEWOBJ + P.EMPTY_DICT + s('__setstate__') + g('os', 'system') + P.SETITEM + P.BUILD + touch() + P.BUILD),
    ]:
        case(file, 'E_PICKLE_GLOBAL', why, pt(pkl(body)), payload=pkl(body))
    case('newobj.pt', 'E_PICKLE_GLOBAL', 'NEWOBJ of subprocess.Popen', pt(pkl(g('subprocess', 'Popen') + P.MARK + P.MARK + s('touch') + s(MARKER) + P.LIST + P.TUPLE + P.NEWOBJ)))
    case('build_on_dict.pt', 'E_PICKLE_OPCODE', 'BUILD on a plain dict (no allow-listed object)', pt(pkl(P.EMPTY_DICT + P.EMPTY_DICT + P.BUILD)))
    case('build_on_tensor.pt', 'E_PICKLE_OPCODE', 'BUILD on a tensor', pt(sd_pickle([('w', w + P.EMPTY_DICT + P.BUILD)]), [('0', ok)]))
    case('reduce_on_value.pt', 'E_PICKLE_OPCODE', 'REDUCE on a str, not an allow-listed callable', pt(pkl(s('os.system') + touch() + P.TUPLE1 + P.REDUCE)))
    case('ext1.pt', 'E_PICKLE_GLOBAL', 'EXT1: a global through the copyreg extension registry', pt(pkl(P.EXT1 + b'\x01')))
    case('main_class.pt', 'E_PICKLE_GLOBAL', 'a pickled __main__ class', pt(pkl(g('__main__', 'Net') + P.EMPTY_TUPLE + P.NEWOBJ)))
    case('unknown_opcode.pt', 'E_PICKLE_OPCODE', 'byte 0xff is no opcode', pt(pkl(b'\xff')))
    case('next_buffer.pt', 'E_PICKLE_OPCODE', 'NEXT_BUFFER (protocol 5 out-of-band data)', pt(P.PROTO + b'\x05' + b'\x97' + P.STOP))
    case('protocol6.pt', 'E_PICKLE_OPCODE', 'PROTO 6 does not exist', pt(P.PROTO + b'\x06' + P.NONE + P.STOP))
    case('no_stop.pt', 'E_TRUNCATED', 'the pickle ends without STOP', pt(P.PROTO + b'\x02' + P.EMPTY_DICT))
    case('stop_two_values.pt', 'E_PICKLE_OPCODE', 'STOP with two values on the stack', pt(pkl(P.EMPTY_DICT + P.EMPTY_DICT)))
    case('string_past_end.pt', 'E_TRUNCATED', 'BINUNICODE8 longer than the pickle', pt(P.PROTO + b'\x04' + b'\x8d' + struct.pack('<Q', 2 ** 40) + b'abc'))
    case('long_bomb.pt', 'E_LIMIT', 'LONG4 of 300 bytes: long ints cost quadratic time to convert', pt(pkl(P.LONG4 + struct.pack('<i', 300) + b'\x01' * 300)))
    case('memo_huge_index.pt', 'E_PICKLE_OPCODE', 'LONG_BINGET of an index never PUT (0xfffffffe)', pt(pkl(P.EMPTY_DICT + P.LONG_BINPUT + b'\xff\xff\xff\xff' + P.POP + P.LONG_BINGET + b'\xfe\xff\xff\xff')))
    deep_lists = P.EMPTY_LIST * 100_000 + P.APPEND * 99_999
    case('deep_lists.pt', 'E_NO_MODULE', '100k nested lists: no stack overflow, and no state_dict', pt(pkl(deep_lists)))
    case('deep_tuples.pt', 'E_NO_MODULE', '100k nested MARK … TUPLE', pt(pkl(P.MARK * 100_000 + P.TUPLE * 100_000)))
    deep_dicts = s('a') + P.BINPUT + b'\x00' + P.POP + (P.EMPTY_DICT + P.BINGET + b'\x00') * 100_000 + w + P.SETITEM * 100_000
    case('deep_dicts.pt', 'E_NO_MODULE', '100k nested dicts with a tensor at the bottom, past the search depth', pt(pkl(deep_dicts), [('0', ok)]))
    case('record_short.pt', 'E_STORAGE_BOUNDS', 'storage record 4 bytes shorter than numel × 4', pt(sd_pickle([('w', w)]), [('0', ok[:-4])]))
    case('record_long.pt', 'E_STORAGE_BOUNDS', 'storage record 4 bytes longer than numel × 4', pt(sd_pickle([('w', w)]), [('0', ok + b'\0' * 4)]))
    case('record_missing.pt', 'E_ZIP_ENTRY', 'persistent id names a record that is not there', pt(sd_pickle([('w', w)])))
    case('view_past_end.pt', 'E_STORAGE_BOUNDS', 'size (2, 3) at offset 1 needs 7 elements of 6', pt(sd_pickle([('w', tensor_op('0', 6, 1, [2, 3], [3, 1]))]), [('0', ok)]))
    case('stride_past_end.pt', 'E_STORAGE_BOUNDS', 'stride (4, 1) reaches element 6 of 6', pt(sd_pickle([('w', tensor_op('0', 6, 0, [2, 3], [4, 1]))]), [('0', ok)]))
    case('offset_past_end.pt', 'E_STORAGE_BOUNDS', 'storage_offset beyond the storage', pt(sd_pickle([('w', tensor_op('0', 6, 100, [1], [1]))]), [('0', ok)]))
    case('negative_size.pt', 'E_PICKLE_OPCODE', 'size -1', pt(sd_pickle([('w', tensor_op('0', 6, 0, [-1], [1]))]), [('0', ok)]))
    case('stride_rank.pt', 'E_PICKLE_OPCODE', 'stride with fewer entries than size', pt(sd_pickle([('w', tensor_op('0', 6, 0, [2, 3], [1]))]), [('0', ok)]))
    case('expand_bomb.pt', 'E_LIMIT', 'stride 0 over 2^31 rows: a 4-byte storage viewed as 8 GiB, refused at load',
         pt(sd_pickle([('w', tensor_op('0', 1, 0, [2 ** 31 - 1, 2], [0, 0]))]), [('0', ok[:4])]), phase='load')
    # Issue 14: stride-0 views as PyTorch writes them (4-byte storages viewed as 4 GB), and one
    # storage named with two types, which torch.save never writes but torch.load reads with the
    # first type (rnnport refuses it, as it refuses the legacy twin).
    expand = OrderedDict([('weight_ih_l0', torch.zeros(1).expand(32000, 32000)), ('weight_hh_l0', torch.zeros(1).expand(32000, 8000)),
                          ('bias_ih_l0', torch.zeros(1).expand(32000)), ('bias_hh_l0', torch.zeros(1).expand(32000))])
    buf = io.BytesIO()
    torch.save(expand, buf)
    assert torch.load(io.BytesIO(buf.getvalue()), weights_only=True)['weight_ih_l0'].shape == (32000, 32000)
    case('expand_32000.pt', 'E_LIMIT', 'torch.zeros(1).expand(32000, 32000) as an LSTM weight (PyTorch writes it): 5 GB to materialise, refused before allocating',
         buf.getvalue(), phase='load')
    for file, first, second, record in [('storage_float_half.pt', 'FloatStorage', 'HalfStorage', struct.pack('<24f', *range(24))),
                                        ('storage_double_float.pt', 'DoubleStorage', 'FloatStorage', struct.pack('<24d', *range(24)))]:
        size = len(record)
        item = {'FloatStorage': 4, 'DoubleStorage': 8, 'HalfStorage': 2}
        pair = sd_pickle([('weight_ih_l0', tensor_op('0', size // item[first], 0, [6, 2], [2, 1], first)),
                          ('weight_hh_l0', tensor_op('0', size // item[second], 12, [6, 2], [2, 1], second))])
        data = pt(pair, [('0', record)])
        back = torch.load(io.BytesIO(data), weights_only=True)
        assert back['weight_ih_l0'].dtype == back['weight_hh_l0'].dtype, 'torch.load gives both the first storage type'
        case(file, 'E_STORAGE_BOUNDS', f'one storage named as {first} and {second}: torch.load reads both as the first type', data)
    case('bad_storage_type.pt', 'E_STORAGE_BOUNDS', 'persistent id with a quantized storage (torch.QInt8Storage, 1 byte an element): 6 bytes, but the record has 24 (torch.load refuses it too)',
         pt(sd_pickle([('w', tensor_op('0', 6, 0, [6], [1], 'QInt8Storage'))]), [('0', ok)]))
    case('bad_byteorder.pt', 'E_ZIP_ENTRY', "byteorder record 'middle'", pt(sd_pickle([('w', w)]), [('0', ok)], [('archive/byteorder', b'middle')]))
    case('missing_data_pkl.pt', 'E_ZIP_ENTRY', 'an archive with version and data/ but no data.pkl', zip_bytes([('archive/data/0', ok), ('archive/version', b'3\n')]))
    case('two_roots.pt', 'E_ZIP_ENTRY', 'two <root>/data.pkl', zip_bytes([('a/data.pkl', sd_pickle([])), ('b/data.pkl', sd_pickle([]))]))
    case('duplicate_member.pt', 'E_ZIP_ENTRY', 'archive/data.pkl twice (the second would win in Python)',
         zip_bytes([('archive/data.pkl', sd_pickle([])), ('archive/data.pkl', pkl(reduce_system)), ('archive/version', b'3\n')]))
    good = pt(sd_pickle([('w', w)]), [('0', ok)])
    case('truncated.pt', 'E_TRUNCATED', 'a valid archive cut in half', good[:len(good) // 2])
    legacy = open(os.path.join(FIXTURES, f'legacy_{TAG}.pt'), 'rb').read()
    case('legacy_truncated.pt', 'E_TRUNCATED', 'a legacy file missing its last 10 bytes', legacy[:-10])
    case('legacy_trailing.pt', 'E_TRAILING_BYTES', 'a legacy file with 3 bytes after the last storage', legacy + b'abc')
    case('legacy_bad_magic.pt', 'E_BAD_MAGIC', 'a pickle that is not the legacy magic number', pkl(P.BININT1 + b'\x07'))
    case('legacy_payload.pt', 'E_PICKLE_GLOBAL', 'a bare os.system pickle (read as the legacy format)', pkl(reduce_system), payload=pkl(reduce_system))
    write(MALFORMED, 'cases.json', (json.dumps(cases, indent=1) + '\n').encode())


def proves_payload(data):
    """Python's own pickle runs the payload (so rejecting it matters); the marker is removed after."""
    if os.path.exists(MARKER):
        os.remove(MARKER)
    code = f'import pickle,sys; pickle.loads(open(sys.argv[1],"rb").read())'
    path = os.path.join(MALFORMED, '.payload.tmp')
    write(MALFORMED, '.payload.tmp', data)
    subprocess.run([sys.executable, '-c', code, path], capture_output=True)
    os.remove(path)
    assert os.path.exists(MARKER), 'payload did not run in Python'
    os.remove(MARKER)


if __name__ == '__main__':
    if os.environ.get('PYTHONHASHSEED') != '0':  # TorchScript's saved code follows set order
        os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, 'PYTHONHASHSEED': '0'})
    valid()
    if MAJOR >= 2:
        malformed()
