// Failure messages and stack traces can carry what a payload carries (a petition's text, an
// informant's name in an error): they travel as an encoded attributes payload, which the payload
// codec then encrypts like any other. Loaded by path (DataConverter.failureConverterPath) so the
// workflow sandbox bundles the same converter as the worker and the client.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
