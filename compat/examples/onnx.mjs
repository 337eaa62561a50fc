// docs/onnx.md's example: export a GRU's weights to ONNX, run the file in onnxruntime-node, and run
// the same module through ONNX Runtime with rnnport's own inputs and outputs (a packed batch).
// Run from compat/ after `npm run build` in the repository root: node examples/onnx.mjs
// (In your project: import from 'rnnport', 'rnnport/onnx' and 'rnnport/node' instead of ../../dist.)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { fromStateDict, packPaddedSequence, tensor } from '../../dist/index.js';
import { openStateDict } from '../../dist/node.js';
import { onnxModule, toOnnx } from '../../dist/onnx.js';

// Weights as PyTorch saved them: nn.GRU(3, 4, num_layers=2, bidirectional=True).
const sd = openStateDict(join(import.meta.dirname, '../../golden/gru_l2_bidir/weights.safetensors')).load();

// 1. An .onnx file whose graph takes PyTorch's inputs and returns PyTorch's outputs.
const bytes = toOnnx(sd, { state: true, packed: true });
writeFileSync('gru.onnx', bytes);
const session = await ort.InferenceSession.create('gru.onnx');
const [T, B, I] = [5, 3, 3];
const x = Float32Array.from({ length: T * B * I }, (_, i) => Math.sin(i));
const { output, h_n } = await session.run({
  input: new ort.Tensor('float32', x, [T, B, I]),
  h0: new ort.Tensor('float32', new Float32Array(4 * B * 4), [4, B, 4]),
  lengths: new ort.Tensor('int64', BigInt64Array.from([2n, 5n, 3n]), [B]), // any order
});
console.log(`gru.onnx: output (${output.dims}), h_n (${h_n.dims})`);

// 2. The module through ONNX Runtime, with rnnport's tensors and packed sequences.
const gru = fromStateDict(sd);
const ortGru = await onnxModule(gru, ort, { intraOpNumThreads: 1 });
const packed = packPaddedSequence(tensor(x, [T, B, I]), [2, 5, 3], { enforceSorted: false });
const viaOrt = await ortGru.forward(packed);
const own = gru.forward(packed);
const diff = Math.max(...viaOrt.hN.data.map((v, i) => Math.abs(v - own.hN.data[i])));
console.log(`onnxModule vs the WebAssembly engine: max |Δ h_n| = ${diff.toExponential(1)}`);
await ortGru.dispose();
gru.dispose();
