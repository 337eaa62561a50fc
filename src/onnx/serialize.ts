/**
 * Graph (graph.ts) → ONNX ModelProto bytes, with the message types @bufbuild/protoc-gen-es
 * generated from ONNX's own schema (proto/onnx_pb.ts; `npm run gen:onnx-proto` regenerates it)
 * and @bufbuild/protobuf's encoder. Nothing here writes protobuf wire format by hand.
 */
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import type { Attr, ElemType, Graph, Initializer, ValueInfo } from './graph.js';
import { fail } from '../errors.js';
import {
  AttributeProto_AttributeType as AttrType,
  ModelProtoSchema,
  TensorProto_DataType as DataType,
  type AttributeProtoSchema,
  type GraphProtoSchema,
  type NodeProtoSchema,
  type TensorProtoSchema,
  type ValueInfoProtoSchema,
} from './proto/onnx_pb.js';

const DATA_TYPE: Readonly<Record<ElemType, DataType>> = {
  float32: DataType.FLOAT,
  float64: DataType.DOUBLE,
  int32: DataType.INT32,
  int64: DataType.INT64,
  bool: DataType.BOOL,
};

/**
 * The lowest IR version that may carry each opset (onnx/helper.py, VERSION_TABLE: the ONNX
 * release that introduced the opset and the IR version it wrote). Runtimes refuse IR versions
 * newer than they know, so the model declares the oldest one its opset allows.
 */
export const IR_VERSION_OF_OPSET: Readonly<Record<number, number>> = {
  14: 7,
  15: 8,
  16: 8,
  17: 8,
  18: 8,
  19: 9,
  20: 9,
  21: 10,
  22: 10,
  23: 11,
  24: 12,
  25: 13,
};

/** Little-endian bytes of a typed array (ONNX raw_data is little-endian; so is every JS engine's host order in practice, and this checks). */
function rawData(data: Initializer['data']): Uint8Array {
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) {
    throw fail('E_EXPORT_UNSUPPORTED', { what: 'host byte order', expected: 'little-endian (ONNX raw_data is little-endian)', got: 'big-endian' });
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength); // read once by toBinary, which copies
}

function tensorProto(t: Initializer): MessageInitShape<typeof TensorProtoSchema> {
  return { name: t.name, dataType: DATA_TYPE[t.elem], dims: t.dims.map(BigInt), rawData: rawData(t.data) };
}

function valueInfo(v: ValueInfo): MessageInitShape<typeof ValueInfoProtoSchema> {
  const shape =
    v.shape === null
      ? undefined
      : { dim: v.shape.map((d) => ({ value: typeof d === 'number' ? { case: 'dimValue' as const, value: BigInt(d) } : { case: 'dimParam' as const, value: d } })) };
  return { name: v.name, type: { value: { case: 'tensorType', value: { elemType: DATA_TYPE[v.elem], ...(shape === undefined ? {} : { shape }) } } } };
}

function attribute(name: string, a: Attr): MessageInitShape<typeof AttributeProtoSchema> {
  if ('int' in a) return { name, type: AttrType.INT, i: BigInt(a.int) };
  if ('ints' in a) return { name, type: AttrType.INTS, ints: a.ints.map(BigInt) };
  if ('float' in a) return { name, type: AttrType.FLOAT, f: a.float };
  if ('string' in a) return { name, type: AttrType.STRING, s: new TextEncoder().encode(a.string) };
  if ('strings' in a) return { name, type: AttrType.STRINGS, strings: a.strings.map((s) => new TextEncoder().encode(s)) };
  if ('tensor' in a) return { name, type: AttrType.TENSOR, t: tensorProto(a.tensor) };
  return { name, type: AttrType.GRAPH, g: graphProto(a.graph) };
}

function graphProto(g: Graph): MessageInitShape<typeof GraphProtoSchema> {
  return {
    name: g.name,
    node: g.nodes.map(
      (n): MessageInitShape<typeof NodeProtoSchema> => ({
        name: n.name,
        opType: n.op,
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attrs).map(([k, a]) => attribute(k, a)),
      }),
    ),
    initializer: g.initializers.map(tensorProto),
    input: g.inputs.map(valueInfo),
    output: g.outputs.map(valueInfo),
  };
}

/** What the model says about itself besides the graph. */
export interface ModelInfo {
  readonly opset: number;
  readonly docString: string;
}

/** The ModelProto of `graph`, encoded. */
export function serializeModel(graph: Graph, info: ModelInfo): Uint8Array {
  const irVersion = IR_VERSION_OF_OPSET[info.opset];
  if (irVersion === undefined) throw fail('E_INTERNAL', { what: 'IR version of the opset', expected: 'an opset of IR_VERSION_OF_OPSET', got: String(info.opset) });
  const model = create(ModelProtoSchema, {
    irVersion: BigInt(irVersion),
    opsetImport: [{ domain: '', version: BigInt(info.opset) }],
    producerName: 'rnnport',
    docString: info.docString,
    graph: graphProto(graph),
  });
  return toBinary(ModelProtoSchema, model);
}
