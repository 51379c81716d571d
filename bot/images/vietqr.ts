import QRCode from 'qrcode';
import { QRPay } from 'vietnam-qr-pay';
import type { VietQrRecipe } from '../../core/messaging/message.ts';

/**
 * The NAPAS VietQR of a transfer to a fund's account (issue 17 §1): the EMVCo merchant-presented
 * payload built by `vietnam-qr-pay` (NAPAS GUID, BIN, account, service "to account", currency 704,
 * country VN, amount, purpose, CRC) and drawn as a PNG by `qrcode` — no bit packing of our own.
 */
export function vietQrPayload(recipe: VietQrRecipe): string {
  const qr = QRPay.initVietQR({
    bankBin: recipe.bin,
    bankNumber: recipe.accountNumber,
    ...(recipe.amount === undefined ? {} : { amount: recipe.amount }),
    purpose: recipe.purpose,
  });
  return qr.build();
}

/** The QR code as a PNG, large enough to scan from a phone screen or a printed page. */
export async function vietQrPng(recipe: VietQrRecipe): Promise<Buffer> {
  return QRCode.toBuffer(vietQrPayload(recipe), {
    type: 'png',
    errorCorrectionLevel: 'M',
    margin: 4,
    scale: 8,
  });
}
