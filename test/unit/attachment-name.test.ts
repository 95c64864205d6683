import { safeFileName } from '../../domain/attachments';

describe('an uploaded file’s name as the engine keeps it', () => {
  it('when the name carries a path, then only its last part is kept', () => {
    expect(safeFileName('C:\\Users\\lin\\photo.png')).toBe('photo.png');
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
  });

  it('when the name carries control characters, quotes or characters headers refuse, then each becomes _', () => {
    expect(safeFileName('a\u0000b\u001fc\u007fd.pdf')).toBe('a_b_c_d.pdf');
    expect(safeFileName('say "hi" <now>|*?:.txt')).toBe('say _hi_ _now_____.txt');
    expect(safeFileName('订单 照片.jpg')).toBe('订单 照片.jpg');
  });

  it('when the name is longer than 200 characters, then it is cut to 200 with its extension kept', () => {
    const cut = safeFileName(`${'x'.repeat(300)}.jpeg`);
    expect(cut).toHaveLength(200);
    expect(cut.endsWith('.jpeg')).toBe(true);
  });
});
