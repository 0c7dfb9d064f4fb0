// Input files for the CLI (YAML or JSON — JSON is read by the YAML parser too, so both keep source
// positions): every issue is reported as file:line:column with the field path and the rule.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { inChinese } from '../domain/issue-text';

export interface FileIssue {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
}

export class InputFileError extends Error {
  override name = 'InputFileError';
  constructor(readonly issues: FileIssue[]) {
    super(issues.map(formatFileIssue).join('\n'));
  }
}

/** `round.yaml:12:7: units.0.sector: 请从列表中选择（Invalid option: …）` */
export function formatFileIssue(i: FileIssue): string {
  return `${i.file}:${i.line}:${i.col}: ${i.path}: ${inChinese(i.message)}`;
}

export interface InputFile {
  file: string;
  data: unknown;
  /** Where a field path (`units.0.head.email`) is written; a missing field points at its parent. */
  locate(path: string, atKey?: boolean): { line: number; col: number };
  /** Issues with paths (from zod or a later check) as file issues. */
  issues(list: { path: string; message: string }[]): FileIssue[];
}

/** The node at a path, or the nearest ancestor written in the file. */
function nodeAt(doc: Document, segments: string[], atKey = false): Node | undefined {
  let node: unknown = doc.contents;
  let found = node as Node | undefined;
  for (const [i, seg] of segments.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) break;
      if (atKey && i === segments.length - 1) return pair.key as Node;
      // `key:` with nothing after it has no value node: point at the key.
      node = pair.value ?? pair.key;
      found = ((pair.value as Node | null)?.range ? pair.value : pair.key) as Node;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined || !/^\d+$/.test(seg)) break;
      node = item;
      found = item as Node;
    } else break;
  }
  return found;
}

export function parseInputFile(file: string, text: string): InputFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const pos = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  if (doc.errors.length) {
    throw new InputFileError(
      doc.errors.map((e) => {
        const { line, col } = pos(e.pos[0]);
        return { file, line, col, path: '(syntax)', message: `YAML/JSON 语法错误 — ${e.message.split('\n')[0]}` };
      }),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    throw new InputFileError([{ file, line: 1, col: 1, path: '(root)', message: `无法读取 (unreadable): ${(e as Error).message}` }]);
  }
  const locate = (path: string, atKey = false) => {
    const segments = path === '(root)' || path === '' ? [] : path.split('.');
    const node = nodeAt(doc, segments, atKey);
    return node?.range ? pos(node.range[0]) : { line: 1, col: 1 };
  };
  return {
    file,
    data,
    locate,
    issues: (list) =>
      list.flatMap((i) => {
        // An unknown key is reported on its parent: point at the key itself.
        const keys = /^Unrecognized keys?: (.+)$/.exec(i.message)?.[1]?.match(/"((?:[^"\\]|\\.)*)"/g);
        if (keys?.length) {
          return keys.map((k) => {
            const key = JSON.parse(k) as string;
            const path = i.path === '(root)' ? key : `${i.path}.${key}`;
            return { file, ...locate(path, true), path, message: `Unrecognized key: "${key}"` };
          });
        }
        return [{ file, ...locate(i.path), path: i.path, message: i.message }];
      }),
  };
}
