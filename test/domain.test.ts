// Pure rules: durations, the statutory calendar, configuration, policy.
import { addDuration, nextOfficeTime, officeMorningOnOrBefore } from '../src/activities/calendar';
import { loadConfig, redactConfig } from '../src/config';
import { fixedMs, parseDuration } from '../src/domain/duration';
import { rectificationRate } from '../src/domain/rate';
import { RoundSetup } from '../src/domain/round';
import { DEFAULT_POLICY, RoundPolicy } from '../src/domain/policy';
import { parseOrThrow } from '../src/domain/validation';
import { sampleRound, stripEmails } from './support/helpers';

test('durations parse the way an office writes them', () => {
  expect(parseDuration('30 days')).toEqual({ sign: 1, amount: 30, unit: 'day' });
  expect(parseDuration('-20 days')).toEqual({ sign: -1, amount: 20, unit: 'day' });
  expect(parseDuration('15 working-days')).toEqual({ sign: 1, amount: 15, unit: 'working-day' });
  expect(fixedMs('30 days')).toBe(30 * 86_400_000);
  expect(() => fixedMs('2 months')).toThrow('needs the calendar activity');
  expect(() => parseDuration('a fortnight')).toThrow('invalid duration "a fortnight"');
});

test('months and working days land at the end of a Shanghai day; 调休 weekends count as working days', () => {
  // Feedback on 2026-11-23 10:00 Shanghai; two months later is 2027-01-23, end of day.
  expect(addDuration('2026-11-23T02:00:00.000Z', '2 months')).toBe('2027-01-23T15:59:59.999Z');
  // Month ends clamp: 2026-12-31 + 2 months = 2027-02-28.
  expect(addDuration('2026-12-31T02:00:00.000Z', '2 months')).toBe('2027-02-28T15:59:59.999Z');
  // 15 working days from 2026-09-28 skip the National Day holiday and include Saturday 10-10 (调休).
  expect(addDuration('2026-09-28T02:00:00.000Z', '15 working-days')).toBe('2026-10-23T15:59:59.999Z');
  expect(addDuration('2026-11-23T02:00:00.000Z', '30 days')).toBe('2026-12-23T02:00:00.000Z');
});

test('day-level notices go out in office hours on working days', () => {
  // Saturday 2026-11-28 23:00 Shanghai → Monday 09:00.
  expect(nextOfficeTime('2026-11-28T15:00:00.000Z')).toBe('2026-11-30T01:00:00.000Z');
  // A Tuesday 10:00 stays put.
  expect(nextOfficeTime('2026-11-24T02:00:00.000Z')).toBe('2026-11-24T02:00:00.000Z');
  // A reminder due on National Day (a holiday) moves to the working day before, not after.
  expect(officeMorningOnOrBefore('2026-10-03T04:00:00.000Z')).toBe('2026-09-30T01:00:00.000Z');
  // Never after the instant: at 00:20 on a Monday (Shanghai) the last office morning is Friday's.
  expect(officeMorningOnOrBefore('2027-07-11T16:20:00.000Z')).toBe('2027-07-09T01:00:00.000Z');
  expect(officeMorningOnOrBefore('2026-11-24T00:59:59.999Z')).toBe('2026-11-23T01:00:00.000Z');
  expect(officeMorningOnOrBefore('2026-11-24T01:00:00.000Z')).toBe('2026-11-24T01:00:00.000Z');
  // Checked across a year of instants every 37 minutes: at or before, a working day, 09:00 Shanghai.
  for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 37 * 60_000) {
    const m = Date.parse(officeMorningOnOrBefore(new Date(t).toISOString()));
    expect(m).toBeLessThanOrEqual(t);
    expect(t - m).toBeLessThan(12 * 86_400_000);
    expect(new Date(m + 8 * 3_600_000).toISOString().slice(11, 19)).toBe('09:00:00');
  }
});

test('configuration: defaults, and a bad value names the variable and the rule', () => {
  const c = loadConfig({});
  expect(c.SMTP_PORT).toBe(1025);
  expect(c.SMTP_SECURE).toBe(false);
  expect(() => loadConfig({ SMTP_PORT: 'seventy' })).toThrow(/^configuration: SMTP_PORT: /);
  expect(() => loadConfig({ SMTP_SECURE: 'yes' })).toThrow('configuration: SMTP_SECURE: must be "true" or "false"');
  expect(() => loadConfig({ DATABASE_URL: 'mysql://x/y' })).toThrow('configuration: DATABASE_URL: must be a postgres:// URL');
  const shown = JSON.stringify(redactConfig(loadConfig({ DATABASE_URL: 'postgres://app:s3cret@db:5432/xuncha', SMTP_PASS: 'hunter2' })));
  expect(shown).not.toContain('s3cret');
  expect(shown).not.toContain('hunter2');
});

test('round setup is validated at the edge with the field named', () => {
  const good = stripEmails(sampleRound('r1'));
  expect(parseOrThrow(RoundSetup, good, 'round').policy).toBeUndefined();
  const dup = { ...good, units: [good.units[0], good.units[0]] };
  expect(() => parseOrThrow(RoundSetup, dup, 'round')).toThrow('round: units.1.unitId: duplicate unit id "fb-r1"');
  expect(() => parseOrThrow(RoundSetup, { ...good, policy: { stationing: 'forever' } }, 'round')).toThrow('round: policy.stationing: must be a duration');
  expect(() => parseOrThrow(RoundSetup, { ...good, units: [] }, 'round')).toThrow('round: units: Too small');
  const badEmail = { ...good, contacts: { ...good.contacts, office: { ...good.contacts.office, email: 'not-an-address' } } };
  expect(() => parseOrThrow(RoundSetup, badEmail, 'round')).toThrow('round: contacts.office.email: Invalid email address');
});

test('the rectification rate is exact: Wuhai 121 of 128 is 94.53%, 84 of 91 is 92.31%', () => {
  expect(rectificationRate(121, 128)).toEqual({ closed: 121, total: 128, percent: 94.53, label: '94.53%' });
  expect(rectificationRate(84, 91).percent).toBe(92.31);
  expect(rectificationRate(1, 2).label).toBe('50%');
  expect(rectificationRate(0, 0).percent).toBe(100);
  expect(() => rectificationRate(3, 2)).toThrow('invalid rate 3/2');
});

test('the default policy is the seeds’ own: 30-day stationing, 15 working days to plan, two months to report, 20/10-day reminders, 7/30-day ladder', () => {
  expect(RoundPolicy.parse(DEFAULT_POLICY)).toEqual(DEFAULT_POLICY);
  expect(DEFAULT_POLICY).toMatchObject({ stationing: '30 days', planWithin: '15 working-days', rectificationReport: '2 months', clueReportBack: '6 months', lookBackAfter: '6 months', longTermCheckIn: '3 months', democraticLifeMeetingBelowRate: 0.5 });
  expect(DEFAULT_POLICY.itemTimeline.map((s) => `${s.key}@${s.offset}`)).toEqual(['green@-20 days', 'yellow@-10 days', 'red@0 days', 'urge@0 days', 'interview@7 days', 'referral@30 days']);
});
