/**
 * Escalation policies, versioned. A save stores version + 1 (409 when someone saved in between), puts
 * a diff summary on the paper trail, and tells every account with open invoices to re-plan under it:
 * the facts version is bumped in the same transaction, so an account the signal misses is picked up
 * by the worker's reconciler.
 */
import { desc, eq } from 'drizzle-orm';
import * as facts from '../../db/facts';
import * as t from '../../db/schema';
import { PolicyList, PolicyNameParams, PolicyVersion, SavePolicyRequest, SavePolicyResponse } from '../../domain/api/policies';
import { problemTypes } from '../../domain/api/problems';
import { defaultPolicies } from '../../domain/policy/default-policy';
import { PolicyDefinition } from '../../domain/policy/schema';
import type { AppDeps } from '../deps';
import { WorkflowUnavailableError } from '../gateway';
import { HttpProblem, problems } from '../problems';
import { route } from '../routing';
import { iso, NOT_SIGNALED } from './support';
import type { Actor } from '../../domain/messages';

type Row = { p: t.PolicyRow; by: string | null };

function view({ p, by }: Row): PolicyVersion {
  return { id: p.id, name: p.name, version: p.version, active: p.active, createdAt: iso(p.createdAt), createdBy: by, definition: PolicyDefinition.parse(p.definition) };
}

/** Built-in policies shown before anything is stored; version 0, ids stable per name so lists do not flicker. */
const builtInId = (i: number) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`;
const builtIns = (): PolicyVersion[] =>
  defaultPolicies.map((definition, i) => ({ id: builtInId(i), name: definition.name, version: 0, active: true, createdAt: new Date(0).toISOString(), createdBy: null, definition }));

const selectRows = (deps: AppDeps) =>
  deps.db.db.select({ p: t.policies, by: t.users.name }).from(t.policies).leftJoin(t.users, eq(t.users.id, t.policies.createdBy));

/** Best effort and bounded: a few signals at a time, and the first sign that Temporal is down stops the rest. */
async function signalPolicyChange(deps: AppDeps, accounts: { id: string; v: number }[], actor: Actor): Promise<number> {
  let signaled = 0;
  let down = false;
  const queue = [...accounts];
  const worker = async () => {
    for (let a = queue.shift(); a && !down; a = queue.shift()) {
      try {
        await deps.temporal.factsChanged(a.id, { factsVersion: a.v, change: 'policy_changed', actor });
        signaled++;
      } catch (err) {
        if (err instanceof WorkflowUnavailableError) down = true;
        deps.logger.warn({ err, accountId: a.id }, 'policy stored but the account workflow was not signaled');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, accounts.length) }, worker));
  return signaled;
}

export const policyRoutes = [
  route({
    method: 'get',
    path: '/api/policies',
    summary: 'The newest version of each escalation policy (the built-in ones, as version 0, until one is saved)',
    tag: 'policies',
    access: { kind: 'permission', permission: 'policies:read' },
    response: PolicyList,
    async handler({ deps }) {
      const rows = await selectRows(deps).orderBy(t.policies.name, desc(t.policies.version));
      if (rows.length === 0) return { items: builtIns() };
      const newest = new Map<string, Row>();
      for (const r of rows) if (!newest.has(r.p.name)) newest.set(r.p.name, r);
      // The default policy (no segments) first, as the engine falls back to it.
      const items = [...newest.values()].map(view).sort((a, b) => a.definition.segments.length - b.definition.segments.length || a.name.localeCompare(b.name));
      return { items };
    },
  }),
  route({
    method: 'get',
    path: '/api/policies/:name/versions',
    summary: "Every stored version of one policy, newest first",
    tag: 'policies',
    access: { kind: 'permission', permission: 'policies:read' },
    params: PolicyNameParams,
    response: PolicyList,
    async handler({ deps, params }) {
      const rows = await selectRows(deps).where(eq(t.policies.name, params.name)).orderBy(desc(t.policies.version));
      if (rows.length === 0) {
        const builtIn = builtIns().find((p) => p.name === params.name);
        if (!builtIn) throw problems.notFound(`The policy "${params.name}"`);
        return { items: [builtIn] };
      }
      return { items: rows.map(view) };
    },
  }),
  route({
    method: 'post',
    path: '/api/policies',
    summary: 'Save a new version of a policy (409 when it is not based on the newest version); accounts with open invoices re-plan under it',
    tag: 'policies',
    access: { kind: 'permission', permission: 'policies:write' },
    body: SavePolicyRequest,
    response: SavePolicyResponse,
    status: 201,
    async handler({ deps, body, actor, wfActor, principal }) {
      const { definition, basedOnVersion } = body;
      let saved;
      try {
        saved = await facts.savePolicyVersion(deps.db.db, { definition, basedOnVersion, createdBy: principal.kind === 'user' ? principal.id : null }, actor);
      } catch (e) {
        if (!(e instanceof facts.PolicyVersionConflict)) throw e;
        throw new HttpProblem(
          409,
          problemTypes.conflict,
          'Policy changed meanwhile',
          e.current > 0
            ? `"${definition.name}" is at version ${e.current}, but this edit was based on ${basedOnVersion === null ? 'no stored version' : `version ${basedOnVersion}`}. Reload, review the newer version and edit again.`
            : `"${definition.name}" has no stored version yet; save it with basedOnVersion null.`,
        );
      }
      const signaled = await signalPolicyChange(deps, saved.bumped, wfActor);
      const [withName] = await selectRows(deps).where(eq(t.policies.id, saved.row.id));
      return {
        ...view(withName),
        workflow: {
          accounts: saved.bumped.length,
          signaled,
          ...(signaled < saved.bumped.length ? { message: NOT_SIGNALED } : {}),
        },
      };
    },
  }),
];
