import type { CrossProblem } from './crossChecks.js';

interface Shape {
  registries: ReadonlyArray<{ name: string }>;
  webhooks: ReadonlyArray<{ name: string; registries: readonly string[] }>;
}

/**
 * Cross-field checks of the `webhooks:` block: unique names, and `registries` naming configured
 * registries (or `*` alone, the aggregated view).
 */
export function webhookChecks(cfg: Shape): CrossProblem[] {
  const out: CrossProblem[] = [];
  const registries = new Set(cfg.registries.map((r) => r.name));
  const seen = new Map<string, number>();
  cfg.webhooks.forEach((w, i) => {
    const first = seen.get(w.name);
    if (first !== undefined) out.push({ path: ['webhooks', i, 'name'], message: `duplicate webhook name "${w.name}" (also webhooks[${first}])` });
    else seen.set(w.name, i);
    if (w.registries.includes('*') && w.registries.length > 1) out.push({ path: ['webhooks', i, 'registries'], message: '"*" (the aggregated view) cannot be combined with registry names' });
    w.registries.forEach((r, j) => {
      if (r !== '*' && !registries.has(r)) out.push({ path: ['webhooks', i, 'registries', j], message: `no registry named "${r}"` });
    });
  });
  return out;
}
