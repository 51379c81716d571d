import { describe, expect, it } from 'vitest';
import type { VietQrRecipe } from '../../core/messaging/message.ts';
import { crc16CcittFalse, decodeVietQr, parseTlv } from '../../test/support/emvco.ts';
import { scanQrPng } from '../../test/support/qr-scan.ts';
import { vietQrPayload, vietQrPng } from './vietqr.ts';

/**
 * The VietQR payloads vietnam-qr-pay builds, read back by our own EMVCo decoder (test/support/
 * emvco.ts, written from the specification), and the PNG drawn by qrcode scanned with jsQR.
 */

describe('the independent EMVCo decoder', () => {
  it('computes CRC-16/CCITT-FALSE (check value of "123456789": 29B1)', () => {
    expect(crc16CcittFalse('123456789')).toBe('29B1');
  });

  it('reads the example payload published with the NAPAS format', () => {
    // Static VietQR of ACB account 257678859, as vietnam-qr-pay's README prints it.
    const decoded = decodeVietQr(
      '00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F',
    );
    expect(decoded).toMatchObject({ bin: '970416', accountNumber: '257678859', crcValid: true });
  });

  it('refuses a field whose length runs past the end', () => {
    expect(() => parseTlv('000201010212')).not.toThrow();
    expect(() => parseTlv('0002010110')).toThrow(/says 10 characters/);
  });

  it('notices a payload changed after its CRC was computed', () => {
    const payload = vietQrPayload({
      bin: '970436',
      accountNumber: '0011001234567',
      amount: '500000',
      purpose: 'UH-0001 A',
    });
    expect(decodeVietQr(payload).crcValid).toBe(true);
    expect(decodeVietQr(payload.replace('500000', '900000')).crcValid).toBe(false);
  });
});

const RECIPES: [string, VietQrRecipe][] = [
  [
    'a pledge of 50 triệu',
    { bin: '970405', accountNumber: '8300201001234', amount: '50000000', purpose: 'UH-0001 HOI LHPN TP BAC' },
  ],
  [
    'no amount (the payer types it)',
    { bin: '970436', accountNumber: '0000123456789', purpose: 'UH-0002 NGUYEN VAN AN' },
  ],
  [
    'the longest purpose (25)',
    { bin: '970415', accountNumber: '113366668888', amount: '1000', purpose: 'UH-123456 NTMKH PHUONG AB' },
  ],
  [
    'a letter account number',
    { bin: '970422', accountNumber: 'MTTQBK2025', amount: '9999999999999', purpose: 'UH-0003' },
  ],
];

describe('vietQrPayload, read by the independent decoder', () => {
  it.each(RECIPES)('%s', (_name, recipe) => {
    const payload = vietQrPayload(recipe);
    const decoded = decodeVietQr(payload);
    expect(decoded).toEqual({
      format: '01',
      initiation: recipe.amount === undefined ? '11' : '12',
      guid: 'A000000727',
      bin: recipe.bin,
      accountNumber: recipe.accountNumber,
      service: 'QRIBFTTA',
      currency: '704',
      ...(recipe.amount === undefined ? {} : { amount: recipe.amount }),
      country: 'VN',
      purpose: recipe.purpose,
      crc: payload.slice(-4),
      crcValid: true,
      ids:
        recipe.amount === undefined
          ? ['00', '01', '38', '53', '58', '62', '63']
          : ['00', '01', '38', '53', '54', '58', '62', '63'],
    });
  });
});

describe('vietQrPng', () => {
  it.each(RECIPES)('scans back to the payload: %s', async (_name, recipe) => {
    const png = await vietQrPng(recipe);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(scanQrPng(png)).toBe(vietQrPayload(recipe));
  });
});
