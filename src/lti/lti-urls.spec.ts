import { parseDeploymentIds } from './lti-platforms.service';
import { retryAt, scoresUrl } from './lti-scores.service';

describe('scoresUrl', () => {
  it('adds /scores to the line item path and keeps its query string (Moodle line items carry one)', () => {
    expect(scoresUrl('https://moodle.example/mod/lti/services.php/2/lineitems/7/lineitem?type_id=3')).toBe(
      'https://moodle.example/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=3',
    );
  });

  it('does not double a trailing slash', () => {
    expect(scoresUrl('https://lms.example/lineitems/7/')).toBe('https://lms.example/lineitems/7/scores');
  });
});

describe('parseDeploymentIds', () => {
  it('takes ids separated by commas or lines, trimmed, blanks dropped, each once', () => {
    expect(parseDeploymentIds(' 1, 2\n3\n\n, 2 ')).toEqual(['1', '2', '3']);
    expect(parseDeploymentIds(' , ')).toEqual([]);
  });
});

describe('retryAt', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  const minutes = (attempts: number) => (retryAt(attempts, now).getTime() - now.getTime()) / 60_000;

  it('waits 15 minutes after the first job, doubling with each job that gave up, at most a day', () => {
    expect(minutes(0)).toBe(15);
    expect(minutes(5)).toBe(15);
    expect(minutes(6)).toBe(30);
    expect(minutes(12)).toBe(60);
    expect(minutes(600)).toBe(24 * 60);
  });
});
