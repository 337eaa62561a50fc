// Run a PyTorch nn.LSTM in Node and check it against PyTorch's own output.
//
//   node examples/node/lstm.mjs [weights] [input.npy] [expected_output.npy]
//
// Defaults: a golden case of this repository, made in PyTorch by
//   lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)
//   save_file(lstm.state_dict(), "weights.safetensors"); np.save("input.npy", x)
//   np.save("output.npy", lstm(torch.from_numpy(x))[0].detach().numpy())
import { fromStateDict } from 'rnnport';
import { openStateDict, readNpyFile } from 'rnnport/node';

const golden = (file) => new URL(`../../golden/lstm_l2_bidir/${file}`, import.meta.url).pathname;
const [weightsPath = golden('weights.safetensors'), inputPath = golden('input.npy'), expectedPath = golden('output.npy')] = process.argv.slice(2);

// 1. Open the weights (safetensors, npz, .pt or a folder of .npy: sniffed from the bytes) and
//    build the module: its kind and sizes are read from the tensor shapes.
const stateDict = openStateDict(weightsPath).load();
const lstm = fromStateDict(stateDict, { batchFirst: true });
console.log(`module: ${lstm.constructor.name}(${lstm.inputSize}, ${lstm.hiddenSize}, num_layers=${lstm.numLayers}, bidirectional=${lstm.bidirectional ? 'True' : 'False'})`);

// 2. Forward, exactly as PyTorch: output, (h_n, c_n) = lstm(x)
const x = readNpyFile(inputPath);
const { output, hN, cN } = lstm.forward(x);
console.log(`input ${JSON.stringify(x.shape)} → output ${JSON.stringify(output.shape)}, h_n ${JSON.stringify(hN.shape)}, c_n ${JSON.stringify(cN.shape)}`);

// 3. Compare with what PyTorch computed.
const expected = readNpyFile(expectedPath).toFloat32();
let maxAbs = 0;
output.toFloat32().forEach((v, i) => (maxAbs = Math.max(maxAbs, Math.abs(v - expected[i]))));
console.log(`max |rnnport - PyTorch| = ${maxAbs.toExponential(2)}`);

// 4. The last step's forward half is the last layer's forward h_n: output[:, -1, :H] == h_n[-2].
const [B, T, twoH] = output.shape;
const H = twoH / 2;
const last = (b) => output.toFloat32().subarray((b * T + T - 1) * twoH, (b * T + T - 1) * twoH + H);
const hNForward = (b) => hN.toFloat32().subarray((2 * B + b) * H, (2 * B + b + 1) * H);
const same = Array.from({ length: B }, (_, b) => last(b).every((v, j) => v === hNForward(b)[j])).every(Boolean);
console.log(`output[:, -1, :H] == h_n[-2]: ${same}`);
lstm.dispose();
process.exitCode = maxAbs <= 1e-5 && same ? 0 : 1;
