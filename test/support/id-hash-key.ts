import { type IdNumberHasher, idNumberHasher, parseIdHashKey } from '../../core/households/id-number.ts';

/** The fixed ID_HASH_KEY of the test suite (64 hex digits, as `openssl rand -hex 32` prints). */
export const TEST_ID_HASH_KEY_HEX = '5f1c0a9e3b7d24e86a90c3f15b2e7d48a6c1f09e3d5b7a2c4e6f8091a3b5c7d9';

export const TEST_ID_HASH_KEY: Buffer = parseIdHashKey(TEST_ID_HASH_KEY_HEX) ?? Buffer.alloc(0);

/** The CLI context's `hashIdNumber` under the test key. */
export const testIdNumberHasher: IdNumberHasher = idNumberHasher(TEST_ID_HASH_KEY);
