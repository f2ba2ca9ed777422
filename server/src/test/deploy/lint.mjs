// Checks what deploy/ holds without a cluster or a Docker daemon (DeployFilesTest runs it):
// every Kubernetes object against the API's OpenAPI schema (kubernetes-models' validators,
// which check types, formats and required fields) and against its TypeScript type (strict, so an
// unknown or misspelt field is an error, as kubectl --validate=strict makes it), and the
// Dockerfile with the Docker language server's linter (dockerfile-utils).
// Usage: node lint.mjs <repository root>
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { validate as lintDockerfile } from 'dockerfile-utils';

const root = process.argv[2];
const here = dirname(fileURLToPath(import.meta.url));
const problems = [];
let checked = 0;
/** Generated TypeScript, one file per object: the object as a literal of its API type. */
const typed = new Map();

/** The model class of an object: kubernetes-models/<group>/<version>/<Kind> (core: v1/<Kind>). */
async function modelOf(apiVersion, kind) {
  return (await import(`kubernetes-models/${apiVersion}/${kind}`))[kind];
}

/** Excess property checks of object literals find fields the API does not have. */
function typeCheck() {
  const options = {
    strict: true, noEmit: true, skipLibCheck: true, types: [],
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (name, language, ...rest) => (typed.has(name)
    ? ts.createSourceFile(name, typed.get(name).source, language) : getSourceFile(name, language, ...rest));
  const fileExists = host.fileExists;
  host.fileExists = (name) => typed.has(name) || fileExists(name);
  const readFile = host.readFile;
  host.readFile = (name) => (typed.has(name) ? typed.get(name).source : readFile(name));
  const program = ts.createProgram([...typed.keys()], options, host);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const where = diagnostic.file && typed.has(diagnostic.file.fileName) ? typed.get(diagnostic.file.fileName).where
      : diagnostic.file?.fileName ?? 'typescript';
    problems.push(`${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`);
  }
}

const k8s = join(root, 'deploy', 'k8s');
for (const file of readdirSync(k8s).filter((f) => f.endsWith('.yaml')).sort()) {
  for (const document of parseAllDocuments(readFileSync(join(k8s, file), 'utf8'))) {
    if (document.errors.length > 0) {
      problems.push(`${file}: ${document.errors.map(String).join('; ')}`);
      continue;
    }
    const object = document.toJS();
    if (object === null) {
      continue;
    }
    if (object.kind === 'Kustomization') {
      continue; // not an API object; DeployFilesTest checks that it lists every manifest
    }
    const where = `${file}: ${object.kind} ${object.metadata?.name}`;
    try {
      const Model = await modelOf(object.apiVersion, object.kind);
      new Model(object).validate();
      checked++;
      const name = join(here, `check-${typed.size}.ts`);
      typed.set(name, { where, source: `import type { I${object.kind} } from 'kubernetes-models/${object.apiVersion}/${object.kind}';\n`
        + `export const object: I${object.kind} = ${JSON.stringify(object, null, 1)};\n` });
    } catch (e) {
      problems.push(`${where}: ${e.message}`);
    }
  }
}

typeCheck();

const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
for (const diagnostic of lintDockerfile(dockerfile)) {
  problems.push(`Dockerfile:${diagnostic.range.start.line + 1}: ${diagnostic.message}`);
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`ok: ${checked} Kubernetes objects and the Dockerfile`);
