// Validates Kubernetes resources (a JSON array on stdin) against the Kubernetes schema of each
// one's kind with kubernetes-models, and prints one line per problem. It runs as its own Node
// process because kubernetes-models is ESM-only and Jest's module system cannot load it.
import { readFileSync } from 'node:fs';
import process from 'node:process';

const resources = JSON.parse(readFileSync(0, 'utf8'));
const problems = [];
for (const resource of resources) {
  const where = `${resource.kind} ${resource.metadata?.name}`;
  const [group, version] = resource.apiVersion.includes('/') ? resource.apiVersion.split('/') : [null, resource.apiVersion];
  const models = await import(`kubernetes-models/${group ? `${group}/` : ''}${version}`);
  const Model = models[resource.kind];
  if (!Model) {
    problems.push(`${where}: no schema for ${resource.apiVersion} ${resource.kind}`);
    continue;
  }
  try {
    new Model(resource).validate();
  } catch (error) {
    problems.push(`${where}: ${error.message}`);
  }
}
process.stdout.write(problems.join('\n'));
