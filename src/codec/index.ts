import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec } from './aes-gcm-codec';
import type { CodecConfig } from './config';

export { AesGcmCodec, CodecError, ENCRYPTED_ENCODING, KEY_ID_METADATA } from './aes-gcm-codec';
export { DEV_CODEC_KEY_ID, devKeyInUse, loadCodecConfig, redactCodecConfig, type CodecConfig } from './config';

/**
 * The data converter for every Client and Worker: all payloads (inputs, results, Update arguments,
 * query answers, memos, heartbeats, failure messages and stack traces) are encrypted before they leave the process. The same object
 * works for `new Client({ dataConverter })` and `Worker.create({ dataConverter })`; codecs run in the
 * worker's main thread, outside the workflow sandbox, so nothing needs bundling.
 */
export function createDataConverter(config: CodecConfig): DataConverter {
  return { payloadCodecs: [new AesGcmCodec(config)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/**
 * Failure messages and stack traces encrypted too (encodeCommonAttributes). A prebuilt workflow
 * bundle must be built with it: `bundleWorkflowCode({ failureConverterPath: FAILURE_CONVERTER_PATH, … })`.
 */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');
