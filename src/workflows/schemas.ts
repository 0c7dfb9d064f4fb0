// The Update schemas, built at a workflow's first validation instead of at its start. Each workflow
// evaluates its own copy of src/domain's schemas (the SDK keeps a module cache per workflow; only the
// zod library is shared, src/workflows/shared-modules.ts). Built at start, they cost every new or
// replayed workflow about 0.5 MB of heap and 15 ms of CPU, while most workflow tasks (timers, signals,
// activity results) validate nothing (README.md).
import type * as ItemInputs from '../domain/item-inputs';
import type * as Lifecycle from '../domain/lifecycle';
import type * as Problem from '../domain/problem';

function lazy<T extends object>(load: () => T): T {
  let loaded: T | undefined;
  return new Proxy({} as T, { get: (_, key) => (loaded ??= load())[key as keyof T] });
}

/* eslint-disable @typescript-eslint/no-require-imports -- required on first use, see above */
/** Every step's input (a unit, a round, a clue, a letter). */
export const L = lazy<typeof Lifecycle>(() => require('../domain/lifecycle'));
/** An item's and a task's own inputs only: what an item builds. */
export const I = lazy<typeof ItemInputs>(() => require('../domain/item-inputs'));
export const P = lazy<typeof Problem>(() => require('../domain/problem'));
/* eslint-enable @typescript-eslint/no-require-imports */
