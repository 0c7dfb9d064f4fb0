import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { CodecConfig } from './config';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

const utf8 = new TextEncoder();
const text = new TextDecoder();

/** A payload the codec cannot open. Messages name the key id, never key material. */
export class CodecError extends Error {
  override name = 'CodecError';
}

/**
 * Encrypts whole payloads (metadata and data, as a serialised temporal.api.common.v1.Payload) with
 * AES-256-GCM, so the Temporal server and Web UI see only `binary/encrypted` and a key id.
 * Output data is iv(12) | ciphertext | tag(16). Encodes with the active key, decodes with any key in
 * the ring, so keys rotate by adding a new one, making it active, and dropping the old one only
 * once no retained history needs it.
 */
export class AesGcmCodec implements PayloadCodec {
  constructor(private readonly config: Pick<CodecConfig, 'keys' | 'activeKeyId'>) {
    // Fail at construction, not on the first payload in a worker.
    this.keyFor(config.activeKeyId);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.config.activeKeyId;
    const key = this.keyFor(keyId);
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(keyId) },
        data: new Uint8Array(data),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      // Payloads written before encryption was switched on (or by other codecs) pass through.
      if (!encoding || text.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const rawId = payload.metadata?.[KEY_ID_METADATA];
      if (!rawId) throw new CodecError(`encrypted payload has no "${KEY_ID_METADATA}" metadata`);
      const keyId = text.decode(rawId);
      const key = this.keyFor(keyId);
      const data = payload.data ?? new Uint8Array();
      if (data.length < IV_BYTES + TAG_BYTES) throw new CodecError(`encrypted payload under key "${keyId}" is too short (${data.length} bytes)`);
      const iv = data.subarray(0, IV_BYTES);
      const tag = data.subarray(data.length - TAG_BYTES);
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new CodecError(`encrypted payload under key "${keyId}" failed authentication: it was altered or encrypted under another key`);
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }

  private keyFor(keyId: string): Buffer {
    const key = this.config.keys.key(keyId);
    if (!key) throw new CodecError(`unknown encryption key id "${keyId}" (configured: ${this.config.keys.ids.join(', ')})`);
    return key;
  }
}
