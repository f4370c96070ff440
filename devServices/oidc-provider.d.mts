export interface OidcProviderOptions {
  port: number;
  clients: Array<{ id: string; secret: string; groups: string[] }>;
  keys: object[];
  audience: string;
  opaqueAudience: string;
  introspection: { clientId: string; secret: string };
  onRequest?: (path: string, headers: Record<string, string | string[] | undefined>) => void;
  /** An authorization-code client (PKCE required), e.g. the operator console. */
  consoleClient?: { id: string; secret: string; redirectUris: string[]; postLogoutRedirectUris: string[] };
  /** Users who may sign in on the provider's login page (their groups go into access tokens). */
  users?: Array<{ id: string; password: string; groups: string[]; name?: string }>;
}
export function startOidcProvider(options: OidcProviderOptions): Promise<{ issuer: string; stop(): Promise<void> }>;
