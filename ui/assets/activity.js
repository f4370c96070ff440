// Activity (admins): recent audit events (GET /v0.1/audit) and webhook deliveries
// (GET /v0.1/webhooks, when this gateway has webhooks).
import { api } from './api.js';
import { h, notice, replace, table, time } from './dom.js';

export async function activityPage({ main, session, signInPrompt }) {
  if (!session.admin) return signInPrompt('Activity');
  const audit = h('div', {});
  const hooks = h('div', {});
  replace(
    main,
    h('h1', {}, 'Activity'),
    h('section', { 'aria-labelledby': 'audit-h' }, h('h2', { id: 'audit-h' }, 'Audit events'), audit),
    h('section', { 'aria-labelledby': 'hooks-h' }, h('h2', { id: 'hooks-h' }, 'Webhook deliveries'), hooks),
  );
  await Promise.all([loadAudit(audit), loadWebhooks(hooks)]);
}

const DETAIL_SKIP = new Set(['id', 'at', 'action', 'outcome', 'subject', 'level']);

async function loadAudit(el) {
  try {
    const { events } = await api('/v0.1/audit', { query: { limit: 100 } });
    if (events.length === 0) return replace(el, notice('No audit events yet.'));
    replace(
      el,
      table(
        'Recent audit events',
        ['Time', 'Action', 'Outcome', 'Who', 'Details'],
        events.map((e) =>
          h(
            'tr',
            {},
            h('td', {}, time(e.at)),
            h('th', { scope: 'row' }, e.action ?? ''),
            h('td', {}, h('span', { class: `badge ${e.outcome}` }, e.outcome ?? '')),
            h('td', {}, e.subject ?? ''),
            h('td', { class: 'desc' }, Object.entries(e).filter(([k]) => !DETAIL_SKIP.has(k)).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' ')),
          ),
        ),
      ),
    );
  } catch (err) {
    replace(el, notice(`Could not load audit events: ${err.message}`, 'error'));
  }
}

async function loadWebhooks(el) {
  let data;
  try {
    data = await api('/v0.1/webhooks');
  } catch (err) {
    if ([404, 405, 501].includes(err.status)) return replace(el, notice('No webhooks: this gateway has none configured.'));
    return replace(el, notice(`Could not load webhooks: ${err.message}`, 'error'));
  }
  const webhooks = Array.isArray(data?.webhooks) ? data.webhooks : [];
  if (webhooks.length === 0) return replace(el, notice('No webhooks configured.'));
  replace(el, webhooks.map(webhook));
}

/** One webhook (the shape of GET /v0.1/webhooks): its state, what is pending, recent attempts. */
function webhook(w) {
  const deliveries = w.deliveries ?? [];
  const facts = [
    ['State', w.state ?? '—'],
    ['Behind by', typeof w.lagMs === 'number' ? `${Math.round(w.lagMs / 1000)} s` : '—'],
    ['Last success', time(w.lastSuccessAt, 'never')],
    w.pending ? ['Pending', `attempt ${w.pending.attempts}${w.pending.lastError ? ` — ${w.pending.lastError}` : ''}`, w.pending.nextAttemptAt ? [' (next ', time(w.pending.nextAttemptAt), ')'] : null] : null,
  ].filter(Boolean);
  return h(
    'div',
    { class: 'webhook' },
    h('h3', {}, w.name ?? 'webhook', w.url ? h('span', { class: 'muted' }, ` → ${w.url}`) : null),
    h('dl', { class: 'facts' }, facts.map(([k, ...v]) => [h('dt', {}, k), h('dd', {}, ...v)])),
    deliveries.length === 0
      ? notice('No deliveries yet.')
      : table(
          `Deliveries of ${w.name ?? 'webhook'}`,
          ['When', 'Message', 'Status', 'Attempt', 'Error'],
          deliveries.map((d) =>
            h(
              'tr',
              {},
              h('td', {}, time(d.at)),
              h('th', { scope: 'row' }, String(d.messageId ?? d.position ?? '')),
              h('td', {}, h('span', { class: `badge ${d.status}` }, String(d.status ?? '')), d.httpStatus ? ` (HTTP ${d.httpStatus})` : ''),
              h('td', { class: 'num' }, String(d.attempt ?? '')),
              h('td', { class: 'desc' }, String(d.error ?? '')),
            ),
          ),
        ),
  );
}
