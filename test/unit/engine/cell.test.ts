import { describe, expect, it } from 'vitest';
import { gruCell, lstmCell, relu, sigmoid, tanh } from '../../../src/engine/cell.js';

describe('activations saturate like PyTorch, never NaN', () => {
  it.each([
    [-1e308, 0],
    [-800, 0],
    [-Infinity, 0],
    [0, 0.5],
    [40, 1],
    [800, 1],
    [Infinity, 1],
  ])('σ(%d) = %d', (x, y) => {
    expect(sigmoid(x)).toBe(y);
  });

  it('tanh reaches ±1 exactly and relu keeps NaN', () => {
    expect([tanh(50), tanh(-1e300), tanh(Infinity)]).toEqual([1, -1, 1]);
    expect([relu(-2), relu(3), relu(NaN)]).toEqual([0, 3, NaN]);
  });
});

describe('cells', () => {
  it('GRU: h′ = (h − n)·z + n with b_hn inside the reset product', () => {
    // H = 1: gi = [r, z, n] pre-activations from x, gh from h.
    const gi = Float64Array.of(0.3, -0.2, 0.5);
    const gh = Float64Array.of(0.1, 0.4, -0.7);
    const h = Float64Array.of(0.25);
    const r = sigmoid(0.4);
    const z = sigmoid(0.2);
    const n = Math.tanh(0.5 + r * -0.7);
    gruCell(gi, gh, h, 1, 1);
    expect(h[0]).toBe((0.25 - n) * z + n);
  });

  it('LSTM: c′ = f·c + i·g, y = o·tanh(c′)', () => {
    const gi = Float64Array.of(1, 2, 3, 4);
    const gh = Float64Array.of(0, 0, 0, 0);
    const c = Float64Array.of(0.5);
    const y = new Float64Array(1);
    lstmCell(gi, gh, c, y, 1, 1);
    const cNew = sigmoid(2) * 0.5 + sigmoid(1) * Math.tanh(3);
    expect(c[0]).toBe(cNew);
    expect(y[0]).toBe(sigmoid(4) * Math.tanh(cNew));
  });

  it('stay finite for huge pre-activations', () => {
    const gi = Float32Array.of(1e38, -1e38, 3e38, -3e38);
    const gh = Float32Array.of(1e38, -1e38, 3e38, -3e38);
    const c = Float32Array.of(1e38);
    const y = new Float32Array(1);
    lstmCell(gi, gh, c, y, 1, 1);
    expect(Number.isNaN(y[0])).toBe(false);
    const h = Float32Array.of(0.5);
    gruCell(Float32Array.of(-3e38, 3e38, 3e38), Float32Array.of(-3e38, 3e38, 3e38), h, 1, 1);
    expect(h[0]).toBe(0.5);
  });
});
