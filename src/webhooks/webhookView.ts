import type { AccessPolicy, CallerView } from '../access/AccessPolicy.js';
import { ANONYMOUS_GROUP } from '../access/principal.js';
import type { WebhookConfig } from '../config/schema.js';

/**
 * The view a webhook receives: exactly what a caller in the `as` groups sees (DESIGN §3), narrowed
 * to the named `registries` when they are not `["*"]` — the aggregated view as if only those
 * registries were configured (priority order kept). Never more than the groups' view.
 */
export function webhookView(access: AccessPolicy, hook: Pick<WebhookConfig, 'as' | 'registries'>, registryNames: readonly string[]): CallerView {
  const anonymous = hook.as.every((g) => g === ANONYMOUS_GROUP);
  const base = access.viewFor({ groups: hook.as, scopes: [], anonymous });
  if (hook.registries.includes('*')) return base;
  const allowed = new Set(hook.registries.map((r) => registryNames.indexOf(r)).filter((i) => i >= 0));
  return {
    admin: false,
    registries: base.registries.filter((i) => allowed.has(i)),
    canSee: (i, name) => allowed.has(i) && base.canSee(i, name),
    canPublish: () => false,
    hasPublishRules: () => false,
  };
}
