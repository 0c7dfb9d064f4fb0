/** 整改率: closed items over all items, exact to two decimals (Wuhai: 121 of 128 → 94.53%). */
export interface Rate {
  closed: number;
  total: number;
  /** Percent, rounded half up to two decimals; 100 when there is nothing to rectify. */
  percent: number;
  label: string;
}

export function rectificationRate(closed: number, total: number): Rate {
  if (!Number.isInteger(closed) || !Number.isInteger(total) || closed < 0 || total < 0 || closed > total) {
    throw new Error(`invalid rate ${closed}/${total}`);
  }
  // Integer arithmetic: basis points, rounded half up, so 121/128 is 94.53 and never 94.52999.
  const bp = total === 0 ? 10_000 : Math.floor((closed * 20_000 + total) / (2 * total));
  const percent = bp / 100;
  return { closed, total, percent, label: `${percent.toFixed(2).replace(/\.?0+$/, '')}%` };
}
