// How every build of the workflow code is bundled: the worker (bundled at start), the prebuilt
// production bundle (infra/prod/bundle-workflows.ts) and the tests use the same options.
import type { BundleOptions } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../codec';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * Modules evaluated once per worker and shared by all its workflows (src/workflows/shared-modules.ts):
 * the zod library. Without it every cached workflow holds its own copy.
 */
export const WORKFLOW_PRELOAD_MODULES = [require.resolve('../workflows/shared-modules')];

export function workflowBundleOptions(): Pick<BundleOptions, 'workflowsPath' | 'failureConverterPath' | 'preloadModules'> {
  return { workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH, preloadModules: WORKFLOW_PRELOAD_MODULES };
}
