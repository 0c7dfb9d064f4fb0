// The workflow bundle's entry point: every workflow type the worker registers.
export { roundWorkflow } from './round';
export { unitWorkflow } from './unit';
export { itemWorkflow } from './item';
export type { ItemWorkflowInput } from './item';
