import { weekOfIsoDate } from '../programmes/stats/weeks';
import { chooseRange, DEFAULT_AT_RISK_DAYS } from './report-range';

describe(chooseRange.name, () => {
  const now = new Date('2026-03-11T08:00:00Z'); // a Wednesday

  it('defaults to all dates and the default at-risk threshold', () => {
    expect(chooseRange({}, now)).toMatchObject({ range: { from: null, to: null }, preset: 'all', query: '', days: DEFAULT_AT_RISK_DAYS });
  });

  it('takes the last whole weeks up to this one', () => {
    const chosen = chooseRange({ range: '4w' }, now);
    expect(chosen.range).toEqual({ from: (weekOfIsoDate('2026-03-11') as number) - 3, to: weekOfIsoDate('2026-03-11') });
    expect([chosen.from, chosen.to]).toEqual(['2026-02-16', '2026-03-15']);
    expect(chosen.query).toBe('?range=4w');
  });

  it('widens custom dates to whole weeks and puts them in order', () => {
    const chosen = chooseRange({ from: '2026-02-20', to: '2026-01-07', days: '30' }, now);
    expect([chosen.from, chosen.to]).toEqual(['2026-01-05', '2026-02-22']);
    expect(chosen.query).toBe('?days=30&from=2026-01-05&to=2026-02-22');
  });

  it('ignores what is not a date or a sensible number of days', () => {
    expect(chooseRange({ from: '2026-02-30', range: 'forever', days: '-3' }, now)).toMatchObject({ preset: 'all', days: DEFAULT_AT_RISK_DAYS });
  });
});
