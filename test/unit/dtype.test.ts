import { describe, expect, it } from 'vitest';
import {
  bfloat16ToNumber,
  float16ToNumber,
  float8e4m3fnToNumber,
  float8e5m2ToNumber,
  numberToBfloat16,
  numberToFloat16,
} from '../../src/dtype.js';

describe('float16 → number (IEEE binary16 bit patterns)', () => {
  const cases: [number, number][] = [
    [0x0000, 0],
    [0x3c00, 1],
    [0xc000, -2],
    [0x7bff, 65504], // largest normal
    [0x0400, 2 ** -14], // smallest normal
    [0x0001, 2 ** -24], // smallest subnormal
    [0x03ff, 1023 * 2 ** -24], // largest subnormal
    [0x3555, 0.333251953125],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ];
  it.each(cases)('decodes 0x%s exactly', (bits, value) => {
    expect(float16ToNumber(bits)).toBe(value);
  });
  it('decodes negative zero and NaN payloads', () => {
    expect(Object.is(float16ToNumber(0x8000), -0)).toBe(true);
    expect(float16ToNumber(0x7e00)).toBeNaN();
    expect(float16ToNumber(0x7c01)).toBeNaN();
    expect(float16ToNumber(0xfe00)).toBeNaN();
  });
  it('round-trips every non-NaN pattern through numberToFloat16', () => {
    for (let b = 0; b < 0x10000; b++) {
      const v = float16ToNumber(b);
      if (Number.isNaN(v)) continue;
      expect(numberToFloat16(v)).toBe(b);
    }
  });
  it('rounds to nearest even when encoding', () => {
    expect(numberToFloat16(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(numberToFloat16(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(numberToFloat16(65520)).toBe(0x7c00); // overflows to inf
  });
});

describe('bfloat16 → number', () => {
  it('decodes known patterns', () => {
    expect(bfloat16ToNumber(0x3f80)).toBe(1);
    expect(bfloat16ToNumber(0xc040)).toBe(-3);
    expect(bfloat16ToNumber(0x7f80)).toBe(Infinity);
    expect(bfloat16ToNumber(0xff80)).toBe(-Infinity);
    expect(bfloat16ToNumber(0x7fc0)).toBeNaN();
    expect(bfloat16ToNumber(0x0001)).toBe(2 ** -133); // smallest subnormal
    expect(bfloat16ToNumber(0x7f7f)).toBe(3.3895313892515355e38); // largest finite
    expect(Object.is(bfloat16ToNumber(0x8000), -0)).toBe(true);
  });
  it('round-trips every non-NaN pattern', () => {
    for (let b = 0; b < 0x10000; b++) {
      const v = bfloat16ToNumber(b);
      if (Number.isNaN(v)) continue;
      expect(numberToBfloat16(v)).toBe(b);
    }
  });
});

describe('float8 → number', () => {
  it('decodes e4m3fn (max 448, no inf, NaN at S.1111.111)', () => {
    expect(float8e4m3fnToNumber(0x38)).toBe(1);
    expect(float8e4m3fnToNumber(0x7e)).toBe(448);
    expect(float8e4m3fnToNumber(0x01)).toBe(2 ** -9);
    expect(float8e4m3fnToNumber(0x7f)).toBeNaN();
    expect(float8e4m3fnToNumber(0xff)).toBeNaN();
    expect(float8e4m3fnToNumber(0x78)).toBe(256); // e=15 m=0 is a number, not inf
  });
  it('decodes e5m2 (IEEE-like)', () => {
    expect(float8e5m2ToNumber(0x3c)).toBe(1);
    expect(float8e5m2ToNumber(0x7b)).toBe(57344);
    expect(float8e5m2ToNumber(0x7c)).toBe(Infinity);
    expect(float8e5m2ToNumber(0xfc)).toBe(-Infinity);
    expect(float8e5m2ToNumber(0x7d)).toBeNaN();
    expect(float8e5m2ToNumber(0x01)).toBe(2 ** -16);
  });
});
