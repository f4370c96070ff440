import type { GatewayConfig } from '../config/schema.js';
import { compileGlobs, matchesEverything, type GlobMatcher } from './glob.js';
import type { Principal } from './principal.js';
import { anyOf, grantSkip, type SkipFn } from './nameSkip.js';
import type { Visibility } from '../catalog/visibility.js';

/**
 * What one caller may see: the only source of visibility decisions, used by every route and pushed
 * into every index query (lists, search, versions, detail, cursors, counts, `alsoIn`).
 */
export interface CallerView extends Visibility {
  /** True when the caller may publish or edit `name` in (managed) registry `i`. */
  canPublish(i: number, name: string): boolean;
  /** True when some rule grants this caller `publish` patterns in registry `i`. */
  hasPublishRules(i: number): boolean;
}

interface NameGrant {
  servers: GlobMatcher | null;
  all: boolean;
  exclude: GlobMatcher | null;
  /** Where the next name this grant might show can be (scans jump over hidden ranges). */
  skip: SkipFn;
}

interface CompiledRule {
  groups: ReadonlySet<string>;
  registries: ReadonlySet<number>;
  grant: NameGrant;
  publish: GlobMatcher | null;
}

function grantAllows(g: NameGrant, name: string): boolean {
  if (g.exclude?.test(name)) return false;
  return g.all || (g.servers?.test(name) ?? false);
}

/**
 * Compiles `access` config once; `viewFor` answers per caller (cached per group set).
 * With no rules at all every caller sees everything (with auth on: every authenticated caller);
 * otherwise a caller sees the union of the rules whose groups it is in.
 */
export class AccessPolicy {
  private readonly rules: CompiledRule[];
  private readonly admins: ReadonlySet<string>;
  private readonly cache = new Map<string, CallerView>();
  private readonly everything: number[];

  /**
   * @param openWithoutRules with no rules at all, may anonymous callers see everything? True for
   * `auth.mode: none` (the keyless demo default); with auth on, no rules means "every
   * authenticated caller sees everything" and anonymous callers see nothing.
   */
  constructor(
    access: GatewayConfig['access'],
    registryNames: readonly string[],
    private readonly openWithoutRules = true,
  ) {
    this.admins = new Set(access.admins);
    this.everything = registryNames.map((_, i) => i);
    this.rules = access.rules.map((rule) => {
      const regGlob = compileGlobs(rule.registries);
      return {
        groups: new Set(rule.groups),
        registries: new Set(this.everything.filter((i) => regGlob?.test(registryNames[i] as string))),
        grant: {
          servers: compileGlobs(rule.servers),
          all: matchesEverything(rule.servers),
          exclude: compileGlobs(rule.exclude),
          skip: grantSkip({ servers: rule.servers, exclude: rule.exclude }),
        },
        publish: compileGlobs(rule.publish),
      };
    });
  }

  /** True when the principal is in an admin group. */
  isAdmin(principal: Principal): boolean {
    return principal.groups.some((g) => this.admins.has(g));
  }

  /** The caller's view (memoised by group set; bounded cache). */
  viewFor(principal: Principal): CallerView {
    const key = [...principal.groups].sort().join('\u0000');
    const cached = this.cache.get(key);
    if (cached) return cached;
    const view = this.build(principal);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, view);
    return view;
  }

  private build(principal: Principal): CallerView {
    const admin = this.isAdmin(principal);
    const publishGrants = new Map<number, GlobMatcher[]>();
    const matching = this.rules.filter((r) => principal.groups.some((g) => r.groups.has(g)));
    for (const rule of matching) {
      if (!rule.publish) continue;
      for (const i of rule.registries) publishGrants.set(i, [...(publishGrants.get(i) ?? []), rule.publish]);
    }
    const canPublish = (i: number, name: string) => admin || (publishGrants.get(i)?.some((re) => re.test(name)) ?? false);
    const hasPublishRules = (i: number) => publishGrants.has(i);

    if (admin || (this.rules.length === 0 && (this.openWithoutRules || !principal.anonymous))) {
      return { admin, registries: this.everything, canSee: () => true, canPublish, hasPublishRules };
    }
    const grants = new Map<number, NameGrant[]>();
    for (const rule of matching) {
      for (const i of rule.registries) grants.set(i, [...(grants.get(i) ?? []), rule.grant]);
    }
    const open = new Set<number>();
    for (const [i, list] of grants) if (list.some((g) => g.all && !g.exclude)) open.add(i);
    const skips = new Map<number, SkipFn>([...grants].map(([i, list]) => [i, open.has(i) ? (name: string) => name : anyOf(list.map((g) => g.skip))]));
    const everywhere = anyOf([...skips.values()]);
    return {
      admin,
      registries: [...grants.keys()].sort((a, b) => a - b),
      canSee: (i, name) => open.has(i) || (grants.get(i)?.some((g) => grantAllows(g, name)) ?? false),
      nextVisible: (i, name) => (i === undefined ? everywhere(name) : (skips.get(i)?.(name) ?? '\uffff')),
      canPublish,
      hasPublishRules,
    };
  }
}
