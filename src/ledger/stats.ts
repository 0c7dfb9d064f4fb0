import type { Pool } from 'pg';
import { z } from 'zod';

const num = z.coerce.number();
export const UnitStatistics = z.object({
  round_id: z.string(),
  unit_id: z.string(),
  unit_name: z.string(),
  sector: z.string(),
  phase: z.string(),
  problems: num,
  fixed_on_the_spot: num,
  items: num,
  items_closed: num,
  items_overdue: num,
  items_long_term: num,
  progress_not_done: num,
  progress_mostly_done: num,
  progress_done: num,
  rate_percent: num,
  losses_recovered_yuan: num,
  rules_made: num,
  people_held_accountable: num,
  people_interviewed: num,
  clues_to_discipline: num,
  clues_to_organisation: num,
  people_disciplined: num,
  escalations: num,
});
export type UnitStatistics = z.infer<typeof UnitStatistics>;

export async function unitStatistics(pool: Pool, roundId: string): Promise<UnitStatistics[]> {
  const { rows } = await pool.query('SELECT * FROM unit_statistics WHERE round_id = $1 ORDER BY unit_id', [roundId]);
  return rows.map((r) => UnitStatistics.parse(r));
}

/** The same figures summed over a round's units. */
export const RoundStatistics = UnitStatistics.pick({
  round_id: true,
  problems: true,
  items: true,
  items_closed: true,
  items_overdue: true,
  rate_percent: true,
  losses_recovered_yuan: true,
  rules_made: true,
  people_held_accountable: true,
  people_interviewed: true,
  clues_to_discipline: true,
  clues_to_organisation: true,
  people_disciplined: true,
  escalations: true,
}).extend({ units: num });
export async function roundStatistics(pool: Pool, roundId: string): Promise<z.infer<typeof RoundStatistics> | undefined> {
  const { rows } = await pool.query('SELECT * FROM round_statistics WHERE round_id = $1', [roundId]);
  return rows[0] ? RoundStatistics.parse(rows[0]) : undefined;
}

export async function problemCategories(pool: Pool, roundId: string): Promise<{ category: string; problems: number }[]> {
  const { rows } = await pool.query(
    'SELECT category, sum(problems)::int AS problems FROM problem_categories WHERE round_id = $1 GROUP BY category ORDER BY category',
    [roundId],
  );
  return rows.map((r) => z.object({ category: z.string(), problems: num }).parse(r));
}
