// A whole PyTorch text classifier in Node, from one safetensors file, checked against PyTorch:
//   Embedding → packed 2-layer bidirectional LSTM → LayerNorm → (Dropout) → Linear
//
//   node examples/node/classifier.mjs [weights.safetensors] [tokens.npy] [lengths.npy] [expected_logits.npy]
//
// Defaults: the fixture scripts/make_classifier.py wrote with PyTorch 2.13 from
//   class Classifier(nn.Module):
//       def __init__(self):
//           self.embedding = nn.Embedding(40, 8, padding_idx=0)
//           self.rnn = nn.LSTM(8, 12, num_layers=2, bidirectional=True, batch_first=True)
//           self.norm = nn.LayerNorm(24); self.dropout = nn.Dropout(0.2); self.head = nn.Linear(24, 5)
//       def forward(self, tokens, lengths):
//           packed = pack_padded_sequence(self.embedding(tokens), lengths, batch_first=True, enforce_sorted=False)
//           _, (h_n, _) = self.rnn(packed)
//           return self.head(self.dropout(self.norm(torch.cat([h_n[-2], h_n[-1]], dim=1))))
//   save_file(model.state_dict(), "classifier.safetensors")
import { fileURLToPath } from 'node:url';
import { Embedding, LSTM, LayerNorm, Linear, packPaddedSequence, tensor } from 'rnnport';
import { openStateDict, readNpyFile } from 'rnnport/node';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const [weightsPath = here('classifier.safetensors'), tokensPath = here('classifier_tokens.npy'), lengthsPath = here('classifier_lengths.npy'), expectedPath = here('classifier_logits.npy')] =
  process.argv.slice(2);

// 1. One state_dict, each layer built from its prefix (the sizes come from the shapes).
const sd = openStateDict(weightsPath).load();
const embedding = Embedding.fromStateDict(sd, { prefix: 'embedding', paddingIdx: 0 });
const rnn = LSTM.fromStateDict(sd, { prefix: 'rnn', batchFirst: true });
const norm = LayerNorm.fromStateDict(sd, { prefix: 'norm' }); // eps is not in the state_dict: 1e-5, PyTorch's default
const head = Linear.fromStateDict(sd, { prefix: 'head' });
console.log(
  `model: Embedding(${embedding.numEmbeddings}, ${embedding.embeddingDim}) → LSTM(${rnn.inputSize}, ${rnn.hiddenSize}, num_layers=${rnn.numLayers}, bidirectional=True) ` +
    `→ LayerNorm(${norm.normalizedShape}) → Linear(${head.inFeatures}, ${head.outFeatures})`,
);

// 2. Token ids and lengths as PyTorch saved them: int64 .npy files load as BigInt64Array tensors,
//    which Embedding and packPaddedSequence take as they are.
const tokens = readNpyFile(tokensPath); // (B, T), 0 = padding
const lengths = readNpyFile(lengthsPath); // (B,)

// 3. The forward pass, line for line as in PyTorch.
const x = embedding.forward(tokens); // (B, T, 8)
const packed = packPaddedSequence(x, lengths, { batchFirst: true, enforceSorted: false });
const { hN } = rnn.forward(packed); // (num_layers·2, B, 12), in the batch's original order
const [LD, B, H] = hN.shape;
const last = new Float32Array(B * 2 * H); // torch.cat([h_n[-2], h_n[-1]], dim=1)
for (let b = 0; b < B; b++) {
  last.set(hN.data.subarray(((LD - 2) * B + b) * H, ((LD - 2) * B + b + 1) * H), b * 2 * H);
  last.set(hN.data.subarray(((LD - 1) * B + b) * H, ((LD - 1) * B + b + 1) * H), b * 2 * H + H);
}
// nn.Dropout does nothing in eval mode: there is no layer to port.
const logits = head.forward(norm.forward(tensor(last, [B, 2 * H]))); // (B, 5)
console.log(`tokens ${JSON.stringify(tokens.shape)}, lengths [${Array.from(lengths.data)}] → logits ${JSON.stringify(logits.shape)}`);

// 4. Compare with PyTorch's logits, and print each sequence's class.
const expected = readNpyFile(expectedPath).toFloat32();
let maxAbs = 0;
logits.data.forEach((v, i) => (maxAbs = Math.max(maxAbs, Math.abs(v - expected[i]))));
const argmax = (row) => row.indexOf(Math.max(...row));
const classes = Array.from({ length: B }, (_, b) => argmax(Array.from(logits.data.subarray(b * 5, b * 5 + 5))));
const expectedClasses = Array.from({ length: B }, (_, b) => argmax(Array.from(expected.subarray(b * 5, b * 5 + 5))));
console.log(`classes: ${classes.join(' ')} (PyTorch: ${expectedClasses.join(' ')})`);
console.log(`max |rnnport - PyTorch| = ${maxAbs.toExponential(2)}`);
for (const layer of [embedding, rnn, norm, head]) layer.dispose();
process.exitCode = maxAbs <= 1e-5 && classes.join() === expectedClasses.join() ? 0 : 1;
