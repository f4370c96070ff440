export interface OidcProviderOptions {
  port: number;
  clients: Array<{ id: string; secret: string; groups: string[] }>;
  keys: object[];
  audience: string;
  opaqueAudience: string;
  introspection: { clientId: string; secret: string };
  onRequest?: (path: string, headers: Record<string, string | string[] | undefined>) => void;
}
export function startOidcProvider(options: OidcProviderOptions): Promise<{ issuer: string; stop(): Promise<void> }>;
