import type { Label } from './types.js';

/** Labels sorted by name (a new array; the input is not changed). */
function sortLabels(labels: readonly Label[]): Label[] {
  return [...labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Value of the label with that name, or undefined. */
export function labelValue(labels: readonly Label[], name: string): string | undefined {
  for (const l of labels) if (l.name === name) return l.value;
  return undefined;
}

/** Labels without the named label (a new array, order kept). */
export function withoutLabel(labels: readonly Label[], name: string): Label[] {
  return labels.filter((l) => l.name !== name);
}

/** Canonical identity of a label set: sorted name/value pairs joined with separators that cannot occur in UTF-8 text. */
export function labelsKey(labels: readonly Label[]): string {
  const sorted = labels.length > 1 ? sortLabels(labels) : labels;
  let key = '';
  for (const l of sorted) key += l.name + '\xff' + l.value + '\xfe';
  return key;
}
