/**
 * Đồng in words, as receipts and acknowledgements write them under the figure ("Bằng chữ: Năm
 * mươi triệu đồng"): "linh" for a zero ten, "mốt", "tư" and "lăm" after a ten, "không trăm" inside
 * a larger number, and "nghìn tỷ" beyond a billion.
 */

const DIGITS = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'];

function triple(n: number, full: boolean): string[] {
  const h = Math.floor(n / 100);
  const t = Math.floor((n % 100) / 10);
  const u = n % 10;
  const out: string[] = [];
  if (full || h > 0) {
    out.push(DIGITS[h] as string, 'trăm');
  }
  if (t === 0) {
    if (u > 0 && (full || h > 0)) {
      out.push('linh');
    }
  } else if (t === 1) {
    out.push('mười');
  } else {
    out.push(DIGITS[t] as string, 'mươi');
  }
  if (u > 0) {
    if (u === 1 && t > 1) {
      out.push('mốt');
    } else if (u === 5 && t > 0) {
      out.push('lăm');
    } else if (u === 4 && t > 1) {
      out.push('tư');
    } else {
      out.push(DIGITS[u] as string);
    }
  }
  return out;
}

function belowBillion(n: number, lead: boolean): string[] {
  const groups: [number, string][] = [
    [Math.floor(n / 1_000_000), 'triệu'],
    [Math.floor((n % 1_000_000) / 1000), 'nghìn'],
    [n % 1000, ''],
  ];
  const out: string[] = [];
  let started = !lead;
  for (const [value, unit] of groups) {
    if (value === 0) {
      continue;
    }
    out.push(...triple(value, started), ...(unit ? [unit] : []));
    started = true;
  }
  return out;
}

function words(n: bigint, lead: boolean): string[] {
  const billion = 1_000_000_000n;
  if (n >= billion) {
    const rest = n % billion;
    return [...words(n / billion, lead), 'tỷ', ...(rest > 0n ? belowBillion(Number(rest), false) : [])];
  }
  return belowBillion(Number(n), lead);
}

/** 50_000_000n → "Năm mươi triệu đồng"; 0n → "Không đồng". */
export function moneyInWords(amount: bigint): string {
  const negative = amount < 0n;
  const magnitude = negative ? -amount : amount;
  const text = magnitude === 0n ? 'không' : words(magnitude, true).join(' ');
  const sentence = `${negative ? 'âm ' : ''}${text} đồng`;
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}
