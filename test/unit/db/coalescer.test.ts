import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../../src/db/coalescer.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Coalescer', () => {
  it('sends a lone call at once, and the calls made while it runs together in the next batch', async () => {
    const batches: number[][] = [];
    const gate = deferred<void>();
    const coalescer = new Coalescer(async (inputs: number[]) => {
      batches.push(inputs);
      if (batches.length === 1) await gate.promise;
      return inputs.map((n) => n * 10);
    });
    const first = coalescer.run(1);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [2, 3, 4].map((n) => coalescer.run(n));
    gate.resolve();
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('splits at the batch limit', async () => {
    const sizes: number[] = [];
    const coalescer = new Coalescer(async (inputs: number[]) => {
      sizes.push(inputs.length);
      return inputs;
    }, 3);
    await Promise.all(Array.from({ length: 7 }, (_, i) => coalescer.run(i)));
    expect(sizes).toEqual([3, 3, 1]);
  });

  it('tries each input of a failed batch alone, so only the one that fails rejects', async () => {
    const batches: string[][] = [];
    const coalescer = new Coalescer(async (inputs: string[]) => {
      batches.push(inputs);
      if (inputs.includes('poison')) throw new Error('invalid byte sequence');
      return inputs.map((s) => s.toUpperCase());
    });
    const results = await Promise.allSettled(['a', 'poison', 'b'].map((s) => coalescer.run(s)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected'))).toEqual(['A', 'rejected', 'B']);
    expect(batches).toEqual([['a', 'poison', 'b'], ['a'], ['poison'], ['b']]);
    expect(await coalescer.run('c')).toBe('C');
  });
});
