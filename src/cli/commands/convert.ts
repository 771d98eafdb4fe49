import type { Command } from 'commander';
import { HaDedupError } from '../../model/index.js';

// Placeholder until the command is built; replaced by its owner.
export function register(program: Command): void {
  program
    .command('convert')
    .description('not built yet')
    .allowUnknownOption()
    .action(() => {
      throw new HaDedupError('internal', 'convert is not built yet');
    });
}
