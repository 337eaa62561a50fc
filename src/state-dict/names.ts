/**
 * The one parser of PyTorch's recurrent parameter names (the template is in src/config.ts:
 * `weight_ih_l{k}{_reverse}` for nn.RNN / GRU / LSTM, `weight_ih` for the cells). In a checkpoint
 * they sit under the module's path: `encoder.rnn.weight_ih_l0`.
 */
import { PARAM_KINDS, type ParamKind } from '../config.js';

/** A parsed parameter key. `layer` is null for a cell's parameter. */
export interface ParamName {
  /** The module path with its trailing dot (`encoder.rnn.`), or '' at the root. */
  readonly prefix: string;
  readonly kind: ParamKind;
  readonly layer: number | null;
  readonly reverse: boolean;
}

// `[\s\S]`, not `.`: a key may hold any character, a newline included, and is still a parameter.
const PARAM = new RegExp(`^((?:[\\s\\S]*\\.)?)(${PARAM_KINDS.join('|')})(?:_l(0|[1-9][0-9]*)(_reverse)?)?$`);

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

/** Normalizes a user's module prefix: `encoder.rnn` ≡ `encoder.rnn.`; '' is the root. */
export function normalizePrefix(prefix: string): string {
  return prefix === '' || prefix.endsWith('.') ? prefix : `${prefix}.`;
}

/** How a prefix is shown to users: without its trailing dot, `(root)` for ''. */
export function displayPrefix(prefix: string): string {
  return prefix === '' ? '(root)' : prefix.slice(0, -1);
}
