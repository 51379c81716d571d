/**
 * An EMVCo merchant-presented QR payload read back for the tests, written from the specification
 * alone (not with vietnam-qr-pay, which builds the payloads under test): a payload is a list of
 * "ID (2 digits) · length (2 digits) · value" fields, some of whose values are such lists again
 * (26–51 merchant account information, 62 additional data), ending with the CRC field 63.
 */

export type EmvFields = Map<string, string>;

/** The fields of a TLV string, in order; throws on a length that runs past the end. */
export function parseTlv(payload: string): EmvFields {
  const fields: EmvFields = new Map();
  let at = 0;
  while (at < payload.length) {
    const id = payload.slice(at, at + 2);
    const length = Number(payload.slice(at + 2, at + 4));
    if (!/^\d{2}$/.test(id) || !/^\d{2}$/.test(payload.slice(at + 2, at + 4))) {
      throw new Error(`bad field header at ${at}: ${payload.slice(at, at + 4)}`);
    }
    const value = payload.slice(at + 4, at + 4 + length);
    if (value.length !== length) {
      throw new Error(`field ${id} at ${at} says ${length} characters, ${value.length} remain`);
    }
    if (fields.has(id)) {
      throw new Error(`field ${id} twice`);
    }
    fields.set(id, value);
    at += 4 + length;
  }
  return fields;
}

/** CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF, no reflection), as EMVCo's tag 63 uses. */
export function crc16CcittFalse(text: string): string {
  let crc = 0xffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

/** A VietQR transfer as its payload says it, every field checked for its place. */
export interface DecodedVietQr {
  /** 00: payload format indicator. */
  format: string;
  /** 01: "11" static, "12" dynamic (an amount given). */
  initiation: string;
  /** 38 / 00: the NAPAS GUID. */
  guid: string;
  /** 38 / 01 / 00: the bank's BIN. */
  bin: string;
  /** 38 / 01 / 01: the account (or card) number. */
  accountNumber: string;
  /** 38 / 02: the service, QRIBFTTA to an account. */
  service: string;
  /** 53: the currency (ISO 4217 numeric). */
  currency: string;
  /** 54: the amount, when given. */
  amount?: string;
  /** 58: the country. */
  country: string;
  /** 62 / 08: the purpose of the transaction, when given. */
  purpose?: string;
  /** 63: the CRC as written, and whether it is the CRC of everything before it (incl. "6304"). */
  crc: string;
  crcValid: boolean;
  /** The top-level field ids in order. */
  ids: string[];
}

function required(fields: EmvFields, id: string, where: string): string {
  const value = fields.get(id);
  if (value === undefined) {
    throw new Error(`${where}: field ${id} is missing`);
  }
  return value;
}

/** Reads a VietQR payload; throws when a field it must have is missing or the CRC is not last. */
export function decodeVietQr(payload: string): DecodedVietQr {
  const top = parseTlv(payload);
  const ids = [...top.keys()];
  if (ids.at(-1) !== '63' || !payload.endsWith(`6304${top.get('63')}`)) {
    throw new Error('the CRC (63, 4 characters) must be the last field');
  }
  const merchant = parseTlv(required(top, '38', 'payload'));
  const beneficiary = parseTlv(required(merchant, '01', 'field 38'));
  const additional = top.has('62') ? parseTlv(required(top, '62', 'payload')) : new Map<string, string>();
  const crc = required(top, '63', 'payload');
  const amount = top.get('54');
  const purpose = additional.get('08');
  return {
    format: required(top, '00', 'payload'),
    initiation: required(top, '01', 'payload'),
    guid: required(merchant, '00', 'field 38'),
    bin: required(beneficiary, '00', 'field 38.01'),
    accountNumber: required(beneficiary, '01', 'field 38.01'),
    service: required(merchant, '02', 'field 38'),
    currency: required(top, '53', 'payload'),
    ...(amount === undefined ? {} : { amount }),
    country: required(top, '58', 'payload'),
    ...(purpose === undefined ? {} : { purpose }),
    crc,
    crcValid: crc16CcittFalse(payload.slice(0, -4)) === crc,
    ids,
  };
}
