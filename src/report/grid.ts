// Text tables for the terminal: our own renderer (README "Choices written down": why not
// cli-table3). Three forms of one table, chosen by the width it may take:
//   - the full table, box-drawn exactly as cli-table3 drew it (padding 1, a rule between rows,
//     row-spanning cells), the only form used when there is no width limit (not a terminal, so
//     golden files stay stable);
//   - the same table with its cells word-wrapped into narrower columns;
//   - one block per row: a title line and "head value" pairs, wrapped.
// Everything is linear in the number of rows. Pure: no terminal, no environment.

/** The styles a cell may ask for (chalk's names); the renderer applies them after padding. */
export interface Paint {
  bold(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

export type Style = 'bold' | 'red' | 'green' | 'yellow';

interface GridCell {
  text: string;
  style?: Style;
  /** Rows this cell covers (full form only); the rows below hold null in its column. */
  span?: number;
}

/** A cell: plain text, a styled cell, or null where a cell of a row above spans. */
export type GridInput = string | GridCell | null;

export interface Grid {
  head?: readonly string[];
  rows: readonly (readonly GridInput[])[];
}

// ---------------------------------------------------------------------------------------------
// Display width

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;

// East Asian Wide and Fullwidth ranges and the emoji shown two columns wide (an approximation of
// Unicode's East Asian Width property, which is what terminals follow).
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], [0x231a, 0x231b], [0x2329, 0x232a], [0x23e9, 0x23ec], [0x23f0, 0x23f0],
  [0x23f3, 0x23f3], [0x25fd, 0x25fe], [0x2614, 0x2615], [0x2648, 0x2653], [0x267f, 0x267f],
  [0x2693, 0x2693], [0x26a1, 0x26a1], [0x26aa, 0x26ab], [0x26bd, 0x26be], [0x26c4, 0x26c5],
  [0x26ce, 0x26ce], [0x26d4, 0x26d4], [0x26ea, 0x26ea], [0x26f2, 0x26f3], [0x26f5, 0x26f5],
  [0x26fa, 0x26fa], [0x26fd, 0x26fd], [0x2705, 0x2705], [0x270a, 0x270b], [0x2728, 0x2728],
  [0x274c, 0x274c], [0x274e, 0x274e], [0x2753, 0x2755], [0x2757, 0x2757], [0x2795, 0x2797],
  [0x27b0, 0x27b0], [0x27bf, 0x27bf], [0x2b1b, 0x2b1c], [0x2b50, 0x2b50], [0x2b55, 0x2b55],
  [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf],
  [0xa960, 0xa97f], [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe6f],
  [0xff00, 0xff60], [0xffe0, 0xffe6], [0x16fe0, 0x16fe4], [0x17000, 0x18cd5], [0x1b000, 0x1b2fb],
  [0x1f004, 0x1f004], [0x1f0cf, 0x1f0cf], [0x1f18e, 0x1f18e], [0x1f191, 0x1f19a], [0x1f200, 0x1f251],
  [0x1f300, 0x1f64f], [0x1f680, 0x1f6ff], [0x1f7e0, 0x1f7eb], [0x1f90c, 0x1f9ff], [0x1fa70, 0x1faff],
  [0x20000, 0x2fffd], [0x30000, 0x3fffd],
];

function codePointWidth(cp: number, ch: string): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1;
  if (ZERO_WIDTH.test(ch)) return 0;
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = WIDE[mid]!;
    if (cp < r[0]) hi = mid - 1;
    else if (cp > r[1]) lo = mid + 1;
    else return 2;
  }
  return 1;
}

/** Columns `s` takes on a terminal (wide characters 2, combining marks 0). */
export function displayWidth(s: string): number {
  if (PRINTABLE_ASCII.test(s)) return s.length;
  let w = 0;
  for (const ch of s) w += codePointWidth(ch.codePointAt(0)!, ch);
  return w;
}

// ---------------------------------------------------------------------------------------------
// Wrapping

/** Split `word` into pieces of at most `first` (then `rest`) columns: a word wider than a line. */
function hardBreak(word: string, first: number, rest: number): string[] {
  const out: string[] = [];
  let cur = '';
  let w = 0;
  for (const ch of word) {
    const cw = codePointWidth(ch.codePointAt(0)!, ch);
    const limit = out.length === 0 ? first : rest;
    if (w + cw > limit && cur !== '') {
      out.push(cur);
      cur = '';
      w = 0;
    }
    cur += ch;
    w += cw;
  }
  out.push(cur);
  return out;
}

/** Greedy word wrap of one line into lines of at most `first` (the first line) and `rest` columns. */
function wrapWords(text: string, first: number, rest: number): string[] {
  const lines: string[] = [];
  let cur = '';
  let curW = 0;
  let started = false;
  const limit = () => Math.max(1, lines.length === 0 ? first : rest);
  for (const word of text.split(' ')) {
    const ww = displayWidth(word);
    if (started && curW + 1 + ww <= limit()) {
      cur += ' ' + word;
      curW += 1 + ww;
      continue;
    }
    if (started) lines.push(cur);
    started = true;
    if (ww <= limit()) {
      cur = word;
      curW = ww;
      continue;
    }
    const parts = hardBreak(word, limit(), Math.max(1, rest));
    for (let i = 0; i < parts.length - 1; i++) lines.push(parts[i]!);
    cur = parts[parts.length - 1]!;
    curW = displayWidth(cur);
  }
  lines.push(cur);
  return lines;
}

/**
 * `text` as lines of at most `width` columns, continuation lines indented by `indent` spaces.
 * Breaks after ", " where it can (the report's lines are comma-separated phrases), else at
 * spaces; a word wider than a line is cut. No width (undefined): the text as it is.
 */
export function wrapText(text: string, width: number | undefined, indent = 2): string[] {
  if (width === undefined || displayWidth(text) <= width) return [text];
  const pad = ' '.repeat(indent);
  const inner = Math.max(1, width - indent);
  const phrases = text.split(/(?<=,) /);
  const lines: string[] = [];
  let cur = '';
  let curW = 0;
  for (const p of phrases) {
    const pw = displayWidth(p);
    const limit = lines.length === 0 ? width : inner;
    if (cur !== '' && curW + 1 + pw <= limit) {
      cur += ' ' + p;
      curW += 1 + pw;
      continue;
    }
    if (cur !== '') lines.push(cur);
    const room = lines.length === 0 ? width : inner;
    if (pw <= room) {
      cur = p;
      curW = pw;
    } else {
      const parts = wrapWords(p, room, inner);
      for (let i = 0; i < parts.length - 1; i++) lines.push(parts[i]!);
      cur = parts[parts.length - 1]!;
      curW = displayWidth(cur);
    }
  }
  if (cur !== '') lines.push(cur);
  return lines.map((l, i) => (i === 0 ? l : pad + l));
}

// ---------------------------------------------------------------------------------------------
// The full (box-drawn) form

interface Norm {
  text: string;
  /** The lines of a multi-line cell; null for the usual single line (`text`). */
  lines: string[] | null;
  /** Width of the widest line. */
  w: number;
  style: Style | undefined;
  span: number;
}

function makeNorm(text: string, style: Style | undefined, span: number): Norm {
  if (!text.includes('\n')) return { text, lines: null, w: displayWidth(text), style, span };
  const lines = text.split('\n');
  let w = 0;
  for (const l of lines) w = Math.max(w, displayWidth(l));
  return { text, lines, w, style, span };
}

function norm(c: GridInput): Norm | null {
  if (c === null) return null;
  if (typeof c === 'string') return makeNorm(c, undefined, 1);
  return makeNorm(c.text, c.style, c.span ?? 1);
}

function linesOf(c: Norm): readonly string[] {
  return c.lines ?? [c.text];
}

function columnCount(g: Grid): number {
  let n = g.head?.length ?? 0;
  for (const r of g.rows) if (r.length > n) n = r.length;
  return n;
}

const EMPTY: Norm = { text: '', lines: null, w: 0, style: undefined, span: 1 };

function normalise(g: Grid): { head: Norm[] | null; rows: (Norm | null)[][]; cols: number } {
  const cols = columnCount(g);
  const head = g.head ? Array.from({ length: cols }, (_, i) => norm(g.head![i] ?? '')!) : null;
  const rows = g.rows.map((r) => {
    const out: (Norm | null)[] = new Array(cols);
    for (let i = 0; i < cols; i++) out[i] = i < r.length ? norm(r[i]!) : EMPTY;
    return out;
  });
  return { head, rows, cols };
}

function naturalWidths(head: readonly (Norm | null)[] | null, rows: readonly (Norm | null)[][], cols: number): number[] {
  const w = new Array<number>(cols).fill(0);
  const take = (cells: readonly (Norm | null)[]) => {
    for (let i = 0; i < cols; i++) {
      const c = cells[i];
      if (c && c.w > w[i]!) w[i] = c.w;
    }
  };
  if (head) take(head);
  for (const r of rows) take(r);
  return w;
}

/** Width in columns of a table whose column contents are `widths` wide. */
function tableWidth(widths: readonly number[]): number {
  let t = 1;
  for (const w of widths) t += w + 3;
  return t;
}

function paintText(text: string, style: Style | undefined, paint: Paint | undefined): string {
  if (!paint || style === undefined || text === '') return text;
  return paint[style](text);
}

/**
 * The rule below a row where some cells span into the next one: open (blank) in their columns,
 * the junctions drawn accordingly (left[i] > 0: column i is covered by a span from above).
 */
function spanRule(left: readonly number[], widths: readonly number[], spaces: readonly string[], dashes: readonly string[]): string {
  const cols = widths.length;
  let rule = left[0]! > 0 ? '\n│' : '\n├';
  for (let i = 0; i < cols; i++) {
    const open = left[i]! > 0;
    rule += open ? spaces[widths[i]! + 2]! : dashes[i]!;
    if (i === cols - 1) rule += open ? '│' : '┤';
    else {
      const nextOpen = left[i + 1]! > 0;
      rule += open ? (nextOpen ? '│' : '├') : nextOpen ? '┤' : '┼';
    }
  }
  return rule;
}

/**
 * Lay out normalised rows with fixed column widths (cells already wrapped to fit). The text is
 * collected as pieces joined once at the end: a table of 10^4 rows would otherwise build
 * millions of intermediate strings.
 */
function draw(head: (Norm | null)[] | null, rows: (Norm | null)[][], widths: readonly number[], paint: Paint | undefined): string {
  const cols = widths.length;
  if (rows.length === 0 && head === null) return '';
  let widest = 0;
  for (const w of widths) widest = Math.max(widest, w);
  // spaces[n]: n spaces (one string per width, not one per cell)
  const spaces: string[] = [];
  for (let n = 0; n <= widest + 2; n++) spaces.push(' '.repeat(n));
  const dashes = widths.map((w) => '─'.repeat(w + 2));
  const parts: string[] = [];
  parts.push('┌' + dashes.join('┬') + '┐');
  const fullRule = '\n├' + dashes.join('┼') + '┤';
  const contentLines = (cells: (Norm | null)[], headRow: boolean) => {
    let height = 1;
    for (const c of cells) if (c && c.lines !== null && c.lines.length > height) height = c.lines.length;
    for (let li = 0; li < height; li++) {
      parts.push('\n│');
      for (let i = 0; i < cols; i++) {
        const c = cells[i];
        const cw = widths[i]!;
        let text = '';
        let w = 0;
        if (c) {
          if (c.lines === null) {
            if (li === 0) {
              text = c.text;
              w = c.w;
            }
          } else {
            text = c.lines[li] ?? '';
            w = displayWidth(text);
          }
        }
        parts.push(' ');
        if (text !== '') {
          const style = headRow ? 'bold' : c!.style;
          parts.push(paint !== undefined && style !== undefined ? paint[style](text) : text);
        }
        parts.push(spaces[cw - w]!, ' │');
      }
    }
  };
  if (head) {
    contentLines(head, true);
    if (rows.length > 0) parts.push(fullRule);
  }
  // a cell covers the rows below it while `left[i]` > 0
  const left = new Array<number>(cols).fill(0);
  let spanning = 0;
  for (let r = 0; r < rows.length; r++) {
    const cells = rows[r]!;
    for (let i = 0; i < cols; i++) {
      const c = cells[i];
      if (c) {
        if (left[i]! > 0) spanning--;
        left[i] = c.span - 1;
        if (left[i]! > 0) spanning++;
      } else if (left[i]! > 0) {
        left[i]!--;
        if (left[i] === 0) spanning--;
      }
    }
    contentLines(cells, false);
    if (r < rows.length - 1) parts.push(spanning === 0 ? fullRule : spanRule(left, widths, spaces, dashes));
  }
  parts.push('\n└' + dashes.join('┴') + '┘');
  return parts.join('');
}

/** The full table (cli-table3's layout), no trailing newline. */
export function renderGrid(g: Grid, paint?: Paint): string {
  return renderSingleLine(g, paint) ?? renderNormalised(g, paint);
}

/** Pieces gathered before they are joined into one chunk of the table. */
const CHUNK_PIECES = 8192;

function renderNormalised(g: Grid, paint?: Paint): string {
  const { head, rows, cols } = normalise(g);
  return draw(head, rows, naturalWidths(head, rows, cols), paint);
}

function inputText(c: GridInput): string | null {
  return c === null ? null : typeof c === 'string' ? c : c.text;
}

/**
 * The full form of a table whose cells are all one line (the report's big tables): the same
 * layout as draw(), from the cells as given, with one width array for all of them instead of an
 * object per cell. Null when some cell has several lines (draw() does those).
 */
function renderSingleLine(g: Grid, paint: Paint | undefined): string | null {
  const cols = columnCount(g);
  const rows = g.rows;
  if (rows.length === 0 && !g.head) return '';
  const head = g.head ? Array.from({ length: cols }, (_, i) => g.head![i] ?? '') : null;
  const cellW = new Int32Array(rows.length * cols);
  const widths = new Array<number>(cols).fill(0);
  if (head) {
    for (let i = 0; i < cols; i++) {
      if (head[i]!.includes('\n')) return null;
      widths[i] = displayWidth(head[i]!);
    }
  }
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    for (let i = 0; i < cols; i++) {
      const t = i < row.length ? inputText(row[i]!) : '';
      if (t === null || t === '') continue;
      if (t.includes('\n')) return null;
      const w = displayWidth(t);
      cellW[r * cols + i] = w;
      if (w > widths[i]!) widths[i] = w;
    }
  }
  let widest = 0;
  for (const w of widths) widest = Math.max(widest, w);
  const spaces: string[] = [];
  for (let n = 0; n <= widest + 2; n++) spaces.push(' '.repeat(n));
  const dashes = widths.map((w) => '─'.repeat(w + 2));
  // pieces joined once at the end: a table of 10^4 rows would otherwise build millions of
  // intermediate strings (concatenating a line cell by cell doubled the garbage collector's work)
  const chunks: string[] = [];
  const parts: string[] = ['┌' + dashes.join('┬') + '┐'];
  const fullRule = '\n├' + dashes.join('┼') + '┤';
  if (head) {
    parts.push('\n│');
    for (let i = 0; i < cols; i++) {
      const t = head[i]!;
      parts.push(' ', paint && t !== '' ? paint.bold(t) : t, spaces[widths[i]! - displayWidth(t)]!, ' │');
    }
    if (rows.length > 0) parts.push(fullRule);
  }
  const covered = spaces.map((sp) => sp + '│');
  const left = new Array<number>(cols).fill(0);
  let spanning = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    parts.push('\n│');
    for (let i = 0; i < cols; i++) {
      const c = i < row.length ? row[i]! : '';
      if (c === null) {
        if (left[i]! > 0 && --left[i]! === 0) spanning--;
        parts.push(covered[widths[i]! + 2]!);
        continue;
      }
      if (left[i]! > 0) spanning--;
      let text: string;
      let style: Style | undefined;
      if (typeof c === 'string') {
        text = c;
        left[i] = 0;
      } else {
        text = c.text;
        style = c.style;
        left[i] = (c.span ?? 1) - 1;
        if (left[i]! > 0) spanning++;
      }
      parts.push(' ', paint !== undefined && style !== undefined && text !== '' ? paint[style](text) : text, spaces[widths[i]! - cellW[r * cols + i]!]!, ' │');
    }
    if (r < rows.length - 1) parts.push(spanning === 0 ? fullRule : spanRule(left, widths, spaces, dashes));
    // a chunk of rows at a time: the pieces stay few and short-lived, the heap does not grow
    // with the table (one array of millions of pieces made rendering superlinear in rows)
    if (parts.length >= CHUNK_PIECES) {
      chunks.push(parts.join(''));
      parts.length = 0;
    }
  }
  parts.push('\n└' + dashes.join('┴') + '┘');
  chunks.push(parts.join(''));
  return chunks.join('');
}

/** Columns the full table takes. */
export function gridWidth(g: Grid): number {
  const cols = columnCount(g);
  const widths = new Array<number>(cols).fill(0);
  const take = (i: number, t: string | null) => {
    if (t === null || t === '') return;
    let w = 0;
    if (t.includes('\n')) for (const l of t.split('\n')) w = Math.max(w, displayWidth(l));
    else w = displayWidth(t);
    if (w > widths[i]!) widths[i] = w;
  };
  if (g.head) for (let i = 0; i < g.head.length; i++) take(i, g.head[i]!);
  for (const row of g.rows) for (let i = 0; i < row.length; i++) take(i, inputText(row[i]!));
  return tableWidth(widths);
}

// ---------------------------------------------------------------------------------------------
// The wrapped form

function minWidths(head: Norm[] | null, rows: (Norm | null)[][], cols: number): number[] {
  const w = new Array<number>(cols).fill(1);
  const take = (cells: (Norm | null)[]) => {
    for (let i = 0; i < cols; i++) {
      const c = cells[i];
      if (!c) continue;
      for (const l of linesOf(c)) {
        for (const word of l.split(' ')) {
          const ww = displayWidth(word);
          if (ww > w[i]!) w[i] = ww;
        }
      }
    }
  };
  if (head) take(head);
  for (const r of rows) take(r);
  return w;
}

function wrapCell(c: Norm | null, width: number): Norm | null {
  if (!c || c.w <= width) return c;
  const lines: string[] = [];
  for (const l of linesOf(c)) {
    if (displayWidth(l) <= width) lines.push(l);
    else lines.push(...wrapWords(l, width, width));
  }
  return { ...c, lines, w: width };
}

/**
 * The table with cells wrapped at spaces into columns narrow enough for `width`, or null when
 * even the longest word of each column does not fit. Row spans are not kept (callers with spans
 * use another narrow form).
 */
export function renderWrapped(g: Grid, width: number, paint?: Paint): string | null {
  const { head, rows, cols } = normalise(g);
  const natural = naturalWidths(head, rows, cols);
  if (tableWidth(natural) <= width) return draw(head, rows, natural, paint);
  const min = minWidths(head, rows, cols);
  if (tableWidth(min) > width) return null;
  const widths = natural.slice();
  let excess = tableWidth(widths) - width;
  while (excess > 0) {
    // narrow the widest column that can still give up a column
    let pick = -1;
    for (let i = 0; i < cols; i++) if (widths[i]! > min[i]! && (pick < 0 || widths[i]! > widths[pick]!)) pick = i;
    if (pick < 0) return null;
    const give = Math.min(excess, widths[pick]! - min[pick]!, Math.max(1, widths[pick]! - secondWidest(widths, pick)));
    widths[pick] = widths[pick]! - give;
    excess -= give;
  }
  const wrap = (cells: (Norm | null)[]) => cells.map((c, i) => wrapCell(c, widths[i]!));
  return draw(head ? wrap(head) : null, rows.map(wrap), widths, paint);
}

function secondWidest(widths: readonly number[], except: number): number {
  let m = 0;
  for (let i = 0; i < widths.length; i++) if (i !== except && widths[i]! > m) m = widths[i]!;
  return m;
}

// ---------------------------------------------------------------------------------------------
// The block form

export interface BlockLine {
  title: string;
  titleStyle?: Style;
  pairs: { text: string; style?: Style }[];
}

/**
 * One block per row: its title, then its pairs joined by ", " on the next line(s), indented by
 * two and wrapped to `width`.
 */
export function renderBlocks(blocks: Iterable<BlockLine>, width: number | undefined, paint?: Paint): string {
  const out: string[] = [];
  for (const b of blocks) {
    for (const l of wrapText(b.title, width, 2)) out.push(paintText(l, b.titleStyle, paint));
    if (b.pairs.length === 0) continue;
    for (const l of pairLines(b.pairs, width === undefined ? undefined : Math.max(1, width - 2), paint)) out.push('  ' + l);
  }
  return out.join('\n');
}

/** Pairs joined by ", ", greedily filled into lines of `width` (a pair wider than a line is word-wrapped). */
function pairLines(pairs: readonly { text: string; style?: Style }[], width: number | undefined, paint: Paint | undefined): string[] {
  const lines: string[] = [];
  let cur = '';
  let curW = 0;
  for (let i = 0; i < pairs.length; i++) {
    const p = pairs[i]!;
    const comma = i < pairs.length - 1 ? ',' : '';
    const w = displayWidth(p.text) + comma.length;
    const rendered = paintText(p.text, p.style, paint) + comma;
    if (curW > 0 && (width === undefined || curW + 1 + w <= width)) {
      cur += ' ' + rendered;
      curW += 1 + w;
      continue;
    }
    if (curW > 0) lines.push(cur);
    if (width === undefined || w <= width) {
      cur = rendered;
      curW = w;
      continue;
    }
    const parts = wrapWords(p.text + comma, width, width);
    for (let j = 0; j < parts.length - 1; j++) lines.push(paintText(parts[j]!, p.style, paint));
    cur = paintText(parts[parts.length - 1]!, p.style, paint);
    curW = displayWidth(parts[parts.length - 1]!);
  }
  if (curW > 0 || cur !== '') lines.push(cur);
  return lines;
}

/** A row of a grid as a block: the first `titleColumns` cells (non-empty) as the title. */
function rowBlocks(g: Grid, titleColumns: number): BlockLine[] {
  const { head, rows, cols } = normalise(g);
  const names = head ? head.map((h) => h.text) : new Array<string>(cols).fill('');
  return rows.map((cells) => {
    const title = cells
      .slice(0, titleColumns)
      .map((c) => c?.text ?? '')
      .filter((t) => t !== '')
      .join(' / ');
    const pairs: { text: string; style?: Style }[] = [];
    for (let i = titleColumns; i < cols; i++) {
      const c = cells[i];
      if (!c || c.text === '') continue;
      const value = linesOf(c).join(' ');
      pairs.push({ text: names[i] ? `${names[i]} ${value}` : value, style: c.style });
    }
    return { title, pairs };
  });
}

interface FitOptions {
  /** How many leading cells name a row in the block form (default 1). */
  titleColumns?: number;
  paint?: Paint;
}

/**
 * The widest form of `g` that fits `width`: full table, wrapped table, or one block per row.
 * No width: the full table. No trailing newline.
 */
export function fitGrid(g: Grid, width: number | undefined, opts: FitOptions = {}): string {
  if (width === undefined || gridWidth(g) <= width) return renderGrid(g, opts.paint);
  const wrapped = renderWrapped(g, width, opts.paint);
  if (wrapped !== null) return wrapped;
  return renderBlocks(rowBlocks(g, opts.titleColumns ?? 1), width, opts.paint);
}
