/**
 * Where the runner finds its read-only inputs: the conformance corpus and the XSDs in the team's shared folder
 * (`../shared` next to the repository). Both can be overridden for other checkouts.
 */
import fs from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..');

type Env = Record<string, string | undefined>;

export function corpusRoot(env: Env = process.env): string {
  return env.CONFORMANCE_CORPUS ? path.resolve(env.CONFORMANCE_CORPUS) : path.resolve(REPO_ROOT, '../shared/conformance/corpus');
}

export function schemasDir(env: Env = process.env): string {
  return env.CONFORMANCE_SCHEMAS ? path.resolve(env.CONFORMANCE_SCHEMAS) : path.resolve(REPO_ROOT, '../shared/schemas');
}

/** Path of a corpus file given its corpus-relative name (as MANIFEST.md writes it). */
export function corpusFile(relative: string, env: Env = process.env): string {
  return path.join(corpusRoot(env), relative);
}

export function readCorpusText(relative: string, env: Env = process.env): string {
  return fs.readFileSync(corpusFile(relative, env), 'utf8');
}

export function readCorpusBytes(relative: string, env: Env = process.env): Buffer {
  return fs.readFileSync(corpusFile(relative, env));
}
