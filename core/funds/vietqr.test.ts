import { describe, expect, it } from 'vitest';
import { asciiUpper, shortDonorName, transferPurpose, VIETQR_PURPOSE_MAX } from './vietqr.ts';

describe('asciiUpper', () => {
  it.each([
    ['Nguyễn Văn An', 'NGUYEN VAN AN'],
    ['Đặng Thị Đào', 'DANG THI DAO'],
    // Decomposed input (tổ hợp), as some keyboards type it.
    ['Tra\u0300n Thi\u0323 Hoa\u0300', 'TRAN THI HOA'],
    ['Công ty TNHH "Hoàng Long" (chi nhánh 2)', 'CONG TY TNHH HOANG LONG CHI NHANH 2'],
    ['  Lê   Văn\tBình – Sở Xây dựng ', 'LE VAN BINH SO XAY DUNG'],
  ])('%s → %s', (input, expected) => {
    expect(asciiUpper(input)).toBe(expected);
  });
});

describe('transferPurpose', () => {
  it.each([
    // Short names stay whole.
    ['Nguyễn Văn An', 'individual', 'UH-0001 NGUYEN VAN AN'],
    ['Phạm Thị Hương', 'individual', 'UH-0001 PHAM THI HUONG'],
    // Middle names, then the family name, become initials; the given name stays whole.
    ['Tôn Nữ Thị Phương Thảo', 'individual', 'UH-0001 TON N T P THAO'],
    ['Nguyễn Thị Minh Khai Hoàng Phương Đông', 'individual', 'UH-0001 N T M K H P DONG'],
    // How the person is addressed goes first, then the middle names.
    ['Ông Nguyễn Đình Trọng Nghĩa', 'individual', 'UH-0001 NGUYEN D T NGHIA'],
    // A workplace after the dash goes when the whole does not fit.
    ['Lê Văn Bình – Sở Xây dựng', 'individual', 'UH-0001 LE VAN BINH'],
    ['Bà Trần Thị Mỹ Dung – Công ty Điện lực Bắc Kạn', 'individual', 'UH-0001 TRAN THI MY DUNG'],
    // Organisations take their usual abbreviations, then are cut at a word.
    ['Hội Liên hiệp Phụ nữ thành phố Bắc Kạn', 'organisation', 'UH-0001 HOI LHPN TP BK'],
    ['Hội Liên hiệp Phụ nữ tỉnh Thái Nguyên', 'organisation', 'UH-0001 HOI LHPN TINH TN'],
    ['Hội Cựu chiến binh phường Phùng Chí Kiên', 'organisation', 'UH-0001 HOI CCB PCK'],
    ['Đoàn Thanh niên Cộng sản Hồ Chí Minh phường Đức Xuân', 'organisation', 'UH-0001 DOAN TNCS HCM DX'],
    ['Công ty TNHH Xây dựng Hoàng Long', 'enterprise', 'UH-0001 CTY TNHH XAY DUNG'],
    ['Công ty Cổ phần Đầu tư và Phát triển Nhà Đà Nẵng', 'enterprise', 'UH-0001 CTY CP DAU TU VA'],
    ['Hợp tác xã Nông nghiệp Dương Quang', 'organisation', 'UH-0001 HTX NONG NGHIEP'],
    // A single word longer than the room is cut in it.
    ['Supercalifragilisticexpialidocious', 'enterprise', 'UH-0001 SUPERCALIFRAGILIS'],
    // No name: the reference alone.
    ['', 'individual', 'UH-0001'],
    ['— ', 'organisation', 'UH-0001'],
  ] as const)('%s (%s) → %s', (name, kind, expected) => {
    const purpose = transferPurpose('UH-0001', name, kind);
    expect(purpose).toBe(expected);
    expect(purpose.length).toBeLessThanOrEqual(VIETQR_PURPOSE_MAX);
    expect(purpose).toMatch(/^[A-Z0-9 -]+$/);
  });

  it('keeps a longer reference whole and shortens the name further', () => {
    const purpose = transferPurpose('UH-123456', 'Nguyễn Thị Minh Khai Hoàng Phương', 'individual');
    expect(purpose).toBe('UH-123456 NTMKH PHUONG');
    expect(purpose.length).toBeLessThanOrEqual(VIETQR_PURPOSE_MAX);
  });

  it('never passes the limit, whatever the name', () => {
    const names = [
      'Nguyễn Văn Anh Tuấn Minh Quang Huy Hoàng Long Phước Thịnh Vượng',
      'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Thái Nguyên và các tổ chức thành viên',
      'A B C D E F G H I J K L M N O P Q R S T U V W X Y Z',
      'X'.repeat(80),
    ];
    for (const name of names) {
      for (const kind of ['individual', 'organisation', 'enterprise'] as const) {
        const purpose = transferPurpose('UH-0042', name, kind);
        expect(purpose.startsWith('UH-0042')).toBe(true);
        expect(purpose.length).toBeLessThanOrEqual(VIETQR_PURPOSE_MAX);
      }
    }
  });
});

describe('shortDonorName', () => {
  it('gives nothing when there is no room', () => {
    expect(shortDonorName('Nguyễn Văn An', 'individual', 0)).toBe('');
  });
});
