"""Runs every golden case that `rnnport run` can express through an implementation of its contract
(default: torch_run.py under this Python) and compares with PyTorch's stored results.

    .venv-torch/bin/python python/check_torch_run.py                     # PyTorch 2.x vs the goldens
    /usr/bin/python3 python/check_torch_run.py                           # PyTorch 1.13 vs the goldens
    python3 python/check_torch_run.py --impl 'node dist/cli/bin.js run'  # any implementation
    ... [--golden DIR] [--filter TEXT] [--formats safetensors,npz,npy,pt] [--jobs N] [--keep DIR]

A case is expressible through `run` when its input kind is `tensor`, or `pack_padded_sequence`
with padding_value 0 and total_length null or equal to T (the input's time length); enforce_sorted
may be either (sorted lengths give the same results unsorted). pack_sequence / pad_sequence cases,
non-zero padding values and other total_length values are listed as not expressible and skipped.

The implementation is invoked exactly as `rnnport conformance --impl CMD` does:
    sh -c 'CMD "$@"' sh WEIGHTS --input X.npy [--h0 F] [--c0 F] [--lengths L.npy] [--batch-first]
        [--nonlinearity tanh|relu] [--dtype float64] --prefix P [--key K] --out DIR
and must write DIR/output.npy, DIR/h_n.npy (and DIR/c_n.npy for LSTM / LSTMCell) in the compute
dtype. Exit 0: compared (output up to the expected time length; a cell's output against h');
exit 3: unsupported (its last stderr line is the reason); anything else fails the case.
Exit status of this script: 0 when no case failed, 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rnnport_capture as rc  # noqa: E402

GOLDEN = os.path.join(HERE, '..', 'golden')
WEIGHT_FORMATS = ('safetensors', 'npz', 'npy', 'pt')


@dataclass
class Outcome:
    case: str
    fmt: str
    status: str  # ok | FAIL | unsupported | not expressible
    detail: str = ''
    max_abs: float = 0.0
    comparisons: list[rc.Comparison] = field(default_factory=list)


def not_expressible(meta: dict[str, Any], d: str) -> str | None:
    """Why `run` cannot express this case, or None when it can."""
    inp = meta['input']
    kind = inp['kind']
    if kind == 'tensor':
        return None
    if kind != 'pack_padded_sequence':
        return f'{kind} utility'
    if inp.get('padding_value', 0.0) != 0.0:
        return f'padding_value {inp["padding_value"]}'
    T = np.load(os.path.join(d, inp['input'])).shape[1 if inp.get('batch_first') else 0]
    if inp.get('total_length') not in (None, T):
        return f'total_length {inp["total_length"]} != T {T}'
    return None


def run_args(meta: dict[str, Any], d: str, fmt: str, out: str) -> list[str]:
    """`run`'s arguments for a golden case (the shared conversion of the conformance kit)."""
    inp, opts = meta['input'], meta['options']
    cell = meta['module'].endswith('Cell')
    args = [os.path.join(d, meta['weights'][fmt]), '--input', os.path.join(d, inp['input'])]
    for flag, k in (('--h0', 'h_0'), ('--c0', 'c_0')):
        if inp.get(k):
            args += [flag, os.path.join(d, inp[k])]
    if inp['kind'] == 'pack_padded_sequence':
        args += ['--lengths', os.path.join(d, inp['lengths'])]
    if opts.get('batch_first') and not cell:
        args.append('--batch-first')
    if 'nonlinearity' in opts:
        args += ['--nonlinearity', opts['nonlinearity']]
    if meta['dtype'] == 'float64':
        args += ['--dtype', 'float64']
    args += ['--prefix', meta.get('prefix', '')]
    if fmt == 'pt' and meta.get('pt_key'):
        args += ['--key', meta['pt_key']]
    return args + ['--out', out]


def check_one(impl: str, name: str, d: str, meta: dict[str, Any], fmt: str, keep: str | None) -> Outcome:
    with tempfile.TemporaryDirectory(prefix='check_torch_run_') as tmp:
        out = os.path.join(keep, name, fmt) if keep else os.path.join(tmp, 'out')
        args = run_args(meta, d, fmt, out)
        p = subprocess.run(['sh', '-c', f'{impl} "$@"', 'sh', *args], capture_output=True, text=True,
                           env={**os.environ, 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '1')})
        last = (p.stderr.strip().splitlines() or [''])[-1]
        if p.returncode == 3:
            return Outcome(name, fmt, 'unsupported', last)
        if p.returncode != 0:
            return Outcome(name, fmt, 'FAIL', f'exit {p.returncode}: {last}')
        cell = meta['module'].endswith('Cell')
        expected = dict(meta['expected'])
        if cell:
            expected['output'] = expected['h_n']  # a cell's output is h'
        comparisons = []
        for t in ('output', 'h_n', 'c_n'):
            if t not in expected:
                continue
            path = os.path.join(out, t + '.npy')
            if not os.path.exists(path):
                return Outcome(name, fmt, 'FAIL', f'no {t}.npy written')
            got = np.load(path, allow_pickle=False)
            exp = np.load(os.path.join(d, expected[t]), allow_pickle=False)
            if str(got.dtype) != meta['dtype']:
                return Outcome(name, fmt, 'FAIL', f'{t}.npy is {got.dtype}, expected the compute dtype {meta["dtype"]}')
            if t == 'output' and meta['input']['kind'] == 'pack_padded_sequence':
                axis = 1 if meta['input'].get('batch_first') else 0
                got = got.take(range(min(exp.shape[axis], got.shape[axis])), axis=axis)  # compared up to T
            comparisons.append(rc.compare(t, got, exp, meta['atol'], meta['rtol']))
        bad = [c for c in comparisons if not c.ok]
        max_abs = max((c.max_abs for c in comparisons), default=0.0)
        if not bad:
            return Outcome(name, fmt, 'ok', '', max_abs, comparisons)
        c = bad[0]
        detail = (f'{c.name}: shape {c.got_shape} vs {c.shape}' if c.got_shape is not None else
                  f'{c.name}{list(c.worst[0])}: got {c.worst[1]!r}, expected {c.worst[2]!r} '
                  f'({c.mismatches} element(s) out of tolerance)')
        return Outcome(name, fmt, 'FAIL', detail, max_abs, comparisons)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='check_torch_run.py', description=__doc__.split('\n\n')[0])
    parser.add_argument('--golden', default=GOLDEN, help='golden folder (default: the repository\'s golden/)')
    parser.add_argument('--impl', default=f'{shlex.quote(sys.executable)} {shlex.quote(os.path.join(HERE, "torch_run.py"))}',
                        help='command following `rnnport run`\'s contract (default: torch_run.py with this Python)')
    parser.add_argument('--formats', default='safetensors', help='weights formats to run, comma-separated')
    parser.add_argument('--filter', default='', help='only cases whose name contains this text')
    parser.add_argument('--jobs', type=int, default=1)
    parser.add_argument('--keep', help='write each run\'s outputs under KEEP/<case>/<format>/')
    parser.add_argument('--json', help='write the outcomes to this file')
    args = parser.parse_args(argv)
    formats = args.formats.split(',')
    if any(f not in WEIGHT_FORMATS for f in formats):
        parser.error(f'--formats: expected some of {",".join(WEIGHT_FORMATS)}')

    jobs, skipped = [], []
    for name in sorted(os.listdir(args.golden)):
        d = os.path.join(args.golden, name)
        if args.filter not in name or not os.path.isfile(os.path.join(d, 'case.json')):
            continue
        with open(os.path.join(d, 'case.json')) as f:
            meta = json.load(f)
        why = not_expressible(meta, d)
        if why is not None:
            skipped.append((name, why))
            continue
        jobs += [(name, d, meta, fmt) for fmt in formats if fmt in meta['weights']]

    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        outcomes = list(pool.map(lambda j: check_one(args.impl, *j, args.keep), jobs))
    for o in outcomes:
        tail = f'max abs {o.max_abs:.1e}' if o.status == 'ok' else o.detail
        print(f'{o.status:<11}  {o.case:<34} {o.fmt:<11} {tail}')
    for name, why in skipped:
        print(f'{"skipped":<11}  {name:<34} {"":<11} not expressible: {why}')
    counts = {s: sum(o.status == s for o in outcomes) for s in ('ok', 'FAIL', 'unsupported')}
    worst = max((o.max_abs for o in outcomes if o.status == 'ok'), default=0.0)
    print(f'impl: {args.impl}')
    print(f'{len(outcomes)} run(s) of {len({o.case for o in outcomes})} expressible case(s): {counts["ok"]} ok, '
          f'{counts["FAIL"]} failed, {counts["unsupported"]} unsupported; {len(skipped)} case(s) not expressible; '
          f'max abs error of passing runs {worst:.1e}')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'schema': 1, 'impl': args.impl, 'counts': counts, 'not_expressible': dict(skipped),
                       'runs': [{'case': o.case, 'format': o.fmt, 'status': o.status, 'detail': o.detail,
                                 'tensors': [c.to_json() for c in o.comparisons]} for o in outcomes]}, f, indent=2)
    return 1 if counts['FAIL'] else 0


if __name__ == '__main__':
    sys.exit(main())
