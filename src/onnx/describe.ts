/**
 * What the exporter needs to know of a recurrent module, as plain data: the class, PyTorch's
 * mode string, sizes, flags, compute dtype and parameters by PyTorch name. `describe` is the one
 * place that reads rnnport's module objects; every other file of src/onnx works from the
 * description, so changes to the module classes touch only this file.
 */
import { paramName, type Mode, type ModuleConfig, type ModuleKind, type ParamKind } from '../config.js';
import type { FloatDType } from '../dtype.js';
import { badArgument, fail } from '../errors.js';
import type { Nonlinearity } from '../config.js';
import { fromStateDict, type RecurrentModule } from '../modules/index.js';
import type { Tensor } from '../tensor.js';

/** Float data in the compute dtype. */
export type FloatArray = Float32Array | Float64Array;


/** A module as data. Parameters are keyed by PyTorch name without prefix, in the compute dtype. */
export interface Description extends ModuleConfig {
  readonly className: ModuleKind;
  readonly cell: boolean;
  readonly mode: Mode;
  /** The module's own batch_first (false for cells). */
  readonly batchFirst: boolean;
  readonly dtype: FloatDType;
  readonly parameters: ReadonlyMap<string, Tensor>;
}

/** How a state_dict source is resolved (as `fromStateDict` takes them). */
export interface StateDictChoice {
  readonly prefix?: string;
  readonly nonlinearity?: Nonlinearity;
  readonly dtype?: FloatDType;
}


function isModule(value: unknown): value is RecurrentModule {
  return typeof value === 'object' && value !== null && typeof (value as { stateDict?: unknown }).stateDict === 'function' && typeof (value as { mode?: unknown }).mode === 'string';
}

/**
 * The description of a module, or of the module a state_dict holds (built with the reference
 * engine, which owns no memory, and read once). E_BAD_ARGUMENT for anything else; E_BAD_OPTION
 * for state_dict choices given with a module (they were fixed when the module was built).
 */
export function describe(source: RecurrentModule | ReadonlyMap<string, Tensor>, choice: StateDictChoice): Description {
  if (source instanceof Map) {
    const sd = source as ReadonlyMap<string, Tensor>;
    const module = fromStateDict(sd, { ...choice, engine: 'reference' });
    try {
      return describe(module, {});
    } finally {
      module.dispose();
    }
  }
  if (!isModule(source)) {
    throw badArgument('toOnnx(source)', 'an RNN, GRU, LSTM or cell module, or a state_dict (Map of tensors)', source);
  }
  for (const key of ['prefix', 'nonlinearity', 'dtype'] as const) {
    if (choice[key] !== undefined) {
      throw fail('E_BAD_OPTION', { what: `toOnnx option ${key}`, expected: 'only with a state_dict source (a module has it already)', got: String(choice[key]) });
    }
  }
  // Layered modules (nn.RNNBase) have num_layers; cells (nn.RNNCellBase) do not.
  const layered = 'numLayers' in source;
  const mode = source.mode as Mode;
  return {
    className: source.kind,
    cell: !layered,
    mode,
    inputSize: source.inputSize,
    hiddenSize: source.hiddenSize,
    numLayers: layered ? source.numLayers : 1,
    bidirectional: layered ? source.bidirectional : false,
    projSize: layered ? source.projSize : 0,
    bias: source.bias,
    batchFirst: layered ? source.batchFirst : false,
    dtype: source.dtype,
    parameters: source.stateDict(),
  };
}

/** One direction of one layer: the arrays of its parameters (null where bias=False or no projection). */
export interface LayerParameters {
  /** weight_ih (G·H, I_k). */
  readonly wIh: FloatArray;
  /** weight_hh (G·H, H_out). */
  readonly wHh: FloatArray;
  readonly bIh: FloatArray | null;
  readonly bHh: FloatArray | null;
  /** weight_hr (P, H). */
  readonly wHr: FloatArray | null;
}

/**
 * Parameters of layer `layer`, direction `dir` by PyTorch's names: `weight_ih_l{k}{_reverse}`
 * (cells: `weight_ih`), `weight_hh…`, `bias_ih…`, `bias_hh…`, `weight_hr…` (LSTM with proj_size).
 */
export function layerParameters(d: Description, layer: number, dir: number): LayerParameters {
  const get = (kind: ParamKind, required: boolean): FloatArray | null => {
    const name = paramName(kind, d.cell ? null : layer, dir === 1);
    const t = d.parameters.get(name);
    if (t === undefined) {
      if (required) throw fail('E_INTERNAL', { what: `parameter ${name}`, expected: 'in the module', got: 'none' });
      return null;
    }
    return t.to(d.dtype).data as FloatArray;
  };
  return {
    wIh: get('weight_ih', true) as FloatArray,
    wHh: get('weight_hh', true) as FloatArray,
    bIh: d.bias ? get('bias_ih', true) : null,
    bHh: d.bias ? get('bias_hh', true) : null,
    wHr: d.projSize > 0 ? get('weight_hr', true) : null,
  };
}
