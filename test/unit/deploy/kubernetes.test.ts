import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse } from 'yaml';
import { parseConfig } from '../../../src/config/loader.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const k8s = path.join(root, 'deploy', 'kubernetes');

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function docs(file: string): Obj[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
    assert.deepEqual(d.errors, [], file);
    return d.toJS() as Obj;
  });
}

/** The objects a kustomization renders (resources, recursively; patches replace ConfigMap data). */
function render(dir: string): Obj[] {
  const kustomization = parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as Obj;
  const out: Obj[] = [];
  for (const r of kustomization.resources as string[]) {
    const target = path.join(dir, r);
    assert.ok(existsSync(target), `${dir}: resource ${r} exists`);
    out.push(...(existsSync(path.join(target, 'kustomization.yaml')) ? render(target) : docs(target)));
  }
  for (const p of (kustomization.patches ?? []) as Array<{ path: string }>) {
    for (const patch of docs(path.join(dir, p.path))) {
      const base = out.find((o) => o.kind === patch.kind && o.metadata.name === patch.metadata.name);
      assert.ok(base, `patch ${p.path} targets an existing ${patch.kind}`);
      Object.assign(base.data, patch.data);
    }
  }
  return out;
}

function deployments(objects: Obj[]): Obj[] {
  return objects.filter((o) => o.kind === 'Deployment');
}

function gatewayConfig(objects: Obj[]) {
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'mcp-registry-gateway-config');
  assert.ok(cm, 'the config ConfigMap exists');
  const raw = parse(cm.data['gateway.yaml'] as string) as Obj;
  // Every env var the config names must be provided by each container, from a Secret.
  const env = Object.fromEntries(['REDIS_PASSWORD'].map((n) => [n, 'x']));
  return { raw, config: parseConfig(raw, '/etc/mcp-registry-gateway/gateway.yaml', env) };
}

for (const variant of ['base', 'overlays/redis-cluster']) {
  describe(`deploy/kubernetes/${variant}`, () => {
    const objects = render(path.join(k8s, variant));
    const { raw, config } = gatewayConfig(objects);

    it('has an API Deployment, Service and PodDisruptionBudget, a worker Deployment without a Service, and a ConfigMap', () => {
      const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
      assert.deepEqual(kinds, [
        'ConfigMap/mcp-registry-gateway-config',
        'Deployment/mcp-registry-gateway-api',
        'Deployment/mcp-registry-gateway-worker',
        'PodDisruptionBudget/mcp-registry-gateway-api',
        'Service/mcp-registry-gateway',
      ]);
    });

    it('its gateway config is valid and references Redis by Sentinel or Cluster, with the password from a secret', () => {
      assert.ok(config.redis.sentinel || config.redis.cluster, 'Redis is a Sentinel or Cluster reference');
      assert.equal(config.redis.url, undefined);
      const passwordEnv = config.redis.sentinel?.passwordEnv ?? config.redis.cluster?.passwordEnv;
      assert.equal(passwordEnv, 'REDIS_PASSWORD');
      assert.equal(variant === 'base' ? 'sentinel' : 'cluster', raw.redis.sentinel ? 'sentinel' : 'cluster');
    });

    it('every container has probes, resources, a non-root security context, the right role and config, and secrets by reference', () => {
      for (const d of deployments(objects)) {
        const role = d.metadata.labels['app.kubernetes.io/component'] as string;
        const pod = d.spec.template.spec as Obj;
        assert.deepEqual(d.spec.selector.matchLabels, { 'app.kubernetes.io/component': role });
        assert.equal(d.spec.template.metadata.labels['app.kubernetes.io/component'], role);
        assert.equal(pod.securityContext.runAsNonRoot, true, `${role}: runAsNonRoot`);
        assert.ok(pod.securityContext.runAsUser > 0, `${role}: runAsUser is not root`);
        assert.ok(pod.terminationGracePeriodSeconds * 1000 > config.server.shutdownTimeout, `${role}: grace period exceeds server.shutdownTimeout`);
        for (const c of pod.containers as Obj[]) {
          assert.deepEqual(c.args.slice(0, 3), ['serve', '--role', role], `${role}: serve --role ${role}`);
          const mount = (c.volumeMounts as Obj[]).find((m) => m.name === 'config');
          assert.ok(mount && c.args.includes(path.posix.join(mount.mountPath, 'gateway.yaml')), `${role}: --config points into the ConfigMap mount`);
          assert.ok(c.readinessProbe && c.livenessProbe, `${role}: readiness and liveness probes`);
          assert.ok(c.resources?.requests?.cpu && c.resources?.requests?.memory && c.resources?.limits?.memory, `${role}: requests and a memory limit`);
          assert.equal(c.securityContext.allowPrivilegeEscalation, false);
          assert.notEqual(c.securityContext.runAsUser, 0);
          for (const e of (c.env ?? []) as Obj[]) assert.ok(e.valueFrom?.secretKeyRef, `${role}: env ${e.name} comes from a Secret, not a literal`);
          assert.ok((c.env as Obj[]).some((e) => e.name === 'REDIS_PASSWORD'), `${role}: REDIS_PASSWORD provided`);
          if (role === 'api') {
            const port = (c.ports as Obj[]).find((p) => p.name === 'http');
            assert.equal(port?.containerPort, config.server.port, 'the container port is server.port');
            assert.deepEqual(c.readinessProbe.httpGet, { path: '/readyz', port: 'http' });
            assert.deepEqual(c.livenessProbe.httpGet, { path: '/livez', port: 'http' });
          } else {
            assert.equal(c.ports, undefined, 'a worker does not listen');
            assert.ok(c.livenessProbe.exec.command.includes('status'), 'worker probe runs `status`');
          }
        }
        assert.ok((pod.volumes as Obj[]).some((v) => v.configMap?.name === 'mcp-registry-gateway-config'));
      }
    });

    it('the Service and the PodDisruptionBudget select the API pods and its port', () => {
      const svc = objects.find((o) => o.kind === 'Service');
      const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget');
      assert.deepEqual(svc?.spec.selector, { 'app.kubernetes.io/component': 'api' });
      assert.equal(svc?.spec.ports[0].targetPort, 'http');
      assert.deepEqual(pdb?.spec.selector.matchLabels, { 'app.kubernetes.io/component': 'api' });
      assert.equal(pdb?.spec.minAvailable, 1);
      const api = deployments(objects).find((d) => d.metadata.name === 'mcp-registry-gateway-api');
      assert.ok(api && api.spec.replicas > pdb?.spec.minAvailable, 'a drain can proceed with the PDB');
      assert.ok(!objects.some((o) => o.kind === 'Service' && o.spec.selector['app.kubernetes.io/component'] === 'worker'), 'no Service for workers');
    });
  });
}
