// 部署巡察 wizard: (1) round, dates and policy; (2) units by sector with their heads; (3) groups
// proposed from the leader and talent pools with reasons, accepted, trimmed or swapped (the API
// checks the same avoidance rules); (4) review and start.
// The API validates; its issues are shown beside the fields they name.
import { useState } from 'preact/hooks';
import { api, ApiFailure, errorText, fieldErrors, type Me } from './api';
import { EXPERTISE_LABELS } from '../../domain/groups';
import { ErrorBox, Field, navigate, SECTOR_LABELS, Select } from './ui';

interface PersonF {
  personId: string;
  name: string;
  email: string;
}
interface UnitF {
  unitId: string;
  name: string;
  sector: string;
  county: string;
  head: PersonF;
  group: { accepted: boolean; leaderEmail: string; phone: string; email: string; mailbox: string };
}
interface Pick {
  personId: string;
  name: string;
  reasons: string[];
}
interface PoolMember {
  personId: string;
  name: string;
  pool: 'leader' | 'talent';
  expertise: string[];
  available: boolean;
}
interface Proposal {
  groups: { unitId: string; leader?: Pick; members: Pick[] }[];
  exclusions: { unitId: string; personId: string; reason: string }[];
  unmet: { unitId: string; explanation: string }[];
}

const blankPerson = (): PersonF => ({ personId: '', name: '', email: '' });
const blankUnit = (): UnitF => ({
  unitId: '',
  name: '',
  sector: 'municipal',
  county: '本县',
  head: blankPerson(),
  group: { accepted: true, leaderEmail: '', phone: '', email: '', mailbox: '' },
});
const POLICY_FIELDS: [key: string, label: string, def: string][] = [
  ['preparation', '巡察准备期', '7 days'],
  ['stationing', '进驻时间', '30 days'],
  ['planWithin', '整改方案报送期限（反馈后）', '15 working-days'],
  ['rectificationReport', '整改报告报送期限（反馈后）', '2 months'],
];
const STEPS = ['轮次与时间', '被巡察单位', '组建巡察组', '核对并启动'];

/** Which step shows the field an API issue names. */
function stepOf(path: string): number {
  if (/^units\.\d+\.group/.test(path) || path.startsWith('groups')) return 2;
  if (path.startsWith('units')) return 1;
  return 0;
}
const today = () => new Date().toISOString().slice(0, 10).replace(/-/g, '');
const addDays = (days: number) => {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日`;
};
const daysOf = (s: string) => {
  const m = /^(\d+) days?$/.exec(s.trim());
  return m ? Number(m[1]) : undefined;
};

export function Wizard({ me }: { me: Me }) {
  const [step, setStep] = useState(0);
  const [round, setRound] = useState({ roundId: `round-${today()}`, name: '', kind: 'regular' });
  const [office, setOffice] = useState<PersonF>({ personId: me.personId, name: me.name, email: '' });
  const [jiwei, setJiwei] = useState<PersonF>(blankPerson());
  const [ducha, setDucha] = useState<PersonF>(blankPerson());
  const [policy, setPolicy] = useState<Record<string, string>>(Object.fromEntries(POLICY_FIELDS.map(([k, , d]) => [k, d])));
  const [units, setUnits] = useState<UnitF[]>([blankUnit()]);
  const [proposal, setProposal] = useState<Proposal>();
  const [pool, setPool] = useState<PoolMember[]>([]);
  const [swapIn, setSwapIn] = useState<Record<string, string>>({});
  const [swapError, setSwapError] = useState<{ key: string; message: string }>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string>();
  const [busy, setBusy] = useState(false);

  const setUnit = (i: number, f: (u: UnitF) => UnitF) => setUnits(units.map((u, j) => (j === i ? f(u) : u)));
  const personFields = (prefix: string, p: PersonF, set: (p: PersonF) => void, who: string) => (
    <div class="row">
      <Field label={`${who}姓名`} path={`${prefix}.name`} value={p.name} onInput={(v) => set({ ...p, name: v })} errors={errors} />
      <Field label={`${who}人员编号`} path={`${prefix}.personId`} value={p.personId} onInput={(v) => set({ ...p, personId: v })} errors={errors} hint="小写字母、数字和连字符" />
      <Field label={`${who}电子邮箱`} path={`${prefix}.email`} type="email" value={p.email} onInput={(v) => set({ ...p, email: v })} errors={errors} />
    </div>
  );

  async function propose() {
    setBusy(true);
    setMessage(undefined);
    try {
      const [p, members] = await Promise.all([api.post<Proposal>('/api/groups/propose', { units: formation() }), api.get<{ items: PoolMember[] }>('/api/groups/pool')]);
      setProposal(p);
      setPool(members.items);
    } catch (e) {
      setErrors(fieldErrors(e));
      setMessage(errorText(e));
    } finally {
      setBusy(false);
    }
  }
  const formation = () => units.map((u) => ({ unitId: u.unitId, name: u.name, sector: u.sector, county: u.county }));
  /** Swap a member for someone from the talent pool: the API checks the same avoidance rules. */
  async function swap(unitId: string, outPersonId: string) {
    const key = `${unitId}/${outPersonId}`;
    setSwapError(undefined);
    try {
      setProposal(await api.post<Proposal>('/api/groups/swap', { units: formation(), proposal, unitId, outPersonId, inPersonId: swapIn[key] ?? '' }));
    } catch (e) {
      setSwapError({ key, message: errorText(e) });
    }
  }
  const taken = new Set(proposal?.groups.flatMap((g) => [...(g.leader ? [g.leader.personId] : []), ...g.members.map((m) => m.personId)]) ?? []);
  const dropMember = (unitId: string, personId: string) =>
    proposal && setProposal({ ...proposal, groups: proposal.groups.map((g) => (g.unitId === unitId ? { ...g, members: g.members.filter((m) => m.personId !== personId) } : g)) });

  function setup() {
    const person = (p: PersonF) => ({ personId: p.personId.trim(), name: p.name.trim(), email: p.email.trim() });
    const filled = (p: PersonF) => !!(p.personId || p.name || p.email);
    return {
      roundId: round.roundId.trim(),
      name: round.name.trim(),
      kind: round.kind,
      contacts: { office: person(office), disciplineCommission: person(jiwei), ...(filled(ducha) ? { supervisionGroup: person(ducha) } : {}) },
      units: units.map((u) => {
        const g = proposal?.groups.find((x) => x.unitId === u.unitId);
        const group =
          g?.leader && u.group.accepted
            ? { group: { leader: { personId: g.leader.personId, name: g.leader.name, email: u.group.leaderEmail.trim() }, phone: u.group.phone.trim(), email: u.group.email.trim(), mailbox: u.group.mailbox.trim() } }
            : {};
        return { unitId: u.unitId.trim(), name: u.name.trim(), sector: u.sector, head: person(u.head), ...group };
      }),
      policy: Object.fromEntries(Object.entries(policy).filter(([, v]) => v.trim() !== '')),
      // The groups accepted here are kept in the ledger (巡察组组成), checked again by the API.
      groups: units.flatMap((u) => {
        const g = proposal?.groups.find((x) => x.unitId === u.unitId);
        return g?.leader && u.group.accepted ? [{ unitId: u.unitId.trim(), ...(u.county.trim() ? { county: u.county.trim() } : {}), leader: g.leader, members: g.members }] : [];
      }),
    };
  }

  async function start() {
    setBusy(true);
    setMessage(undefined);
    setErrors({});
    try {
      const body = setup();
      await api.post('/api/rounds', body);
      navigate(`/rounds/${encodeURIComponent(body.roundId)}`);
    } catch (e) {
      const fe = fieldErrors(e);
      setErrors(fe);
      setMessage(e instanceof ApiFailure && e.status === 400 ? `请更正标出的内容：${e.message}` : errorText(e));
      const first = Object.keys(fe)[0];
      if (first) setStep(stepOf(first));
    } finally {
      setBusy(false);
    }
  }

  const bySector = Object.keys(SECTOR_LABELS)
    .map((s) => ({ sector: s, list: units.map((u, i) => ({ u, i })).filter(({ u }) => u.sector === s) }))
    .filter((x) => x.list.length > 0);
  const prep = daysOf(policy.preparation ?? '');
  const stay = daysOf(policy.stationing ?? '');

  return (
    <section class="page" data-testid="wizard">
      <h1>部署一轮巡察</h1>
      <ol class="steps">
        {STEPS.map((s, i) => (
          <li key={s} class={i === step ? 'current' : i < step ? 'done' : ''}>
            <button type="button" class="link" data-testid={`wizard-step-${i + 1}`} onClick={() => setStep(i)}>
              第{i + 1}步 {s}
            </button>
          </li>
        ))}
      </ol>
      <ErrorBox message={message} testid="wizard-error" />

      {step === 0 && (
        <div class="card">
          <h2>轮次与时间</h2>
          <div class="row">
            <Field label="轮次名称" path="name" value={round.name} onInput={(v) => setRound({ ...round, name: v })} errors={errors} placeholder="如：县委第九轮巡察" />
            <Field label="轮次编号" path="roundId" value={round.roundId} onInput={(v) => setRound({ ...round, roundId: v })} errors={errors} hint="小写字母、数字和连字符" />
            <Select
              label="巡察类型"
              path="kind"
              value={round.kind}
              onChange={(v) => setRound({ ...round, kind: v })}
              errors={errors}
              options={[
                ['regular', '常规巡察'],
                ['special', '专项巡察'],
                ['linked', '提级巡察/联动巡察'],
                ['cross', '交叉巡察'],
              ]}
            />
          </div>
          <h3>时间安排（留空则按默认政策）</h3>
          <div class="row">
            {POLICY_FIELDS.map(([k, l, d]) => (
              <Field key={k} label={l} path={`policy.${k}`} value={policy[k] ?? ''} onInput={(v) => setPolicy({ ...policy, [k]: v })} errors={errors} hint={`默认 ${d}`} />
            ))}
          </div>
          {prep !== undefined && stay !== undefined && (
            <p class="muted" data-testid="wizard-dates">
              预计进驻：{addDays(prep)} 至 {addDays(prep + stay)}（以启动日起算）
            </p>
          )}
          <h3>联系人</h3>
          {personFields('contacts.office', office, setOffice, '巡察办联系人')}
          {personFields('contacts.disciplineCommission', jiwei, setJiwei, '纪委监委联系人')}
          {personFields('contacts.supervisionGroup', ducha, setDucha, '督查组联系人（可选）')}
        </div>
      )}

      {step === 1 && (
        <div class="card">
          <h2>被巡察单位（按领域分组）</h2>
          {bySector.map(({ sector, list }) => (
            <fieldset key={sector} class="sector" data-testid={`sector-${sector}`}>
              <legend>{SECTOR_LABELS[sector as keyof typeof SECTOR_LABELS]}</legend>
              {list.map(({ u, i }) => (
                <div class="unit-card" key={i} data-testid={`unit-${i}`}>
                  <div class="row">
                    <Field label="单位名称" path={`units.${i}.name`} value={u.name} onInput={(v) => setUnit(i, (x) => ({ ...x, name: v }))} errors={errors} />
                    <Field label="单位编号" path={`units.${i}.unitId`} value={u.unitId} onInput={(v) => setUnit(i, (x) => ({ ...x, unitId: v }))} errors={errors} />
                    <Select
                      label="所属领域"
                      path={`units.${i}.sector`}
                      value={u.sector}
                      onChange={(v) => setUnit(i, (x) => ({ ...x, sector: v }))}
                      errors={errors}
                      options={Object.entries(SECTOR_LABELS)}
                    />
                    <Field label="所在县区" path={`units.${i}.county`} value={u.county} onInput={(v) => setUnit(i, (x) => ({ ...x, county: v }))} errors={errors} />
                  </div>
                  {personFields(`units.${i}.head`, u.head, (p) => setUnit(i, (x) => ({ ...x, head: p })), '主要负责人')}
                  {units.length > 1 && (
                    <button type="button" class="secondary" onClick={() => setUnits(units.filter((_, j) => j !== i))}>
                      移除此单位
                    </button>
                  )}
                </div>
              ))}
            </fieldset>
          ))}
          <button type="button" class="secondary" data-testid="add-unit" onClick={() => setUnits([...units, blankUnit()])}>
            添加单位
          </button>
        </div>
      )}

      {step === 2 && (
        <div class="card">
          <h2>组建巡察组</h2>
          <p class="muted">从组长库、人才库按专长匹配并执行回避规定，可逐组采纳或调整。</p>
          <button type="button" data-testid="propose-groups" disabled={busy} onClick={() => void propose()}>
            生成组建建议
          </button>
          {proposal && (
            <div data-testid="proposal">
              {units.map((u, i) => {
                const g = proposal.groups.find((x) => x.unitId === u.unitId);
                if (!g) return null;
                return (
                  <div class="unit-card" key={u.unitId} data-testid={`group-${u.unitId}`}>
                    <h3>{u.name} 巡察组</h3>
                    {g.leader ? (
                      <p>
                        组长：<strong>{g.leader.name}</strong> <span class="reason">— {g.leader.reasons.join('；')}</span>
                      </p>
                    ) : (
                      <p class="warn">无可用组长</p>
                    )}
                    <ul>
                      {g.members.map((m) => (
                        <li key={m.personId}>
                          组员：<strong>{m.name}</strong> <span class="reason">— {m.reasons.join('；')}</span>{' '}
                          <button type="button" class="link" onClick={() => dropMember(u.unitId, m.personId)}>
                            调出
                          </button>
                          <span class="swap">
                            <label>
                              换为{' '}
                              <select
                                data-testid={`swap-in-${m.personId}`}
                                value={swapIn[`${u.unitId}/${m.personId}`] ?? ''}
                                onChange={(e) => setSwapIn({ ...swapIn, [`${u.unitId}/${m.personId}`]: (e.currentTarget as HTMLSelectElement).value })}
                              >
                                <option value="">（选择人才库人选）</option>
                                {pool
                                  .filter((p) => p.pool === 'talent' && p.available && !taken.has(p.personId))
                                  .map((p) => (
                                    <option key={p.personId} value={p.personId}>
                                      {p.name}（{p.expertise.map((x) => EXPERTISE_LABELS[x as keyof typeof EXPERTISE_LABELS] ?? x).join('、')}）
                                    </option>
                                  ))}
                              </select>
                            </label>{' '}
                            <button type="button" class="secondary" data-testid={`swap-${m.personId}`} onClick={() => void swap(u.unitId, m.personId)}>
                              换人
                            </button>
                          </span>
                          {swapError?.key === `${u.unitId}/${m.personId}` && <span class="field-error" data-testid={`swap-error-${m.personId}`}>{swapError.message}</span>}
                        </li>
                      ))}
                    </ul>
                    <label class="check">
                      <input type="checkbox" checked={u.group.accepted} onChange={(e) => setUnit(i, (x) => ({ ...x, group: { ...x.group, accepted: (e.currentTarget as HTMLInputElement).checked } }))} />
                      采纳此组并在巡察公告中公布
                    </label>
                    {g.leader && u.group.accepted && (
                      <div class="row">
                        <Field label="组长电子邮箱" path={`units.${i}.group.leader.email`} type="email" value={u.group.leaderEmail} onInput={(v) => setUnit(i, (x) => ({ ...x, group: { ...x.group, leaderEmail: v } }))} errors={errors} />
                        <Field label="举报电话" path={`units.${i}.group.phone`} value={u.group.phone} onInput={(v) => setUnit(i, (x) => ({ ...x, group: { ...x.group, phone: v } }))} errors={errors} />
                        <Field label="举报邮箱" path={`units.${i}.group.email`} type="email" value={u.group.email} onInput={(v) => setUnit(i, (x) => ({ ...x, group: { ...x.group, email: v } }))} errors={errors} />
                        <Field label="意见箱位置" path={`units.${i}.group.mailbox`} value={u.group.mailbox} onInput={(v) => setUnit(i, (x) => ({ ...x, group: { ...x.group, mailbox: v } }))} errors={errors} />
                      </div>
                    )}
                  </div>
                );
              })}
              {proposal.exclusions.length > 0 && (
                <details>
                  <summary>回避排除 {proposal.exclusions.length} 人次</summary>
                  <ul>
                    {proposal.exclusions.map((x, i) => (
                      <li key={i}>
                        {x.personId}：{x.reason}
                      </li>
                    ))}
                  </ul>
                </details>
              )}
              {proposal.unmet.map((x, i) => (
                <p key={i} class="warn">
                  {x.explanation}
                </p>
              ))}
            </div>
          )}
        </div>
      )}

      {step === 3 && (
        <div class="card" data-testid="wizard-review">
          <h2>核对并启动</h2>
          <dl class="summary">
            <dt>轮次</dt>
            <dd>
              {round.name}（{round.roundId}）
            </dd>
            <dt>巡察办联系人</dt>
            <dd>
              {office.name} {office.email}
            </dd>
            <dt>纪委监委联系人</dt>
            <dd>
              {jiwei.name} {jiwei.email}
            </dd>
            <dt>时间安排</dt>
            <dd>{POLICY_FIELDS.map(([k, l]) => `${l}：${policy[k] || '默认'}`).join('；')}</dd>
          </dl>
          <table>
            <thead>
              <tr>
                <th>单位</th>
                <th>领域</th>
                <th>主要负责人</th>
                <th>巡察组组长</th>
              </tr>
            </thead>
            <tbody>
              {setup().units.map((u) => (
                <tr key={u.unitId}>
                  <td>{u.name}</td>
                  <td>{SECTOR_LABELS[u.sector as keyof typeof SECTOR_LABELS]}</td>
                  <td>
                    {u.head.name}（{u.head.email}）
                  </td>
                  <td>{'group' in u && u.group ? u.group.leader.name : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" data-testid="start-round" disabled={busy} onClick={() => void start()}>
            启动巡察
          </button>
        </div>
      )}

      <div class="wizard-nav">
        {step > 0 && (
          <button type="button" class="secondary" data-testid="wizard-back" onClick={() => setStep(step - 1)}>
            上一步
          </button>
        )}
        {step < 3 && (
          <button type="button" data-testid="wizard-next" onClick={() => setStep(step + 1)}>
            下一步
          </button>
        )}
      </div>
    </section>
  );
}
