// The workflow of `npm run bench:cache`: nothing but a counter. It stays open, cached in its
// worker, and answers each `poke` Update in one workflow task, so what a task costs the worker is
// the SDK's own bookkeeping, not ours.
import { condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

export const poke = defineUpdate<number>('poke');
export const stop = defineSignal('stop');

export async function idle(): Promise<number> {
  let pokes = 0;
  let done = false;
  setHandler(poke, () => ++pokes);
  setHandler(stop, () => {
    done = true;
  });
  await condition(() => done);
  return pokes;
}
