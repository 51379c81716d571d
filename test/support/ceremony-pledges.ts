/**
 * The pledges announced at Đức Xuân's launch ceremony (issue 17 §3) as its officer types them: six
 * lines of mixed forms, the third unreadable (goods without a value) until sent again as `FIXED`.
 */
export const CEREMONY_SIX = [
  '1. Công ty A 50tr',
  '2. Hội LHPN phường 20 triệu',
  '3. Ông Nguyễn Văn B 5 bao xi măng',
  '4. Cty TNHH Hòa Bình: 1,5 tỷ',
  '5. Bà Lê Thị C - 2.000.000đ',
  '6. Trường THCS Đức Xuân 10 ngày công (3 triệu)',
].join('\n');
export const CEREMONY_FIXED = 'Ông Nguyễn Văn B 5 bao xi măng trị giá 500k';
/** What the six pledge, the third at its stated value. */
export const CEREMONY_TOTAL = 50_000_000n + 20_000_000n + 500_000n + 1_500_000_000n + 2_000_000n + 3_000_000n;
