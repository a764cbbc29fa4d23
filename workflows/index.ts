/** Every workflow the worker registers. */
export { accountWorkflow } from './account/workflow';
export { reconcilerWorkflow } from './reconciler/workflow';
