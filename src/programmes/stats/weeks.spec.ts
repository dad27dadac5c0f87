import { daysBetween, isoToDay, weekEnd, weekOf, weekOfIsoDate, weekStart } from './weeks';

describe('reporting weeks', () => {
  it('runs from Monday to Sunday in Pakistan time', () => {
    const monday = weekOfIsoDate('2026-03-02') as number;
    expect(weekStart(monday)).toBe('2026-03-02');
    expect(weekEnd(monday)).toBe('2026-03-08');
    expect(weekOfIsoDate('2026-03-08')).toBe(monday);
    expect(weekOfIsoDate('2026-03-09')).toBe(monday + 1);
  });

  it('puts Sunday 20:00 UTC, already Monday 01:00 in Karachi, in the new week', () => {
    expect(weekOf(new Date('2026-03-08T18:59:59Z'))).toBe(weekOfIsoDate('2026-03-08'));
    expect(weekOf(new Date('2026-03-08T19:00:00Z'))).toBe(weekOfIsoDate('2026-03-09'));
  });

  it('refuses dates that do not exist', () => {
    expect(isoToDay('2026-02-30')).toBeNull();
    expect(isoToDay('30/01/2026')).toBeNull();
    expect(isoToDay('2026-01-30')).not.toBeNull();
  });

  it('counts whole days and never goes below zero', () => {
    expect(daysBetween(new Date('2026-01-01T10:00:00Z'), new Date('2026-01-03T09:59:59Z'))).toBe(1);
    expect(daysBetween(new Date('2026-01-03T00:00:00Z'), new Date('2026-01-01T00:00:00Z'))).toBe(0);
  });
});
