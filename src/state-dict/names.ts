/**
 * The one parser of PyTorch's recurrent parameter names. nn.RNN / nn.GRU / nn.LSTM name their
 * parameters from one template (torch/nn/modules/rnn.py, RNNBase.__init__):
 *   weight_ih_l{k}{suffix}, weight_hh_l{k}{suffix}, bias_ih_l{k}{suffix}, bias_hh_l{k}{suffix},
 *   weight_hr_l{k}{suffix} (LSTM with proj_size only), suffix '' or '_reverse';
 * the cells (RNNCellBase) use weight_ih, weight_hh, bias_ih, bias_hh.
 * https://github.com/pytorch/pytorch/blob/cf30153c4c131c8164ee7798e5022d810682e2cb/torch/nn/modules/rnn.py#L204-L208
 * In a checkpoint they sit under the module's path: `encoder.rnn.weight_ih_l0`.
 */

/** The parameter kinds, PyTorch's spelling. */
export type ParamKind = 'weight_ih' | 'weight_hh' | 'bias_ih' | 'bias_hh' | 'weight_hr';

/** A parsed parameter key. `layer` is null for a cell's parameter. */
export interface ParamName {
  /** The module path with its trailing dot (`encoder.rnn.`), or '' at the root. */
  readonly prefix: string;
  readonly kind: ParamKind;
  readonly layer: number | null;
  readonly reverse: boolean;
}

// `[\s\S]`, not `.`: a key may hold any character, a newline included, and is still a parameter.
const PARAM = /^((?:[\s\S]*\.)?)(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)(?:_l(0|[1-9][0-9]*)(_reverse)?)?$/;

/** Parses `prefix` + a recurrent parameter name; null for any other key. */
export function parseParamName(key: string): ParamName | null {
  const m = PARAM.exec(key);
  if (m === null) return null;
  const kind = m[2] as ParamKind;
  const layer = m[3] === undefined ? null : Number(m[3]);
  // Cells have no projection: a bare `weight_hr` is not a recurrent parameter.
  if (layer === null && kind === 'weight_hr') return null;
  return { prefix: m[1] ?? '', kind, layer, reverse: m[4] !== undefined };
}

/** The name of a parameter: `weight_ih_l1_reverse`, or `weight_ih` for a cell (layer null). */
export function paramName(kind: ParamKind, layer: number | null, reverse = false): string {
  return layer === null ? kind : `${kind}_l${layer}${reverse ? '_reverse' : ''}`;
}

/** Normalizes a user's module prefix: `encoder.rnn` ≡ `encoder.rnn.`; '' is the root. */
export function normalizePrefix(prefix: string): string {
  return prefix === '' || prefix.endsWith('.') ? prefix : `${prefix}.`;
}

/** How a prefix is shown to users: without its trailing dot, `(root)` for ''. */
export function displayPrefix(prefix: string): string {
  return prefix === '' ? '(root)' : prefix.slice(0, -1);
}
