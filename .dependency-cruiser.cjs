// The layering of src/, checked on the built JavaScript in dist/ (`npm run check:layers`, run by
// `npm test`): imports flow one way, from the entry points down to the foundation. Each rule
// names the folder, what it must not import, and why. docs/internals.md draws the same arrows.
//
//   cli ─▶ node.ts ─▶ index.ts / safetensors.ts ─▶ conformance, explain ─▶ modules ─▶ fast ─▶ engine
//                                                    io, state-dict, compare ───────────────────────┤
//                                                                                                   ▼
//                                           foundation: errors, dtype, tensor, config, random
const FOUNDATION = '^dist/(errors|dtype|tensor|config|random)\\.js$';
const CORE = '^dist/(?!cli/|node(-files)?\\.js$|testing(/|\\.js$))';

/** A rule: files matching `from` must not import files matching `to`. */
const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from: { path: from }, to: { path: to } });

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No file imports itself through others: the load path and every other path run one way.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    forbid('foundation-is-a-leaf', 'errors, dtype, tensor, config and random import only each other.', FOUNDATION, '^dist/(?!(errors|dtype|tensor|config|random)\\.js$)'),
    {
      name: 'core-is-browser-safe',
      comment: 'Only the CLI and rnnport/node touch Node built-ins.',
      severity: 'error',
      from: { path: CORE },
      to: { dependencyTypes: ['core'] },
    },
    forbid('core-never-imports-node-entry', 'The core reaches files only through ByteSource: src/node.ts, rnnport/testing and the CLI sit above it.', CORE, '^dist/(cli/|node(-files)?\\.js$|testing(/|\\.js$))'),
    forbid('engine-is-the-oracle', 'The reference engine depends on nothing faster and reads no files.', '^dist/engine/', '^dist/(?!engine/|(errors|dtype|tensor|config|random)\\.js$)'),
    forbid('fast-engine-below-modules', 'The WebAssembly engine implements the engine contract; it may use the reference engine, nothing above.', '^dist/fast/', '^dist/(?!fast/|engine/|(errors|dtype|tensor|config|random)\\.js$)'),
    forbid('io-knows-no-modules', 'Loaders turn bytes into tensors; they know nothing of recurrent modules or engines.', '^dist/io/', '^dist/(engine|fast|modules|state-dict|explain|conformance)/'),
    forbid('state-dict-reads-no-files', 'Module discovery works on names and shapes, whatever loaded them.', '^dist/state-dict/', '^dist/(io|engine|fast|modules|explain|conformance)/'),
    forbid('modules-read-no-files', 'Modules take tensors; loading is io/.', '^dist/modules/', '^dist/(io|explain|conformance)/'),
    forbid('explain-reads-no-files', 'explain works on a configuration; the CLI reads weights for it.', '^dist/explain/', '^dist/(io|conformance)/'),
    {
      name: 'explain-bundles-no-kernels',
      comment: 'explain runs the reference engine only: a page importing explain must not pull in the WebAssembly engine.',
      severity: 'error',
      from: { path: '^dist/explain/' },
      to: { path: '^dist/fast/', reachable: true },
    },
    {
      name: 'safetensors-entry-stays-small',
      comment: 'rnnport/safetensors is the safetensors reader and writer alone: no pickle, zip or engine code.',
      severity: 'error',
      from: { path: '^dist/safetensors\\.js$' },
      to: { path: '^dist/(io/(pickle/|zip|torch|npz|npy)|engine/|fast/|modules/)', reachable: true },
    },
    forbid('onnx-exports-modules', 'rnnport/onnx reads modules (and builds them from a state_dict); it reads no files and no other entry point imports it.', '^dist/onnx/', '^dist/(io|explain|conformance|cli|testing)/'),
    forbid('no-core-imports-onnx', 'The ONNX exporter stays out of every other bundle: only its entry point and the CLI import it.', '^dist/(?!onnx(/|\\.js$)|cli/)', '^dist/onnx(/|\\.js$)'),
    forbid('conformance-below-explain', 'The case runners use loaders and modules; explain is a separate consumer of modules.', '^dist/conformance/', '^dist/explain/'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$|\\.map$|^dist/fast/generated/' },
    moduleSystems: ['es6'],
  },
};
