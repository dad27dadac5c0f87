import { parseRegisterFilter, registerQuery } from './certificate-register.service';

describe('parseRegisterFilter', () => {
  it('reads the filters a manager can set', () => {
    expect(parseRegisterFilter({ course: '3', status: 'revoked', from: '2026-01-01', to: '2026-03-31', q: ' Ayesha ' })).toEqual({
      courseId: 3,
      status: 'revoked',
      from: '2026-01-01',
      to: '2026-03-31',
      q: 'Ayesha',
    });
  });

  it('ignores what it cannot read instead of failing the page', () => {
    expect(parseRegisterFilter({ course: 'x', status: 'lost', from: '01/02/2026', to: ['2026-01-01'], q: '' })).toEqual({
      courseId: undefined,
      status: undefined,
      from: undefined,
      to: undefined,
      q: undefined,
    });
  });

  it('writes the filter back as a query string for export and paging links', () => {
    expect(registerQuery({ courseId: 3, status: 'issued', q: 'a&b' })).toBe('course=3&status=issued&q=a%26b');
    expect(registerQuery({})).toBe('');
  });
});
