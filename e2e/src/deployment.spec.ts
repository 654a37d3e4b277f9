import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { applyPatch, type Operation } from 'fast-json-patch';
import { parse, parseAllDocuments } from 'yaml';
import { auditEnv } from '@compliance-graph/audit';
import { GATEWAY, SUBGRAPHS, SUBGRAPH_NAMES, type ServiceName } from '@compliance-graph/config';
import { evidenceEnv } from '@compliance-graph/evidence';
import { gatewayEnv } from '@compliance-graph/gateway';
import { identityEnv } from '@compliance-graph/identity';
import { gateway, loadStartConfig, subgraphs, type DeploymentSecrets, type ServiceDefinition } from '@compliance-graph/start';
import { subprocessorsEnv } from '@compliance-graph/subprocessors';
import type { z } from 'zod';

/**
 * The deployment files (deploy/) checked against the code they deploy: every fact a manifest
 * states about a service (its port, its secrets, who may call it, whom it may call) is derived
 * here from the service registry, the apps' zod configs, the launcher's secret lists and the
 * internal-api calls in the apps' source, so a new secret or internal call without its manifest
 * change fails this test.
 */

const ROOT = resolve(__dirname, '../..');
const DEPLOY = join(ROOT, 'deploy');

interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}
// The manifests' own shapes, loosely: the schema validation below checks them strictly.
type Loose = any;

const SERVICES = [GATEWAY, ...SUBGRAPHS];
const NAME_LABEL = 'app.kubernetes.io/name';
const MIGRATION = 'migrate';
const POSTGRES = 'postgres';
const INTERNET = 'internet';

const APP_ENVS: Record<ServiceName, z.ZodObject> = {
  gateway: gatewayEnv,
  identity: identityEnv,
  evidence: evidenceEnv,
  audit: auditEnv,
  subprocessors: subprocessorsEnv,
};

// ---------------------------------------------------------------- rendering (kustomize subset)

const readYamlDocuments = (file: string): Resource[] =>
  parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => document.toJS() as Resource | null)
    .filter((resource): resource is Resource => resource !== null);

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'labels', 'namespace', 'images', 'patches']);

/**
 * Renders a kustomization as `kustomize build` does, for the features these files use:
 * resources (files and directories), labels (metadata only), namespace, images and JSON 6902
 * patches with a kind + name target. No maintained JavaScript kustomize exists; a field outside
 * that subset fails the render, so the overlay cannot drift into what this does not model.
 */
function render(dir: string): Resource[] {
  const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Loose;
  const unsupported = Object.keys(kustomization).filter((field) => !SUPPORTED_FIELDS.has(field));
  if (unsupported.length > 0) throw new Error(`${dir}: kustomization fields this render does not model: ${unsupported.join(', ')}`);
  let resources: Resource[] = (kustomization.resources as string[]).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? render(path) : readYamlDocuments(path);
  });
  for (const { pairs } of (kustomization.labels ?? []) as { pairs: Record<string, string> }[]) {
    for (const resource of resources) resource.metadata.labels = { ...resource.metadata.labels, ...pairs };
  }
  if (kustomization.namespace) {
    for (const resource of resources) if (resource.kind !== 'Namespace') resource.metadata.namespace = kustomization.namespace;
  }
  for (const image of (kustomization.images ?? []) as { name: string; newName?: string; newTag?: string }[]) {
    for (const container of resources.flatMap(containersOf)) {
      if (container.image !== image.name) continue;
      container.image = `${image.newName ?? image.name}${image.newTag ? `:${image.newTag}` : ''}`;
    }
  }
  for (const patch of (kustomization.patches ?? []) as { path: string; target: { kind: string; name: string } }[]) {
    const operations = parse(readFileSync(join(dir, patch.path), 'utf8')) as Operation[];
    const targets = resources.filter((r) => r.kind === patch.target.kind && r.metadata.name === patch.target.name);
    if (targets.length !== 1) throw new Error(`${patch.path}: targets ${targets.length} resources`);
    resources = resources.map((r) => (r === targets[0] ? (applyPatch(r, operations, true, false).newDocument as Resource) : r));
  }
  return resources;
}

const podSpecOf = (resource: Resource): Loose => (resource.spec as Loose)?.template?.spec;
const containersOf = (resource: Resource): Loose[] => podSpecOf(resource)?.containers ?? [];
const byKind = (resources: Resource[], kind: string) => resources.filter((r) => r.kind === kind);
const find = (resources: Resource[], kind: string, name: string) => resources.find((r) => r.kind === kind && r.metadata.name === name);

function schemaProblems(resources: Resource[]): string[] {
  const output = execFileSync(process.execPath, [join(DEPLOY, 'test/validate-k8s.mjs')], { input: JSON.stringify(resources), cwd: ROOT });
  return output.toString().split('\n').filter(Boolean);
}

// ---------------------------------------------------------------- what the code says

/** Each deployment secret's value is its own name, so the launcher's lists show which secret each variable carries. */
const SENTINELS = new Proxy({} as DeploymentSecrets, { get: (_target, name) => `<${String(name)}>` });
const DEFINITIONS: Record<ServiceName, ServiceDefinition> = Object.fromEntries(
  [gateway(loadStartConfig({})), ...subgraphs(loadStartConfig({}))].map((definition) => [definition.name, definition]),
) as Record<ServiceName, ServiceDefinition>;

/** The variables a service's Secret must hold: the launcher's secrets for it, and a subgraph's two database logins (their passwords). */
function expectedSecretKeys(name: ServiceName): string[] {
  const databaseLogins = SUBGRAPH_NAMES.includes(name as never) ? ['DATABASE_URL', 'DATABASE_WORKER_URL'] : [];
  return [...Object.keys(DEFINITIONS[name].secrets(SENTINELS)), ...databaseLogins].sort();
}

/** The deployment secrets (the launcher's names) a service is given. */
const deploymentSecretsOf = (name: ServiceName): Set<string> =>
  new Set(Object.values(DEFINITIONS[name].secrets(SENTINELS)).flatMap((value) => [...value.matchAll(/<([A-Z_]+)>/g)].map((match) => match[1])));

/** The services a service's config says it calls: it has a variable with the callee's URL (IDENTITY_URL, IDENTITY_JWKS_URL, ...). */
function configuredCallees(name: ServiceName): string[] {
  const variables = Object.keys(APP_ENVS[name].shape);
  return SUBGRAPH_NAMES.filter((callee) => callee !== name && variables.some((v) => new RegExp(`^${callee.toUpperCase()}(_[A-Z]+)?_URL$`).test(v)));
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
    .map((entry) => join(entry.parentPath, entry.name));

/**
 * Libraries whose internal API calls are made for the app that imports them: the gateway's calls
 * to identity are the edge's (packages/edge). Other libraries hold only the machinery of a call.
 */
const CALLING_LIBRARIES = ['edge'];

/** An app's source and that of the calling libraries it imports. */
function appSources(name: ServiceName): string[] {
  const own = sourceFiles(join(ROOT, 'apps', name, 'src'));
  const imports = own.map((file) => readFileSync(file, 'utf8')).join('\n');
  const libraries = CALLING_LIBRARIES.filter((lib) => imports.includes(`from '@compliance-graph/${lib}'`));
  return [...own, ...libraries.flatMap((lib) => sourceFiles(join(ROOT, 'packages', lib, 'src')))];
}

/** Internal API name -> the apps that mount it, and app -> the internal APIs its source (or a library it imports) calls. */
function internalApiUse(): { servers: Map<string, ServiceName>; calls: [ServiceName, string][] } {
  const servers = new Map<string, ServiceName>();
  const calls: [ServiceName, string][] = [];
  for (const { name } of SERVICES) {
    for (const file of appSources(name)) {
      const text = readFileSync(file, 'utf8');
      for (const [, api] of text.matchAll(/mountInternalApi\(\s*\w+,\s*([A-Z_]+)/g)) servers.set(api, name);
      for (const [, api] of text.matchAll(/(?:callInternalApi\([^,]+,|internalApiConsumer\()\s*([A-Z_]+)/g)) calls.push([name, api]);
      if (/auditIngestConsumer\(/.test(text)) calls.push([name, 'AUDIT_INGEST']);
    }
  }
  return { servers, calls };
}

// ---------------------------------------------------------------- checks (each returns the problems it finds)

function secretProblems(resources: Resource[]): string[] {
  const problems: string[] = [];
  const holders = new Map<string, ServiceName[]>();
  for (const { name } of SERVICES) for (const secret of deploymentSecretsOf(name)) holders.set(secret, [...(holders.get(secret) ?? []), name]);
  for (const { name } of SERVICES) {
    const secret = find(resources, 'Secret', `${name}-secrets`);
    if (!secret) {
      problems.push(`${name}: no Secret ${name}-secrets`);
      continue;
    }
    const held = Object.keys((secret.stringData ?? secret.data ?? {}) as object).sort();
    const expected = expectedSecretKeys(name);
    for (const key of held.filter((k) => !expected.includes(k))) {
      const owners = holders.get(key);
      problems.push(`${name}-secrets holds ${key}, ${owners ? `a secret of ${owners.join(', ')} only` : `which ${name}'s config does not read`}`);
    }
    for (const key of expected.filter((k) => !held.includes(k))) problems.push(`${name}-secrets lacks ${key}`);
    const deployment = find(resources, 'Deployment', name);
    const references = containersOf(deployment!).flatMap((c) => (c.envFrom ?? []).map((source: Loose) => source.secretRef?.name));
    if (!references.includes(`${name}-secrets`)) problems.push(`${name}: its Deployment does not read ${name}-secrets`);
    const foreign = references.filter((ref: string) => ref && ref !== `${name}-secrets`);
    if (foreign.length > 0) problems.push(`${name}: its Deployment reads ${foreign.join(', ')}`);
  }
  return problems;
}

/** Every variable the app's config requires (no default, not optional) is set by its Deployment or its Secret. */
function configProblems(resources: Resource[]): string[] {
  const problems: string[] = [];
  for (const { name } of SERVICES) {
    const result = APP_ENVS[name].safeParse({});
    const required = result.success ? [] : [...new Set(result.error.issues.map((issue) => String(issue.path[0])))];
    const secret = find(resources, 'Secret', `${name}-secrets`);
    const provided = new Set([
      ...containersOf(find(resources, 'Deployment', name)!).flatMap((c) => (c.env ?? []).map((e: Loose) => e.name as string)),
      ...Object.keys((secret?.stringData ?? {}) as object),
    ]);
    for (const variable of required.filter((v) => !provided.has(v))) problems.push(`${name}: nothing sets ${variable}, which its config requires`);
  }
  return problems;
}

function workloadProblems(resources: Resource[]): string[] {
  const problems: string[] = [];
  for (const workload of [...byKind(resources, 'Deployment'), ...byKind(resources, 'Job')]) {
    const pod = podSpecOf(workload);
    for (const container of containersOf(workload)) {
      const where = `${workload.kind} ${workload.metadata.name}, container ${container.name}`;
      if (workload.kind === 'Deployment') {
        for (const [probe, path] of [
          ['readinessProbe', '/readyz'],
          ['livenessProbe', '/healthz'],
        ]) {
          if (container[probe]?.httpGet?.path !== path) problems.push(`${where}: no ${probe} on ${path}`);
        }
      }
      for (const bound of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory']) if (!container.resources?.[bound]?.[resource]) problems.push(`${where}: no ${resource} ${bound}`);
      }
      const nonRoot = container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
      const user = container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
      if (nonRoot !== true || user === 0) problems.push(`${where}: may run as root`);
      if (container.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${where}: allows privilege escalation`);
    }
  }
  return problems;
}

interface Reach {
  ingress: Set<string>;
  egress: Set<string>;
}

const selects = (selector: Loose, pod: string) =>
  !selector?.matchLabels || Object.keys(selector.matchLabels).length === 0 || selector.matchLabels[NAME_LABEL] === pod;

/** A peer of a rule as a name: a pod's name label, `internet` for an ip block, `dns` for kube-dns, `*` for anyone. */
function peerName(peer: Loose): string {
  if (peer.ipBlock) return INTERNET;
  if (peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'kube-system' && peer.podSelector?.matchLabels?.['k8s-app'] === 'kube-dns') return 'dns';
  return peer.podSelector?.matchLabels?.[NAME_LABEL] ?? '*';
}

/** What the NetworkPolicies let each pod receive from and send to (pods by name, with the port where it matters). */
function reachOf(resources: Resource[], pod: string): Reach {
  const reach: Reach = { ingress: new Set(), egress: new Set() };
  for (const policy of byKind(resources, 'NetworkPolicy')) {
    const spec = policy.spec as Loose;
    if (!selects(spec.podSelector, pod)) continue;
    for (const direction of ['ingress', 'egress'] as const) {
      for (const rule of spec[direction] ?? []) {
        const peers: string[] = (rule[direction === 'ingress' ? 'from' : 'to'] ?? [{}]).map(peerName);
        const ports: string[] = (rule.ports ?? [{}]).map((p: Loose) => String(p.port ?? '*'));
        for (const peer of peers) for (const port of ports) reach[direction].add(`${peer}:${port}`);
      }
    }
  }
  return reach;
}

function networkProblems(resources: Resource[]): string[] {
  const problems: string[] = [];
  const defaultDeny = byKind(resources, 'NetworkPolicy').some((p) => {
    const spec = p.spec as Loose;
    return selects(spec.podSelector, '') && spec.policyTypes?.includes('Ingress') && spec.policyTypes?.includes('Egress') && !spec.ingress && !spec.egress;
  });
  if (!defaultDeny) problems.push('no default-deny NetworkPolicy for every pod');

  const portOf = (name: string) => (name === POSTGRES ? 5432 : SERVICES.find((s) => s.name === name)!.port);
  const callees = (name: string): string[] => [
    ...(name === MIGRATION ? [] : configuredCallees(name as ServiceName)),
    ...(name === GATEWAY.name ? [] : [POSTGRES]),
  ];
  const pods = [...SERVICES.map((s) => s.name as string), MIGRATION, POSTGRES];
  const expectedIngress = (pod: string) => {
    if (pod === GATEWAY.name) return [`*:${GATEWAY.port}`];
    if (pod === MIGRATION) return [];
    return pods.filter((caller) => caller !== POSTGRES && callees(caller).includes(pod)).map((caller) => `${caller}:${portOf(pod)}`);
  };
  const expectedEgress = (pod: string) => [
    'dns:53',
    ...(pod === POSTGRES ? [] : callees(pod).map((callee) => `${callee}:${portOf(callee)}`)),
    ...(pod === 'subprocessors' ? [`${INTERNET}:443`] : []),
  ];
  for (const pod of pods) {
    const reach = reachOf(resources, pod);
    const compare = (direction: keyof Reach, expected: string[]) => {
      const actual = [...reach[direction]].sort();
      const wanted = [...new Set(expected)].sort();
      if (JSON.stringify(actual) !== JSON.stringify(wanted)) problems.push(`${pod} ${direction}: allows ${actual.join(' ')}; its declared peers are ${wanted.join(' ')}`);
    };
    compare('ingress', expectedIngress(pod));
    compare('egress', expectedEgress(pod));
  }
  return problems;
}

/** Never the cluster, private, carrier-grade NAT, loopback, link-local (cloud metadata) or unique-local ranges. */
const NEVER_REACHED = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10', '127.0.0.0/8', 'fc00::/7', 'fe80::/10', '::1/128'];

function egressProblems(resources: Resource[]): string[] {
  const problems: string[] = [];
  for (const policy of byKind(resources, 'NetworkPolicy')) {
    const spec = policy.spec as Loose;
    for (const rule of spec.egress ?? []) {
      for (const peer of rule.to ?? []) {
        if (!peer.ipBlock) continue;
        if (spec.podSelector?.matchLabels?.[NAME_LABEL] !== 'subprocessors') problems.push(`${policy.metadata.name}: internet egress for a pod other than subprocessors`);
        const ipv6 = peer.ipBlock.cidr.includes(':');
        const missing = NEVER_REACHED.filter((cidr) => cidr.includes(':') === ipv6).filter((cidr) => !(peer.ipBlock.except ?? []).includes(cidr));
        if (missing.length > 0) problems.push(`${policy.metadata.name}: ${peer.ipBlock.cidr} does not exclude ${missing.join(', ')}`);
      }
    }
  }
  return problems;
}

const allProblems = (resources: Resource[]) => [
  ...secretProblems(resources),
  ...configProblems(resources),
  ...workloadProblems(resources),
  ...networkProblems(resources),
  ...egressProblems(resources),
];

// ---------------------------------------------------------------- tests

const base = () => render(join(DEPLOY, 'k8s/base'));
const production = () => render(join(DEPLOY, 'k8s/overlays/production'));

describe('Kubernetes manifests', () => {
  it.each([
    ['base', base],
    ['production overlay', production],
  ])('the %s validates against the Kubernetes schemas and passes every check', (_label, load) => {
    const resources = load();
    expect(schemaProblems(resources)).toEqual([]);
    expect(allProblems(resources)).toEqual([]);
  });

  it('has a Deployment, a Service on its registered port and a Secret for each registered service', () => {
    const resources = base();
    for (const { name, port } of SERVICES) {
      const service = find(resources, 'Service', name)!.spec as Loose;
      expect(service.ports).toEqual([expect.objectContaining({ port })]);
      const container = containersOf(find(resources, 'Deployment', name)!)[0];
      expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
      expect(container.env).toEqual(expect.arrayContaining([{ name: 'PORT', value: String(port) }, { name: 'HOST', value: '0.0.0.0' }]));
    }
  });

  it('derives the call graph the policies allow from the code: every internal API call is a configured callee', () => {
    const { servers, calls } = internalApiUse();
    expect(calls.length).toBeGreaterThan(0);
    for (const [caller, api] of calls) {
      expect({ caller, api, server: servers.get(api) }).toEqual({ caller, api, server: expect.any(String) });
      expect({ caller, callees: configuredCallees(caller) }).toEqual({ caller, callees: expect.arrayContaining([servers.get(api)]) });
    }
  });

  it('runs the migrations in a Job labelled to be applied first, with the only Secret that holds the owner URL and the role secret', () => {
    const resources = base();
    const job = find(resources, 'Job', MIGRATION)!;
    const container = containersOf(job)[0];
    expect(existsSync(join(ROOT, container.command[1]))).toBe(true);
    expect(container.command).toEqual(['node', 'tools/start/dist/migrate.js']);
    expect(container.envFrom).toEqual([{ secretRef: { name: 'migrate-secrets' } }]);
    const secret = find(resources, 'Secret', 'migrate-secrets')!;
    expect(Object.keys(secret.stringData as object).sort()).toEqual(['DATABASE_ROLE_SECRET', 'DATABASE_URL']);
    const egress = find(resources, 'NetworkPolicy', 'migrate-postgres')!;
    for (const resource of [job, secret, egress]) expect(resource.metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'migration' });
    const holders = byKind(resources, 'Secret').filter((s) => Object.keys((s.stringData ?? {}) as object).includes('DATABASE_ROLE_SECRET'));
    expect(holders.map((s) => s.metadata.name)).toEqual(['migrate-secrets']);
  });

  it('keeps the gateway available: a PodDisruptionBudget and a HorizontalPodAutoscaler on its Deployment', () => {
    const resources = production();
    const deployment = find(resources, 'Deployment', 'gateway')!.spec as Loose;
    // The autoscaler owns the replica count: a replicas field would be reset by every apply.
    expect(deployment.replicas).toBeUndefined();
    const labels = deployment.template.metadata.labels;
    const pdb = find(resources, 'PodDisruptionBudget', 'gateway')!.spec as Loose;
    expect(labels).toMatchObject(pdb.selector.matchLabels);
    expect(pdb.minAvailable).toBeGreaterThanOrEqual(1);
    const hpa = find(resources, 'HorizontalPodAutoscaler', 'gateway')!.spec as Loose;
    expect(hpa.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' });
    expect(hpa.minReplicas).toBeGreaterThan(pdb.minAvailable);
  });

  it('the overlay terminates TLS at an Ingress with a cert-manager certificate, for the origin the feeds link to, in front of the gateway alone', () => {
    const resources = production();
    const [ingress, ...others] = byKind(resources, 'Ingress');
    expect(others).toEqual([]);
    expect(ingress.metadata.annotations).toMatchObject({ 'cert-manager.io/cluster-issuer': expect.any(String), 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' });
    const spec = ingress.spec as Loose;
    const origin = containersOf(find(resources, 'Deployment', 'subprocessors')!)[0].env.find((e: Loose) => e.name === 'PUBLIC_ORIGIN').value;
    const hosts = spec.rules.map((rule: Loose) => rule.host);
    expect(hosts).toEqual([new URL(origin).hostname]);
    expect(spec.tls).toEqual([{ hosts, secretName: expect.any(String) }]);
    expect(new URL(origin).protocol).toBe('https:');
    const backends = spec.rules.flatMap((rule: Loose) => rule.http.paths.map((path: Loose) => path.backend.service));
    expect(backends).toEqual([{ name: 'gateway', port: { name: 'http' } }]);
    expect(find(resources, 'Service', 'gateway')!.spec).toMatchObject({ ports: [expect.objectContaining({ name: 'http' })] });
  });

  it('the overlay names a tagged image for every container, a namespace for every resource and S3 for evidence uploads', () => {
    const resources = production();
    for (const container of resources.flatMap(containersOf)) expect(container.image).toMatch(/^[a-z0-9.-]+\/compliance-graph\/[a-z]+:[\w.-]+$/);
    for (const resource of resources.filter((r) => r.kind !== 'Namespace')) expect(resource.metadata.namespace).toBe('compliance-graph');
    const evidence = containersOf(find(resources, 'Deployment', 'evidence')!)[0];
    expect(evidenceEnv.safeParse(Object.fromEntries(evidence.env.map((e: Loose) => [e.name, e.value]))).error?.issues.map((i) => i.path[0])).not.toContain(
      'EVIDENCE_S3_BUCKET',
    );
    expect(evidence.env.map((e: Loose) => e.name)).toEqual(expect.arrayContaining(['EVIDENCE_S3_BUCKET', 'EVIDENCE_S3_REGION']));
    // The root filesystem is read-only; the S3 store spools uploads to os.tmpdir() before sending them.
    expect(evidence.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(evidence.volumeMounts).toEqual(expect.arrayContaining([expect.objectContaining({ mountPath: '/tmp' })]));
  });

  describe('the checks catch what they are for', () => {
    const mutated = (change: (resources: Resource[]) => void) => {
      const resources = base();
      change(resources);
      return allProblems(resources);
    };

    it('a Deployment without probes', () => {
      const problems = mutated((resources) => {
        delete containersOf(find(resources, 'Deployment', 'identity')!)[0].readinessProbe;
      });
      expect(problems).toEqual(['Deployment identity, container identity: no readinessProbe on /readyz']);
    });

    it("a Secret holding another service's key", () => {
      const problems = mutated((resources) => {
        (find(resources, 'Secret', 'evidence-secrets')!.stringData as Record<string, string>).JWT_SIGNING_KEYS = '';
      });
      expect(problems).toEqual(['evidence-secrets holds JWT_SIGNING_KEYS, a secret of identity only']);
    });

    it('a Secret missing a key its service reads', () => {
      const problems = mutated((resources) => {
        delete (find(resources, 'Secret', 'audit-secrets')!.stringData as Record<string, string>).INGEST_CREDENTIALS;
      });
      expect(problems).toEqual(expect.arrayContaining(['audit-secrets lacks INGEST_CREDENTIALS', 'audit: nothing sets INGEST_CREDENTIALS, which its config requires']));
    });

    it('a caller the code does not declare, and internet egress for another service', () => {
      const problems = mutated((resources) => {
        const auditIngress = find(resources, 'NetworkPolicy', 'audit-ingress')!.spec as Loose;
        auditIngress.ingress[0].from.push({ podSelector: { matchLabels: { [NAME_LABEL]: 'postgres' } } });
        const webhooks = find(resources, 'NetworkPolicy', 'subprocessors-webhooks')!.spec as Loose;
        webhooks.podSelector.matchLabels[NAME_LABEL] = 'identity';
      });
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^audit ingress: allows .*postgres:4003/),
          'subprocessors-webhooks: internet egress for a pod other than subprocessors',
        ]),
      );
    });

    it('webhook egress that reaches the cloud metadata range', () => {
      const problems = mutated((resources) => {
        const block = (find(resources, 'NetworkPolicy', 'subprocessors-webhooks')!.spec as Loose).egress[0].to[0].ipBlock;
        block.except = block.except.filter((cidr: string) => cidr !== '169.254.0.0/16');
      });
      expect(problems).toEqual(['subprocessors-webhooks: 0.0.0.0/0 does not exclude 169.254.0.0/16']);
    });

    it('a manifest that breaks the Kubernetes schema', () => {
      const resources = base();
      (find(resources, 'Deployment', 'gateway')!.spec as Loose).replicas = 'two';
      expect(schemaProblems(resources)).toEqual(['Deployment gateway: data/spec/replicas must be integer']);
    });
  });
});

// ---------------------------------------------------------------- Dockerfile and compose

describe('the Dockerfile', () => {
  const dockerfile = DockerfileParser.parse(readFileSync(join(DEPLOY, 'docker/Dockerfile'), 'utf8'));
  const stages = dockerfile.getFROMs();
  const runtime = stages[stages.length - 1];
  const instructionsOf = (stage: Instruction) => {
    const next = stages[stages.indexOf(stage as never) + 1];
    return dockerfile
      .getInstructions()
      .filter((i) => i.getRange().start.line >= stage.getRange().start.line && (!next || i.getRange().start.line < next.getRange().start.line));
  };
  const runtimeInstructions = instructionsOf(runtime);
  const keyword = (name: string) => runtimeInstructions.filter((i) => i.getKeyword() === name);
  const argumentsOf = (i: Instruction) => i.getArguments().map((a) => a.getValue());

  it('builds in one stage and runs in another, with production dependencies only, as a non-root user, with a HEALTHCHECK on /healthz', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(keyword('RUN').map((i) => i.getTextContent())).toEqual(expect.arrayContaining([expect.stringContaining('npm ci --omit=dev')]));
    const users = keyword('USER').map((i) => argumentsOf(i)[0]);
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(users[users.length - 1]);
    expect(keyword('HEALTHCHECK').map((i) => i.getTextContent())).toEqual([expect.stringContaining('/healthz')]);
  });

  it("runs the project's real build, and every path the runtime stage copies or runs exists after it", () => {
    const build = instructionsOf(stages[0]).filter((i) => i.getKeyword() === 'RUN').map((i) => i.getTextContent());
    expect(build).toEqual([expect.stringMatching(/npm ci && npm run -s build$/)]);
    const copied = keyword('COPY').flatMap((i) => argumentsOf(i).filter((a) => !a.startsWith('--')).slice(0, -1));
    expect(copied.length).toBeGreaterThan(0);
    for (const source of copied) expect({ source, exists: existsSync(join(ROOT, source.replace(/^\/app\//, ''))) }).toEqual({ source, exists: true });
    const entry = keyword('ENV').map((i) => i.getTextContent()).join(' ').match(/APP_ENTRY=(\S+)/)![1];
    for (const { name } of SERVICES) expect(existsSync(join(ROOT, entry.replace('${APP}', name)))).toBe(true);
  });

  it('keeps dependencies and build output out of the build context', () => {
    const ignored = readFileSync(join(DEPLOY, 'docker/Dockerfile.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.data', '.git']));
  });
});

describe('the compose file', () => {
  // Compose resolves YAML merge keys (the apps' shared settings), which YAML 1.2 leaves off by default.
  const compose = parse(readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8'), { merge: true }) as Loose;

  it('runs PostgreSQL, PgBouncer, the migrations and the five apps, each built from the Dockerfile with its registered port', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'pgbouncer', MIGRATION, ...SERVICES.map((s) => s.name)]));
    for (const { name, port } of SERVICES) {
      const service = compose.services[name];
      expect(service.build).toEqual({ context: '..', dockerfile: 'deploy/docker/Dockerfile', args: { APP: name, PORT: String(port) } });
      expect(service.depends_on[MIGRATION]).toEqual({ condition: 'service_completed_successfully' });
    }
  });

  it("puts the subgraphs behind a transaction-pooling PgBouncer that pools like CI's", () => {
    const settingLines = (file: string) =>
      readFileSync(join(DEPLOY, 'pgbouncer', file), 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith(';') && !line.startsWith('['));
    const pooling = Object.fromEntries(settingLines('pooling.ini').map((line) => line.split(/\s*=\s*/)));
    expect(pooling).toMatchObject({ pool_mode: 'transaction', server_reset_query: 'DISCARD ALL', server_reset_query_always: '1', auth_type: 'scram-sha-256' });
    expect(settingLines('pgbouncer.ini')).toContain('%include /etc/pgbouncer/pooling.ini');
    expect(compose.services.pgbouncer.volumes).toContain('./pgbouncer/pooling.ini:/etc/pgbouncer/pooling.ini:ro');
    expect(readFileSync(join(ROOT, 'tools/pgbouncer/with-pgbouncer.sh'), 'utf8')).toContain('/deploy/pgbouncer/pooling.ini');
    for (const { name } of SUBGRAPHS) expect({ name, pgbouncer: compose.services[name].depends_on.pgbouncer }).toEqual({ name, pgbouncer: { condition: 'service_started' } });
  });

  it("gives each service the env file of its own secrets only, and the files hold no other service's secret", () => {
    for (const { name } of SERVICES) expect(compose.services[name].env_file).toEqual([`secrets/${name}.env`]);
    expect(compose.services[MIGRATION].env_file).toEqual([`secrets/${MIGRATION}.env`]);

    const dir = mkdtempSync(join(tmpdir(), 'compose-secrets-'));
    try {
      const out = join(dir, 'secrets');
      execFileSync(process.execPath, [join(DEPLOY, 'compose-secrets.mjs')], { cwd: ROOT, env: { ...process.env, DATA_DIR: join(dir, 'data'), COMPOSE_SECRETS_DIR: out } });
      const files = Object.fromEntries(
        SERVICES.map(({ name }) => {
          const lines = readFileSync(join(out, `${name}.env`), 'utf8').split('\n').filter(Boolean);
          return [name, Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]))];
        }),
      ) as Record<ServiceName, Record<string, string>>;
      for (const { name } of SERVICES) {
        expect({ name, keys: Object.keys(files[name]).sort() }).toEqual({ name, keys: expectedSecretKeys(name) });
        for (const [key, value] of Object.entries(files[name])) {
          const carried = DEFINITIONS[name].secrets(SENTINELS)[key]?.match(/^<([A-Z_]+)>$/)?.[1];
          if (!carried) continue;
          const alsoIn = SERVICES.filter((other) => other.name !== name && Object.values(files[other.name]).some((v) => v.includes(value)));
          for (const other of alsoIn) expect({ secret: carried, in: other.name, given: deploymentSecretsOf(other.name).has(carried) }).toEqual({ secret: carried, in: other.name, given: true });
        }
        if (name !== GATEWAY.name) {
          expect(new URL(files[name].DATABASE_URL)).toMatchObject({ hostname: 'pgbouncer', port: '6432', username: `${name}_app` });
          expect(new URL(files[name].DATABASE_WORKER_URL)).toMatchObject({ hostname: 'pgbouncer', port: '6432', username: `${name}_worker` });
        }
      }
      expect(readFileSync(join(out, 'pgbouncer-userlist.txt'), 'utf8').split('\n').filter(Boolean)).toHaveLength(2 * SUBGRAPHS.length);
      expect(new URL(readFileSync(join(out, `${MIGRATION}.env`), 'utf8').match(/^DATABASE_URL=(.*)$/m)![1])).toMatchObject({ hostname: 'postgres', port: '5432' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
