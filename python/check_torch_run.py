"""Runs every golden case that `rnnport run` can express through an implementation of its contract
(default: torch_run.py under this Python) and compares with PyTorch's stored results.

    .venv-torch/bin/python python/check_torch_run.py                     # PyTorch 2.x vs the goldens
    /usr/bin/python3 python/check_torch_run.py                           # PyTorch 1.13 vs the goldens
    python3 python/check_torch_run.py --impl 'node dist/cli/bin.js run'  # any implementation
    ... [--golden DIR] [--filter TEXT] [--formats safetensors,npz,npy,pt] [--jobs N] [--keep DIR] [--json F]
    python3 python/check_torch_run.py test/fixtures/cases/               # case files instead of goldens

A case file (docs/case-format.md) is always expressible: it is passed as WEIGHTS itself, its
`__case__.*` inputs are written to .npy files, and `--dtype` and `--prefix` come from its description.

A case is expressible through `run` when its input kind is `tensor`, or `pack_padded_sequence`
with padding_value 0 and total_length null or equal to T (the input's time length); enforce_sorted
may be either (sorted lengths give the same results unsorted). pack_sequence / pad_sequence cases,
non-zero padding values and other total_length values are listed as not expressible and skipped
(`--zero-padding` runs the pack_padded_sequence ones too, against their output re-padded with 0 to T).

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


def not_expressible(meta: dict[str, Any], d: str, zero_padding: bool = False) -> str | None:
    """Why `run` cannot express this case, or None when it can. `zero_padding`: any padding value
    and total_length are expressible (see `padding_as_run_writes_it`)."""
    inp = meta['input']
    kind = inp['kind']
    if kind == 'tensor':
        return None
    if kind != 'pack_padded_sequence':
        return f'{kind} utility'
    if zero_padding:
        return None
    if inp.get('padding_value', 0.0) != 0.0:
        return f'padding_value {inp["padding_value"]}'
    T = np.load(os.path.join(d, inp['input'])).shape[1 if inp.get('batch_first') else 0]
    if inp.get('total_length') not in (None, T):
        return f'total_length {inp["total_length"]} != T {T}'
    return None


def run_args(meta: dict[str, Any], d: str, fmt: str) -> list[str]:
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
    return args


@dataclass
class Job:
    """One run of the implementation: its arguments (without --out) and what to compare."""
    case: str
    fmt: str
    args: list[str]
    expected: dict[str, np.ndarray]  # output (a cell: h'), h_n, c_n
    dtype: str
    atol: float
    rtol: float
    time_axis: int | None = None  # packed: output is compared up to the expected time length


def padding_as_run_writes_it(output: np.ndarray, lengths: np.ndarray, T: int, batch_first: bool) -> np.ndarray:
    """A packed golden output as `run` writes it: padded positions are exactly padding_value in
    PyTorch's pad_packed_sequence, so they become 0, and the time axis is cut or zero-extended to T."""
    out = np.moveaxis(output, 1, 0) if batch_first else output  # (time, B, .)
    fixed = np.zeros((T, *out.shape[1:]), out.dtype)
    for b, n in enumerate(lengths.tolist()):
        fixed[:n, b] = out[:n, b]
    return np.moveaxis(fixed, 0, 1) if batch_first else fixed


def golden_job(name: str, d: str, meta: dict[str, Any], fmt: str, zero_padding: bool = False) -> Job:
    expected = {k: np.load(os.path.join(d, f), allow_pickle=False) for k, f in meta['expected'].items()
                if k in ('output', 'h_n', 'c_n')}
    inp = meta['input']
    if zero_padding and inp['kind'] == 'pack_padded_sequence':
        T = np.load(os.path.join(d, inp['input'])).shape[1 if inp.get('batch_first') else 0]
        expected['output'] = padding_as_run_writes_it(expected['output'], np.load(os.path.join(d, inp['lengths'])), T,
                                                      bool(inp.get('batch_first')))
    if meta['module'].endswith('Cell'):
        expected['output'] = expected['h_n']  # a cell's output is h'
    packed = meta['input']['kind'] == 'pack_padded_sequence'
    return Job(name, fmt, run_args(meta, d, fmt), expected, meta['dtype'], meta['atol'], meta['rtol'],
               (1 if meta['input'].get('batch_first') else 0) if packed else None)


def case_file_job(path: str, tmp: str) -> Job:
    """A case file (docs/case-format.md) through `run`: the file itself is WEIGHTS, its inputs go to .npy."""
    case = rc.load_case(path)
    d = case.description
    name = os.path.basename(path).removesuffix('.safetensors')
    folder = os.path.join(tmp, name)
    os.makedirs(folder, exist_ok=True)
    args = [path]
    for flag, k in (('--input', 'input'), ('--h0', 'h_0'), ('--c0', 'c_0'), ('--lengths', 'lengths')):
        t = case.inputs[k]
        if t is not None:
            np.save(os.path.join(folder, k + '.npy'), t.numpy(), allow_pickle=False)
            args += [flag, os.path.join(folder, k + '.npy')]
    opts, cell = d['options'], case.kind.endswith('Cell')
    if opts.get('batch_first') and not cell:
        args.append('--batch-first')
    if 'nonlinearity' in opts:
        args += ['--nonlinearity', opts['nonlinearity']]
    args += ['--dtype', d['dtype'], '--prefix', d['prefix']]
    atol, rtol = case.tolerance
    return Job(name, 'case', args, {k: v.numpy() for k, v in case.expected.items()}, d['dtype'], atol, rtol)


def check_one(impl: str, job: Job, keep: str | None) -> Outcome:
    with tempfile.TemporaryDirectory(prefix='check_torch_run_') as tmp:
        out = os.path.join(keep, job.case, job.fmt) if keep else os.path.join(tmp, 'out')
        p = subprocess.run(['sh', '-c', f'{impl} "$@"', 'sh', *job.args, '--out', out], capture_output=True, text=True,
                           env={**os.environ, 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '1')})
        last = (p.stderr.strip().splitlines() or [''])[-1]
        if p.returncode == 3:
            return Outcome(job.case, job.fmt, 'unsupported', last)
        if p.returncode != 0:
            return Outcome(job.case, job.fmt, 'FAIL', f'exit {p.returncode}: {last}')
        comparisons = []
        for t, exp in job.expected.items():
            path = os.path.join(out, t + '.npy')
            if not os.path.exists(path):
                return Outcome(job.case, job.fmt, 'FAIL', f'no {t}.npy written')
            got = np.load(path, allow_pickle=False)
            if str(got.dtype) != job.dtype:
                return Outcome(job.case, job.fmt, 'FAIL', f'{t}.npy is {got.dtype}, expected the compute dtype {job.dtype}')
            if t == 'output' and job.time_axis is not None and got.ndim == exp.ndim:
                a = job.time_axis
                got = got.take(range(min(exp.shape[a], got.shape[a])), axis=a)  # compared up to T
            comparisons.append(rc.compare(t, got, exp, job.atol, job.rtol))
        bad = [c for c in comparisons if not c.ok]
        max_abs = max((c.max_abs for c in comparisons), default=0.0)
        if not bad:
            return Outcome(job.case, job.fmt, 'ok', '', max_abs, comparisons)
        c = bad[0]
        detail = (f'{c.name}: shape {c.got_shape} vs {c.shape}' if c.got_shape is not None else
                  f'{c.name}{list(c.worst[0])}: got {c.worst[1]!r}, expected {c.worst[2]!r} '
                  f'({c.mismatches} element(s) out of tolerance)')
        return Outcome(job.case, job.fmt, 'FAIL', detail, max_abs, comparisons)


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
    parser.add_argument('--zero-padding', action='store_true',
                        help='also run pack_padded_sequence cases with another padding value or total_length, '
                             'comparing with their output re-padded with 0 to T (not part of the contract)')
    parser.add_argument('cases', nargs='*', metavar='CASE',
                        help='case files (.safetensors, or folders of them) to run instead of the golden folder')
    args = parser.parse_args(argv)
    formats = args.formats.split(',')
    if any(f not in WEIGHT_FORMATS for f in formats):
        parser.error(f'--formats: expected some of {",".join(WEIGHT_FORMATS)}')

    jobs: list[Job] = []
    skipped: list[tuple[str, str]] = []
    tmp = tempfile.TemporaryDirectory(prefix='check_torch_run_cases_')
    if args.cases:
        files = []
        for c in args.cases:
            files += sorted(os.path.join(c, n) for n in os.listdir(c) if n.endswith('.safetensors')) \
                if os.path.isdir(c) else [c]
        jobs = [case_file_job(f, tmp.name) for f in files if args.filter in os.path.basename(f)]
    else:
        for name in sorted(os.listdir(args.golden)):
            d = os.path.join(args.golden, name)
            if args.filter not in name or not os.path.isfile(os.path.join(d, 'case.json')):
                continue
            with open(os.path.join(d, 'case.json')) as f:
                meta = json.load(f)
            why = not_expressible(meta, d, args.zero_padding)
            if why is not None:
                skipped.append((name, why))
                continue
            jobs += [golden_job(name, d, meta, fmt, args.zero_padding) for fmt in formats if fmt in meta['weights']]

    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        outcomes = list(pool.map(lambda j: check_one(args.impl, j, args.keep), jobs))
    tmp.cleanup()
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
