// File errors in words (issue 14.2: "a directory or unreadable file is one line, not a raw EISDIR").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fsReason } from '../../src/cli/outfile.js';

test('fsReason names the cause of the usual file errors', () => {
  const err = (code: string) => Object.assign(new Error(`${code}: raw message`), { code });
  assert.equal(fsReason(err('ENOENT')), 'no such file');
  assert.equal(fsReason(err('ENOENT'), 'no such directory'), 'no such directory');
  assert.equal(fsReason(err('EISDIR')), 'is a directory');
  assert.equal(fsReason(err('EACCES')), 'permission denied');
  assert.equal(fsReason(err('EPERM')), 'permission denied');
  assert.equal(fsReason(err('ENOTDIR')), 'a part of the path is not a directory');
  assert.equal(fsReason(err('EIO')), 'EIO: raw message');
});
