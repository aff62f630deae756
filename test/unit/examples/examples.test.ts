// The deployment examples as an operator would copy them: the systemd unit and the Kubernetes manifests
// parse, call mig only with flags the runner contract has, probe the port and paths the command
// opens, keep secrets out of command lines, and hold together (the Secret, ConfigMap and budget the
// Deployment names exist and match). systemd-analyze checks the unit where it is installed.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { hasErrors, parseSpecText } from '../../../src/spec/index.js';
import RunCommand from '../../../src/commands/run.js';

const ROOT = path.resolve(__dirname, '../../..');
const EXAMPLES = path.join(ROOT, 'examples');
const read = (rel: string) => readFileSync(path.join(EXAMPLES, rel), 'utf8');

// The CLI contract the runner is written against. Every flag an example passes must be here, so an
// example cannot promise an option the runner does not have.
const CONTRACT: Record<string, readonly string[]> = {
  run: ['dir', 'state', 'state-url', 'lease-seconds', 'health-port', 'health-host', 'until-caught-up', 'metrics-port', 'metrics-host'],
  apply: ['dir', 'state', 'state-url', 'auto-approve', 'detach', 'wait', 'follow', 'until-caught-up', 'replace', 'metrics-port', 'metrics-host'],
  status: ['dir', 'state', 'state-url', 'json', 'offline'],
};

interface Invocation { where: string; command: string; flags: Map<string, string | true> }

/** `mig COMMAND --a=1 --b 2 --c` → its flags; a token after a flag is its value unless it is a flag. */
function invocation(where: string, tokens: readonly string[]): Invocation {
  const at = tokens.findIndex((t) => t === 'mig' || t.endsWith('/mig'));
  if (at < 0) throw new Error(`${where}: no mig in ${tokens.join(' ')}`);
  const command = tokens[at + 1] ?? '';
  const flags = new Map<string, string | true>();
  const rest = tokens.slice(at + 2);
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i]!;
    if (!t.startsWith('--')) continue;
    const eq = t.indexOf('=');
    if (eq > 0) flags.set(t.slice(2, eq), t.slice(eq + 1));
    else if (rest[i + 1] !== undefined && !rest[i + 1]!.startsWith('--')) flags.set(t.slice(2), rest[++i]!);
    else flags.set(t.slice(2), true);
  }
  return { where, command, flags };
}

// --- systemd -------------------------------------------------------------------------------------
type Unit = Record<string, Record<string, string[]>>;
function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section = '';
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[(.+)\]$/.exec(line);
    if (head) {
      section = head[1]!;
      unit[section] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    ((unit[section] ??= {})[line.slice(0, eq)] ??= []).push(line.slice(eq + 1));
  }
  return unit;
}

const UNIT_TEXT = read('systemd/mig-runner.service');
const unit = parseUnit(UNIT_TEXT);
const service = unit.Service ?? {};
const one = (key: string) => {
  const v = service[key];
  expect(v, key).toHaveLength(1);
  return v![0]!;
};
// The commented ExecStart lines are alternatives an operator switches to; they are held to the same contract.
const execStarts = [...UNIT_TEXT.matchAll(/ExecStart=(.+)$/gm)].map((m) => invocation('mig-runner.service', m[1]!.trim().split(/\s+/)));
const envFile = (text: string) => new Set([...text.matchAll(/^([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]!));

// --- Kubernetes ----------------------------------------------------------------------------------
interface K8sObject { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: unknown; data?: Record<string, string>; stringData?: Record<string, string> }
interface Probe { httpGet: { path: string; port: number | string } }
interface Container {
  command: string[]; args?: string[]; workingDir?: string;
  ports?: { name?: string; containerPort: number }[];
  envFrom?: { secretRef?: { name: string } }[];
  livenessProbe?: Probe; readinessProbe?: Probe; startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface DeploymentSpec {
  replicas: number; strategy?: { type: string }; selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string> }; spec: { terminationGracePeriodSeconds?: number; containers: Container[]; volumes?: { name: string; configMap?: { name: string } }[] } };
}

const K8S = path.join(EXAMPLES, 'kubernetes');
const objects: K8sObject[] = readdirSync(K8S).filter((f) => /\.ya?ml$/.test(f)).sort().flatMap((f) =>
  parseAllDocuments(readFileSync(path.join(K8S, f), 'utf8')).map((d) => {
    if (d.errors.length > 0 || d.warnings.length > 0) throw new Error(`${f}: ${[...d.errors, ...d.warnings].map((e) => e.message).join('; ')}`);
    return d.toJS() as K8sObject;
  }),
);
const ofKind = (kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};
const deployment = () => ofKind('Deployment').spec as DeploymentSpec;
const container = () => deployment().template.spec.containers[0]!;
const k8sRun = () => invocation('mig-runner.yaml', [...container().command, ...(container().args ?? [])]);
const envRefs = (text: string) => [...text.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);

// Commands shown in code blocks of the examples' README and of the main README's production section.
const production = /## Running mig in production\n([\s\S]*?)\n## /.exec(readFileSync(path.join(ROOT, 'README.md'), 'utf8'))?.[1] ?? '';
const readmeRuns = [['examples/README.md', read('README.md')], ['README.md', production]].flatMap(([where, text]) =>
  [...text!.matchAll(/```(?:sh|bash)?\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1]!.split('\n'))
    .filter((l) => /^\s*mig (run|apply|status)\b/.test(l))
    .map((l) => invocation(where!, l.replace(/#.*/, '').trim().split(/\s+/))),
);

describe('examples', () => {
  it('every mig flag in the unit, the manifests and the README is in the runner contract', () => {
    const all = [...execStarts, k8sRun(), ...readmeRuns];
    expect(execStarts.length).toBeGreaterThanOrEqual(2);
    expect(readmeRuns.map((r) => `${r.where} ${r.command}`)).toEqual(expect.arrayContaining(['examples/README.md apply', 'README.md run', 'README.md apply']));
    for (const inv of all) {
      expect(Object.keys(CONTRACT), inv.where).toContain(inv.command);
      for (const flag of inv.flags.keys()) expect(CONTRACT[inv.command], `${inv.where}: mig ${inv.command} --${flag}`).toContain(flag);
    }
  });

  it('the flags exist on the mig run command', () => {
    // The command's own flag definitions, so no build is needed to hold the examples to them.
    const known = new Set(Object.keys(RunCommand.flags));
    for (const inv of [...execStarts, k8sRun(), ...readmeRuns].filter((i) => i.command === 'run')) {
      for (const flag of inv.flags.keys()) expect(known.has(flag), `${inv.where}: mig run --${flag} is not a flag of mig run`).toBe(true);
    }
  });

  describe('systemd unit', () => {
    it('restarts always, stops with SIGTERM and gives the checkpoint time', () => {
      expect(one('Restart')).toBe('always');
      expect(one('KillSignal')).toBe('SIGTERM');
      expect(Number(one('TimeoutStopSec'))).toBeGreaterThanOrEqual(60);
      expect(unit.Unit?.StartLimitIntervalSec).toEqual(['0']);
      expect(unit.Install?.WantedBy).toEqual(['multi-user.target']);
    });

    it('runs mig run from the working directory, the state URL by reference, health on its port', () => {
      const run = execStarts[0]!;
      expect(one('ExecStart').startsWith('/usr/bin/env mig run ')).toBe(true);
      expect(one('WorkingDirectory')).toMatch(/^\//);
      expect(run.command).toBe('run');
      // $$ is systemd's escape for $: mig receives ${env:MIG_STATE_URL}, never the password.
      expect(run.flags.get('state-url')).toBe('$${env:MIG_STATE_URL}');
      expect(Number(run.flags.get('health-port'))).toBeGreaterThan(0);
    });

    it('takes secrets from an environment file whose example defines every variable it names', () => {
      const file = one('EnvironmentFile');
      const example = path.join(EXAMPLES, 'systemd', `${path.basename(file)}.example`);
      expect(existsSync(example), example).toBe(true);
      const defined = envFile(readFileSync(example, 'utf8'));
      for (const name of envRefs(UNIT_TEXT)) expect(defined, name).toContain(name);
      expect(defined).toContain('MIG_STATE_URL');
    });

    it('is hardened, but leaves Node.js its JIT', () => {
      for (const [k, v] of Object.entries({ NoNewPrivileges: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes', User: 'mig' })) expect(one(k), k).toBe(v);
      expect(one('CapabilityBoundingSet')).toBe('');
      expect(service.MemoryDenyWriteExecute).toBeUndefined();
    });

    const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    it.skipIf(analyze.error !== undefined)('passes systemd-analyze verify (and verify does catch a broken unit)', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'mig-unit-'));
      // verify wants ExecStart to exist on this machine; mig need not be installed to check the rest.
      const verify = (name: string, text: string) => {
        writeFileSync(path.join(dir, name), text.replace(/^ExecStart=.*$/m, 'ExecStart=/bin/true'));
        const r = spawnSync('systemd-analyze', ['verify', path.join(dir, name)], { encoding: 'utf8', timeout: 60_000 });
        return { status: r.status, complaints: `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes(name)) };
      };
      const broken = verify('broken.service', '[Service]\nExecStart=x\nRestartt=always\nKillSignal=SIGFOO\n');
      expect(broken.complaints.length).toBeGreaterThanOrEqual(2);
      expect(verify('mig-runner.service', UNIT_TEXT)).toEqual({ status: 0, complaints: [] });
    });
  });

  describe('Kubernetes', () => {
    it('two replicas of mig run, replaced by Recreate (a standby never becomes Ready)', () => {
      const d = deployment();
      expect(d.replicas).toBe(2);
      expect(d.strategy?.type).toBe('Recreate');
      expect(d.selector.matchLabels).toEqual(d.template.metadata.labels);
      expect(k8sRun().command).toBe('run');
    });

    it('on the MySQL state (several pods share the lease), its URL by reference from the Secret', () => {
      const run = k8sRun();
      expect(run.flags.has('state')).toBe(false);
      const [name] = envRefs(String(run.flags.get('state-url')));
      const secret = ofKind('Secret');
      expect(container().envFrom?.map((e) => e.secretRef?.name)).toContain(secret.metadata.name);
      expect(Object.keys(secret.stringData ?? {})).toContain(name);
    });

    it('probes /livez for liveness and /healthz for readiness on the port the command opens, on all interfaces', () => {
      const c = container();
      const run = k8sRun();
      const port = Number(run.flags.get('health-port'));
      expect(port).toBeGreaterThan(0);
      // The kubelet probes the pod IP; the default 127.0.0.1 would fail every probe.
      expect(run.flags.get('health-host')).toBe('0.0.0.0');
      const portOf = (p: number | string) => (typeof p === 'number' ? p : c.ports?.find((x) => x.name === p)?.containerPort);
      expect(c.livenessProbe?.httpGet.path).toBe('/livez');
      expect(c.readinessProbe?.httpGet.path).toBe('/healthz');
      expect(c.startupProbe?.httpGet.path).toBe('/livez');
      for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) expect(portOf(probe!.httpGet.port)).toBe(port);
    });

    it('gives a stopping pod time to checkpoint, and has resources', () => {
      const grace = deployment().template.spec.terminationGracePeriodSeconds ?? 30;
      expect(grace).toBeGreaterThanOrEqual(60);
      expect(grace).toBeGreaterThan(Number(k8sRun().flags.get('lease-seconds') ?? 30));
      const r = container().resources;
      expect(Object.keys(r?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
      expect(r?.limits?.memory).toBeDefined();
    });

    it('mounts the specs from the ConfigMap as the --dir, and they are valid specs whose secrets the Secret holds', () => {
      const c = container();
      const cm = ofKind('ConfigMap');
      const volume = deployment().template.spec.volumes?.find((v) => v.configMap?.name === cm.metadata.name);
      const mount = c.volumeMounts?.find((m) => m.name === volume?.name);
      expect(mount?.mountPath).toBe(path.posix.join(c.workingDir ?? '/', String(k8sRun().flags.get('dir') ?? 'migrations.d')));
      const keys = Object.keys(ofKind('Secret').stringData ?? {});
      for (const [file, text] of Object.entries(cm.data ?? {})) {
        const { diagnostics } = parseSpecText(text, file);
        expect(hasErrors(diagnostics), JSON.stringify(diagnostics)).toBe(false);
        for (const name of envRefs(text)) expect(keys, `${file}: \${env:${name}}`).toContain(name);
      }
    });

    it('a PodDisruptionBudget selects the runner pods', () => {
      const pdb = ofKind('PodDisruptionBudget').spec as { minAvailable?: number; selector: { matchLabels: Record<string, string> }; unhealthyPodEvictionPolicy?: string };
      expect(pdb.selector.matchLabels).toEqual(deployment().selector.matchLabels);
      expect(pdb.minAvailable).toBe(1);
      expect(pdb.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
    });
  });
});
