/**
 * Reporting weeks: Monday to Sunday in Pakistan time (UTC+5 all year; Pakistan has kept no
 * daylight saving since 2009). A week is stored as a whole number, so counters can be kept per
 * week and a date range becomes a range of integers on both databases.
 */
const DAY_MS = 86_400_000;
const PKT_OFFSET_MS = 5 * 3_600_000;
/** 1970-01-01 was a Thursday: day 4 (5 January) is the first Monday. */
const MONDAY_SHIFT = 3;

export interface WeekRange {
  /** First and last week, inclusive; null: no bound. */
  from: number | null;
  to: number | null;
}

export const ALL_WEEKS: WeekRange = { from: null, to: null };

/** Days since 1970-01-01 in Pakistan time. */
export function pakistanDay(instant: Date): number {
  return Math.floor((instant.getTime() + PKT_OFFSET_MS) / DAY_MS);
}

export function weekOf(instant: Date): number {
  return Math.floor((pakistanDay(instant) + MONDAY_SHIFT) / 7);
}

/** YYYY-MM-DD of a Pakistan calendar day number. */
export function dayToIso(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function isoToDay(iso: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return null;
  const ms = Date.parse(`${iso}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== iso) return null;
  return Math.floor(ms / DAY_MS);
}

export function weekOfIsoDate(iso: string): number | null {
  const day = isoToDay(iso);
  return day === null ? null : Math.floor((day + MONDAY_SHIFT) / 7);
}

/** The Monday (YYYY-MM-DD) a week starts on, and the Sunday it ends on. */
export function weekStart(week: number): string {
  return dayToIso(week * 7 - MONDAY_SHIFT);
}

export function weekEnd(week: number): string {
  return dayToIso(week * 7 - MONDAY_SHIFT + 6);
}

/** Today's calendar date in Pakistan. */
export function todayIso(now: Date): string {
  return dayToIso(pakistanDay(now));
}

/** Whole days from one instant to a later one (never negative). */
export function daysBetween(start: Date, end: Date): number {
  return Math.max(0, Math.floor((end.getTime() - start.getTime()) / DAY_MS));
}

export function inRange(week: number, range: WeekRange): boolean {
  return (range.from === null || week >= range.from) && (range.to === null || week <= range.to);
}
