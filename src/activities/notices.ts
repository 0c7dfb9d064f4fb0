import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import type { Config } from '../config';
import type { RecipientRole } from '../domain/people';
import type { NoticeTemplate } from '../domain/policy';
import { renderNotice } from '../domain/templates';
import { applyEvent } from '../ledger/events';
import { markError, markSent, noticeNames, recordNotice, resolveRecipients, type Recipient } from '../ledger/notices';
import type { Mailer } from './mailer';

export interface NoticeRequest {
  /** Deterministic per notice occasion, e.g. `round/r1/unit/u1/item/i1:green`; one e-mail per key and person. */
  key: string;
  template: NoticeTemplate;
  roundId: string;
  unitId?: string;
  itemId?: string;
  to: RecipientRole[];
  /** Named people (e.g. a functional department's contact), in addition to roles. */
  toPersonIds?: string[];
  itemTitle?: string;
  deadline?: string;
  data?: Record<string, string>;
  /** Spot checks: the notice row stays out of the unit's sight until then. */
  confidentialUntil?: string;
}
export interface NoticeResult {
  sent: string[];
  alreadySent: string[];
  failed: { email: string; error: string }[];
  noRecipient: RecipientRole[];
}

/** A refused address is not retried forever: it becomes a task for the office to fix the directory. */
async function openBadAddressTask(pool: Pool, req: NoticeRequest, recipient: Recipient, key: string, error: string): Promise<void> {
  const dueAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
  await applyEvent(pool, {
    type: 'task.opened',
    eventKey: `${key}:bad-address`,
    at: new Date().toISOString(),
    actor: 'system',
    task: {
      taskId: `${key}:bad-address`,
      roundId: req.roundId,
      unitId: req.unitId,
      itemId: req.itemId,
      kind: 'fix-notice-address',
      assigneeRole: 'office',
      subject: `通知无法送达：${recipient.name} <${recipient.email}>（${error.slice(0, 120)}），请核实通讯录后重发`,
      dueAt,
      workflowId: '',
      updateName: '',
    },
  });
}

/** An SMTP 5xx on the recipient is permanent: retrying will not make the address exist. */
function isPermanent(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string };
  return typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
}

export function createNoticeActivities(deps: { pool: Pool; mailer: Mailer; config: Config }) {
  const { pool, mailer, config } = deps;
  return {
    /**
     * Record (counting the attempt), then send, then mark sent. A retry (or a restarted worker) finds the row: a sent row
     * is skipped, a pending row is sent. The Message-ID is derived from the key so that a receiver
     * can also recognise the one narrow case left (accepted by SMTP, worker died before marking).
     */
    async sendNotice(req: NoticeRequest): Promise<NoticeResult> {
      const result: NoticeResult = { sent: [], alreadySent: [], failed: [], noRecipient: [] };
      const { recipients, unresolved } = await resolveRecipients(pool, {
        roundId: req.roundId,
        unitId: req.unitId,
        itemId: req.itemId,
        roles: req.to,
        personIds: req.toPersonIds,
      });
      result.noRecipient = unresolved;
      const names = await noticeNames(pool, req.roundId, req.unitId);
      const link = new URL(
        req.itemId ? `/rounds/${req.roundId}/units/${req.unitId}/items/${req.itemId}` : `/rounds/${req.roundId}`,
        config.CONSOLE_URL,
      ).toString();
      let transientError: unknown;
      for (const recipient of recipients) {
        const key = `${req.key}:${recipient.personId}`;
        const facts = { itemTitle: req.itemTitle, deadline: req.deadline, data: req.data, link };
        const rendered = renderNotice(req.template, { recipientName: recipient.name, roundName: names.roundName, unitName: names.unitName, ...facts });
        const row = await recordNotice(pool, { ...req, key, recipient, subject: rendered.subject, confidentialUntil: req.confidentialUntil, context: facts });
        if (row.state === 'sent') {
          result.alreadySent.push(recipient.email);
          continue;
        }
        if (row.state === 'failed') {
          result.failed.push({ email: recipient.email, error: row.last_error ?? 'failed' });
          continue;
        }
        const ctx = Context.current();
        ctx.heartbeat(key);
        // Heartbeat while the relay works, so a dead worker is noticed in seconds and a slow relay is not mistaken for one.
        const beat = setInterval(() => ctx.heartbeat(key), 3_000);
        try {
          const info = await mailer.sendMail({
            from: config.MAIL_FROM,
            to: { name: recipient.name, address: recipient.email },
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            messageId: `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@xuncha>`,
            headers: { 'X-Xuncha-Notice-Key': key },
          });
          await markSent(pool, key, info.messageId);
          result.sent.push(recipient.email);
        } catch (err) {
          const message = (err as Error).message;
          const permanent = isPermanent(err);
          await markError(pool, key, message, permanent);
          if (permanent) {
            result.failed.push({ email: recipient.email, error: message });
            await openBadAddressTask(pool, req, recipient, key, message);
          } else transientError ??= err;
        } finally {
          clearInterval(beat);
        }
      }
      // Throwing makes Temporal retry with backoff; what was sent already is skipped next time.
      if (transientError) throw transientError;
      return result;
    },
  };
}
