// The workflow bundle's entry point: every workflow type the worker registers.
export { roundWorkflow } from './round';
export { unitWorkflow } from './unit';
export { itemWorkflow } from './item';
export { clueWorkflow } from './clue';
export { letterWorkflow } from './letter';
export type { ItemInput } from './item';
