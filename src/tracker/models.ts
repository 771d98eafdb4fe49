// The decision models by --semantics value. A third model: one file implementing DecisionModel
// (model.ts), its line here, and its name in model/types.ts Semantics (docs/extending.md).
import type { Semantics } from '../model/index.js';
import { CortexModel } from './cortex.js';
import { MimirModel } from './mimir.js';
import type { DecisionModel } from './model.js';

/** A new model instance per tracker (a model keeps per-run state). */
export const MODELS: Record<Semantics, () => DecisionModel> = {
  cortex: () => new CortexModel(),
  mimir: () => new MimirModel(),
};
