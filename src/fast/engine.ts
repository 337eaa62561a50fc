/**
 * The fast engine: an `Engine` over the WebAssembly SIMD kernels (recurrent stacks and nn.Linear),
 * float32 and float64 (f64x2 lanes: about half the float32 rate, still far above plain JS).
 */
import type { SimdOption, StackConfig } from '../config.js';
import type { Engine, LinearWeights, PreparedLinear, PreparedStack, StackWeights } from '../engine/types.js';
import { FastLinear } from './linear.js';
import { FastStack } from './stack.js';
import { kernelModule, resolveSimd, simdSupported } from './wasm.js';

export { initFastEngine } from './wasm.js';

/** Options of the fast engine. */
export interface FastEngineOptions {
  /**
   * Kernel build: `relaxed` (fused multiply-add), `plain`, or `auto` (relaxed where
   * `WebAssembly.validate` accepts it).
   * @defaultValue 'auto'
   */
  readonly simd?: SimdOption;
}

/**
 * True when the fast engine can run here now: the runtime has WebAssembly SIMD128 (relaxed SIMD
 * for `relaxed`) and the kernels are compiled or compile synchronously (see initFastEngine).
 */
export function fastEngineAvailable(simd: SimdOption = 'auto'): boolean {
  return simdSupported(simd === 'relaxed' ? 'relaxed' : 'plain') && kernelModule(resolveSimd(simd)) !== null;
}

/** A fast engine using the given kernel build; E_BAD_OPTION when the runtime cannot run it. */
export function createFastEngine(options: FastEngineOptions = {}): Engine {
  const build = resolveSimd(options.simd ?? 'auto');
  const engine: Engine = {
    name: 'fast',
    simd: build,
    prepare(config: StackConfig, weights: StackWeights): PreparedStack {
      return new FastStack(engine, build, config, weights);
    },
    prepareLinear(weights: LinearWeights): PreparedLinear {
      return new FastLinear(engine, build, weights);
    },
  };
  return engine;
}
