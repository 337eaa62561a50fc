"""PyTorch's own ONNX export (torch.onnx.export) of the module each job describes, for the compat table.

    python compat/python/torch_onnx_export.py JOBS_DIR [--opset 17]

JOBS_DIR holds one sub-folder per case (the folder's name is the case's name) with
  weights.safetensors   a state_dict under PyTorch's names, possibly under a module prefix, weights
                        possibly float16 / bfloat16 (converted to the compute dtype as load_state_dict does)
  input.npy             the input; optional h_0.npy, c_0.npy, lengths.npy (int64: a packed batch,
                        pack_padded_sequence(enforce_sorted=False) -> module -> pad_packed_sequence(total_length=T))
  job.json              {"prefix": str, "batch_first": bool, "nonlinearity": "tanh"|"relu"|null,
                         "dtype": "float32"|"float64"}: the settings of python/torch_run.py.

The module is found, built, loaded and cast by python/torch_run.py's `prepare` (the same code
`rnnport run`'s PyTorch implementation uses). It is wrapped in a plain nn.Module whose forward takes
the graph inputs `input`, then `h0` (if h_0.npy), `c0` (if c_0.npy), `lengths` (if lengths.npy,
int64) and returns `output`, `h_n` and, for LSTM / LSTMCell, `c_n`: what torch_run returns (a cell
computes one step, output = h_n = h'; a packed batch is packed and padded back to T with zeros inside
forward). The wrapper is checked to give exactly rnnport_capture.run_module's tensors in eager mode.
Nothing works around an exporter limitation: a failure or warning is the data the table wants.

Export: torch.onnx.export(wrapper, args, path, dynamo=False, opset_version=OPSET, input_names,
output_names, dynamic_axes=None), the legacy TorchScript exporter (fixed shapes, traced with the
job's own inputs). dynamo=True (the default since PyTorch 2.9) does not work here: it needs
onnxscript, which is absent (torch 2.13 raises ModuleNotFoundError: No module named 'onnxscript').
Every warning raised during the export (Python warnings, category included) and every line the
exporter prints (C++ warnings such as shape_type_inference's, written straight to stderr; marked
`printed:`, timestamps removed) are recorded. The written model must pass onnx.checker.check_model;
a failure of the stricter full_check (strict shape inference) is recorded as a warning.

Each job runs in its own Python process: C++ warn-once messages are then reported for every job that
triggers them, and a crash of the exporter fails that job only (an RNN / GRU / LSTM with batch 0 dies
of SIGFPE in torch 2.13 and 1.13: the reason names the signal and faulthandler's innermost frames; a job
gets 600 s). A SymbolicValueError's appended TorchScript graph ("[Caused by the value ...") is left out
of the reason. Writes into each job folder
  model.onnx    on success only (a stale one is removed first)
  export.json   {"ok", "reason" (one line, <= 400 chars, null when ok), "warnings" (distinct, one line,
                 <= 300 chars each), "inputs", "outputs" (graph names), "torch", "opset"}
and prints `name: ok` / `name: failed: reason` per job and a final count. Exit status 0 (whatever
the jobs' outcomes), 2 on a usage error. Needs torch, numpy and onnx (for the checker; without it
every job fails with that reason). Under PyTorch 1.x (no `dynamo` argument) the argument is omitted.
"""
from __future__ import annotations

import argparse
import faulthandler
import inspect
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import warnings
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.normpath(os.path.join(HERE, '..', '..', 'python'))  # torch_run.py, rnnport_capture.py
DEFAULT_OPSET = 17
REASON_MAX, WARNING_MAX = 400, 300
JOB_TIMEOUT_S = 600  # one job's export process (a few seconds normally)
# A C++ warning line: `[W1202 10:54:26.128303781 shape_type_inference.cpp:1994] Warning: ...`.
CPP_PREFIX = re.compile(r'^\[[WEI]\d{4} [0-9:.]+ [^\]]*\]\s*')


def one_line(text: str, limit: int) -> str:
    text = ' '.join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + '...'


def reason_of(e: BaseException) -> str:
    code = getattr(e, 'code', None)  # torch_run.Rejected carries rnnport's error code
    msg = f'{code}: {e}' if isinstance(code, str) else str(e)
    # The exporter's SymbolicValueError appends the TorchScript graph around the value ("[Caused by
    # the value '...' defined in (graph...)]"): the message before it says what failed.
    msg = msg.split(' [Caused by the value ')[0]
    return one_line(f'{type(e).__name__}: {msg}' if msg.strip() else type(e).__name__, REASON_MAX)


def input_names_of(job_dir: str) -> list[str]:
    return ['input'] + [name for name, f in (('h0', 'h_0.npy'), ('c0', 'c_0.npy'), ('lengths', 'lengths.npy'))
                        if os.path.exists(os.path.join(job_dir, f))]


class _FdCapture:
    """Everything written to file descriptors 1 and 2 (C++ included) while active."""

    def __enter__(self) -> '_FdCapture':
        sys.stdout.flush()
        sys.stderr.flush()
        self.file = tempfile.TemporaryFile(mode='w+b')
        self.saved = [os.dup(1), os.dup(2)]
        os.dup2(self.file.fileno(), 1)
        os.dup2(self.file.fileno(), 2)
        return self

    def __exit__(self, *exc: Any) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, saved in zip((1, 2), self.saved):
            os.dup2(saved, fd)
            os.close(saved)
        self.file.seek(0)
        self.text = self.file.read().decode('utf-8', 'replace')
        self.file.close()


def _printed_messages(text: str) -> list[str]:
    """Printed output as messages: a line starts one, an indented line continues it (a graph dump)."""
    messages: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line[:1].isspace() or not messages:
            messages.append(CPP_PREFIX.sub('', line))
        else:
            messages[-1] += ' ' + line
    return [one_line('printed: ' + m, WARNING_MAX) for m in messages]


def export_job(job_dir: str, opset: int) -> dict[str, Any]:
    """Exports one job; writes model.onnx (on success) and export.json into job_dir and returns the latter."""
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    result: dict[str, Any] = {'ok': False, 'reason': None, 'warnings': [], 'inputs': input_names_of(job_dir),
                              'outputs': [], 'torch': torch.__version__, 'opset': opset}
    model_path = os.path.join(job_dir, 'model.onnx')
    partial = os.path.join(job_dir, 'model.onnx.partial')
    for stale in (model_path, partial):
        if os.path.exists(stale):
            os.remove(stale)
    seen: list[str] = []

    def note(message: str) -> None:
        if message not in seen:
            seen.append(message)

    try:
        sys.path.insert(0, PYTHON_DIR)
        import rnnport_capture as rc
        import torch_run as tr

        with open(os.path.join(job_dir, 'job.json'), encoding='utf-8') as f:
            job = json.load(f)

        def path(name: str) -> str | None:
            p = os.path.join(job_dir, name)
            return p if os.path.exists(p) else None

        args = argparse.Namespace(weights=os.path.join(job_dir, 'weights.safetensors'),
                                  input=os.path.join(job_dir, 'input.npy'), h0=path('h_0.npy'), c0=path('c_0.npy'),
                                  lengths=path('lengths.npy'), batch_first=bool(job.get('batch_first', False)),
                                  nonlinearity=job.get('nonlinearity'), dtype=job.get('dtype'),
                                  prefix=job.get('prefix', ''), key=None)
        prepared = tr.prepare(args)
        kind, lstm = prepared.kind, prepared.kind.startswith('LSTM')
        names = result['inputs']
        result['outputs'] = ['output', 'h_n'] + (['c_n'] if lstm else [])
        graph_args = tuple(t for t in (prepared.input, prepared.h_0, prepared.c_0, prepared.lengths) if t is not None)

        class Wrapper(nn.Module):
            """forward(input[, h0][, c0][, lengths]) -> (output, h_n[, c_n]), as torch_run computes them."""

            def __init__(self) -> None:
                super().__init__()
                self.rnn = prepared.module

            def forward(self, *inputs: torch.Tensor) -> tuple[torch.Tensor, ...]:
                a = dict(zip(names, inputs))
                x, h0, c0, lengths = a['input'], a.get('h0'), a.get('c0'), a.get('lengths')
                hx = None if h0 is None else ((h0, c0) if lstm else h0)
                if kind.endswith('Cell'):
                    r = self.rnn(x, hx)
                    h, c = r if lstm else (r, None)
                    return (h, h, c) if lstm else (h, h)
                if lengths is None:
                    y, hn = self.rnn(x, hx)
                else:
                    bf = bool(self.rnn.batch_first)
                    T = x.shape[1 if bf else 0]
                    packed = pack_padded_sequence(x, lengths, batch_first=bf, enforce_sorted=False)
                    y, hn = self.rnn(packed, hx)
                    y, _ = pad_packed_sequence(y, batch_first=bf, total_length=T)
                return (y, hn[0], hn[1]) if lstm else (y, hn)

        wrapper = Wrapper().eval()
        options: dict[str, Any] = dict(opset_version=opset, input_names=names, output_names=result['outputs'],
                                       dynamic_axes=None)
        if 'dynamo' in inspect.signature(torch.onnx.export).parameters:
            options['dynamo'] = False  # the legacy TorchScript exporter (dynamo=True needs onnxscript)
        error: BaseException | None = None
        with warnings.catch_warnings(record=True) as caught, _FdCapture() as printed:
            warnings.simplefilter('always')
            try:
                torch.onnx.export(wrapper, graph_args, partial, **options)
            except Exception as e:  # the exporter's failure is the job's result
                error = e
        for w in caught:
            note(one_line(f'{w.category.__name__}: {w.message}', WARNING_MAX))
        for m in _printed_messages(printed.text):
            note(m)
        if error is not None:
            raise error

        # The wrapper must compute what torch_run computes (checked after the export, so that the
        # export sees PyTorch's warn-once messages first).
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter('ignore')
            got = dict(zip(result['outputs'], wrapper(*graph_args)))
        want = rc.run_module(prepared.module, kind, prepared.input, prepared.h_0, prepared.c_0, prepared.lengths)
        for k, v in want.items():
            g = got[k]
            if g.shape != v.shape or g.dtype != v.dtype or not bool(((g == v) | (g.isnan() & v.isnan())).all()):
                raise AssertionError(f'the wrapper\'s {k} differs from torch_run\'s (shape {tuple(g.shape)} vs '
                                     f'{tuple(v.shape)}): a bug in this script')

        import onnx  # the checker; absent under Debian's PyTorch 1.13
        model = onnx.load(partial)
        onnx.checker.check_model(model)
        try:
            onnx.checker.check_model(model, full_check=True)
        except Exception as e:
            note(one_line(f'onnx.checker full_check: {reason_of(e)}', WARNING_MAX))
        os.replace(partial, model_path)
        result['ok'] = True
    except Exception as e:
        result['reason'] = reason_of(e)
        if os.path.exists(partial):
            os.remove(partial)
    result['warnings'] = seen
    write_result(job_dir, result)
    return result


def write_result(job_dir: str, result: dict[str, Any]) -> None:
    with open(os.path.join(job_dir, 'export.json'), 'w', encoding='utf-8') as f:
        json.dump(result, f, indent=2)
        f.write('\n')


def run_in_child(job_dir: str, opset: int) -> dict[str, Any]:
    """export_job in a fresh Python process; a crash becomes the job's failure."""
    export_json = os.path.join(job_dir, 'export.json')
    if os.path.exists(export_json):
        os.remove(export_json)
    try:
        p = subprocess.run([sys.executable, os.path.abspath(__file__), '--job', job_dir, '--opset', str(opset)],
                           capture_output=True, text=True, timeout=JOB_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        p = None
    if os.path.exists(export_json):
        with open(export_json, encoding='utf-8') as f:
            return json.load(f)
    lines = [] if p is None else p.stderr.strip().splitlines()
    fatal = [i for i, line in enumerate(lines) if line.startswith('Fatal Python error:')]
    if fatal:  # faulthandler's report: the error, the innermost frame and the innermost symbolic function
        frames = [m.groups() for m in (re.match(r'\s*File "([^"]*)", line (\d+) in (\S+)', line)
                                       for line in lines[fatal[0]:]) if m]
        where = [f'{os.path.basename(f)}:{n} {fn}' for f, n, fn in frames[:1]]
        where += [f'{os.path.basename(f)}:{n} {fn}' for f, n, fn in frames[1:] if 'symbolic_' in f][:1]
        last = lines[fatal[0]] + (f' in {" from ".join(where)}' if where else '')
    else:
        last = (lines or [''])[-1]
    if p is None:
        status = f'was killed after {JOB_TIMEOUT_S} s without a result'
    elif p.returncode < 0:
        try:
            status = f'died of signal {-p.returncode} ({signal.Signals(-p.returncode).name})'
        except ValueError:
            status = f'died of signal {-p.returncode}'
    else:
        status = f'exited with status {p.returncode} without a result'
    try:
        import torch
        version = torch.__version__
    except ImportError:
        version = None
    result = {'ok': False, 'reason': one_line(f'ChildProcessError: the export process {status}'
                                               f'{": " + last if last else ""}', REASON_MAX),
              'warnings': [], 'inputs': input_names_of(job_dir), 'outputs': [], 'torch': version, 'opset': opset}
    for stale in ('model.onnx', 'model.onnx.partial'):
        if os.path.exists(os.path.join(job_dir, stale)):
            os.remove(os.path.join(job_dir, stale))
    write_result(job_dir, result)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='torch_onnx_export.py',
                                     description="torch.onnx.export of each job's module, for the compat table.")
    parser.add_argument('jobs_dir', nargs='?', metavar='JOBS_DIR', help='one sub-folder per case')
    parser.add_argument('--opset', type=int, default=DEFAULT_OPSET, help=f'ONNX opset (default {DEFAULT_OPSET})')
    parser.add_argument('--job', metavar='DIR', help=argparse.SUPPRESS)  # internal: one job, in this process
    args = parser.parse_args(argv)
    if args.job is not None:
        # A crash (the exporter has died of SIGFPE on an empty batch) reports its Python stack on the
        # real stderr, which _FdCapture redirects during the export: a duplicate of it stays put.
        faulthandler.enable(file=os.dup(2))
        export_job(args.job, args.opset)
        return 0
    if args.jobs_dir is None:
        parser.error('JOBS_DIR is required')
    if not os.path.isdir(args.jobs_dir):
        parser.error(f'{args.jobs_dir}: not a folder')
    if args.opset < 7:
        parser.error('--opset must be 7 or more')
    names = sorted(n for n in os.listdir(args.jobs_dir)
                   if not n.startswith('.') and os.path.isdir(os.path.join(args.jobs_dir, n)))
    ok = 0
    for name in names:
        result = run_in_child(os.path.join(args.jobs_dir, name), args.opset)
        ok += bool(result['ok'])
        print(f'{name}: ok' if result['ok'] else f'{name}: failed: {result["reason"]}', flush=True)
    print(f'{ok}/{len(names)} job(s) exported (torch.onnx.export, opset {args.opset})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
