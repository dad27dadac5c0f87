import { ALL_WEEKS, isoToDay, WeekRange, weekEnd, weekOf, weekOfIsoDate, weekStart } from '../programmes/stats/weeks';

export const PRESETS = ['all', '4w', '13w', '52w'] as const;
export type Preset = (typeof PRESETS)[number] | 'custom';

export interface ChosenRange {
  range: WeekRange;
  preset: Preset;
  /** The dates shown in the form and the heading: Monday of the first week, Sunday of the last. */
  from: string | null;
  to: string | null;
  /** Query string that keeps the choice on links (exports, drill-downs). */
  query: string;
  days: number;
}

export const DEFAULT_AT_RISK_DAYS = 14;

/**
 * Reads ?range=4w|13w|52w|all or ?from=YYYY-MM-DD&to=YYYY-MM-DD, and ?days= for "at risk".
 * Ranges are whole reporting weeks (Monday–Sunday, Pakistan time): the counters are weekly,
 * and every figure on the page covers exactly the weeks stated at its top.
 */
export function chooseRange(query: Record<string, unknown>, now: Date): ChosenRange {
  const rawDays = Number(query.days);
  const days = Number.isInteger(rawDays) && rawDays >= 1 && rawDays <= 365 ? rawDays : DEFAULT_AT_RISK_DAYS;
  const thisWeek = weekOf(now);
  const fromWeek = typeof query.from === 'string' && isoToDay(query.from) !== null ? weekOfIsoDate(query.from) : null;
  const toWeek = typeof query.to === 'string' && isoToDay(query.to) !== null ? weekOfIsoDate(query.to) : null;
  const params = new URLSearchParams();
  if (days !== DEFAULT_AT_RISK_DAYS) params.set('days', String(days));

  let range: WeekRange = ALL_WEEKS;
  let preset: Preset = 'all';
  if (fromWeek !== null || toWeek !== null) {
    const from = fromWeek !== null && toWeek !== null ? Math.min(fromWeek, toWeek) : fromWeek;
    const to = fromWeek !== null && toWeek !== null ? Math.max(fromWeek, toWeek) : toWeek;
    range = { from, to };
    preset = 'custom';
    if (from !== null) params.set('from', weekStart(from));
    if (to !== null) params.set('to', weekEnd(to));
  } else if (typeof query.range === 'string' && (PRESETS as readonly string[]).includes(query.range) && query.range !== 'all') {
    preset = query.range as Preset;
    range = { from: thisWeek - Number.parseInt(query.range, 10) + 1, to: thisWeek };
    params.set('range', query.range);
  }
  const qs = params.toString();
  return {
    range,
    preset,
    from: range.from !== null ? weekStart(range.from) : null,
    to: range.to !== null ? weekEnd(range.to) : null,
    query: qs ? `?${qs}` : '',
    days,
  };
}

