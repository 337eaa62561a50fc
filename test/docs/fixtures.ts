// The files the runnable blocks of README.md and docs/ open, as a user's working folder would
// hold them: an LSTM saved by PyTorch under `encoder.rnn` (golden/lstm_prefixed: a 2-layer
// nn.LSTM(3, 4) inside a checkpoint {model, optimizer, epoch}) and arrays for it.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const CASE = join(ROOT, 'golden', 'lstm_prefixed');

/** file name in the snippet's folder → where it comes from */
export const SNIPPET_FIXTURES: Readonly<Record<string, string>> = {
  'model.safetensors': join(CASE, 'weights.safetensors'),
  'model.pt': join(CASE, 'weights.pt'),
  'x.npy': join(CASE, 'input.npy'),
  'h0.npy': join(CASE, 'h_0.npy'),
  'c0.npy': join(CASE, 'c_0.npy'),
  'output.npy': join(CASE, 'output.npy'),
  'h_n.npy': join(CASE, 'h_n.npy'),
  'c_n.npy': join(CASE, 'c_n.npy'),
};

export function prepareSnippetFixtures(dir: string): void {
  for (const [name, from] of Object.entries(SNIPPET_FIXTURES)) copyFileSync(from, join(dir, name));
}
