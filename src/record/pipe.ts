// How much of what `record -o -` wrote into a pipe its reader has actually read. The kernel
// knows (ioctl FIONREAD on a pipe: bytes in it not yet read; SIOCOUTQ on a socket, which is what
// node gives a child for stdio 'pipe': bytes sent and not yet consumed by the peer, 0 once it has
// read everything; poll: POLLERR or POLLHUP once no reader is left), but node exposes neither
// call, so a small helper process asks for us: perl, which every Debian system has (perl-base is
// Essential) and whose core has ioctl and syscall. It gets a copy of our stdout as its fd 3 and
// answers one line per query: "<unread bytes> <reader gone: 1, 0, or -1 when it cannot tell>".
// Where no helper can run, the caller falls back to acknowledging once bytes are handed to the
// pipe, and says so.
import { spawn, type ChildProcess } from 'node:child_process';

interface PipeState {
  /** Bytes in the pipe its reader has not read yet. */
  unread: number;
  /** True once the pipe has no reader left (null: cannot tell here). */
  readerGone: boolean | null;
}

export interface PipeProbe {
  query(): Promise<PipeState>;
  close(): void;
}

/** The ioctl that gives the unread bytes: FIONREAD for a pipe, SIOCOUTQ (= TIOCOUTQ) for a socket. */
function unreadRequest(kind: 'pipe' | 'socket'): number {
  if (process.platform !== 'linux') return kind === 'pipe' ? 0x4004667f : 0x40047473; // the BSDs and macOS: FIONREAD, TIOCOUTQ
  if (process.arch.startsWith('mips')) return kind === 'pipe' ? 0x467f : 0x7472;
  if (process.arch.startsWith('ppc')) return kind === 'pipe' ? 0x4004667f : 0x40047473;
  return kind === 'pipe' ? 0x541b : 0x5411;
}

/** poll(2) or ppoll(2) and its system call number (Linux), to see POLLERR on the write end. */
function pollCall(): [kind: 'poll' | 'ppoll' | '', number: number] {
  if (process.platform !== 'linux') return ['', 0];
  switch (process.arch) {
    case 'x64':
      return ['poll', 7];
    case 'ia32':
    case 'arm':
    case 's390x':
      return ['poll', 168];
    case 'ppc64':
      return ['poll', 167];
    case 'arm64':
    case 'riscv64':
    case 'loong64':
      return ['ppoll', 73];
    default:
      return ['', 0];
  }
}

const SCRIPT = String.raw`
$| = 1;
open(my $o, '>&=', 3) or die "fd 3: $!\n";
my ($req, $sys, $kind) = @ARGV;
while (defined(my $line = <STDIN>)) {
  my $b = pack('i', 0);
  my $n = ioctl($o, $req + 0, $b) ? unpack('i', $b) : -1;
  my $gone = -1;
  if ($kind ne '') {
    my $pfd = pack('iss', 3, 0, 0);
    my $ts = pack('l!l!', 0, 0);
    my $r = $kind eq 'poll' ? syscall($sys + 0, $pfd, 1, 0) : syscall($sys + 0, $pfd, 1, $ts, 0, 8);
    if ($r >= 0) { my (undef, undef, $rev) = unpack('iss', $pfd); $gone = ($rev & 24) ? 1 : 0; }
  }
  print "$n $gone\n";
}
`;

class PerlProbe implements PipeProbe {
  private readonly child: ChildProcess;
  private readonly waiting: { resolve(s: PipeState): void; reject(e: Error): void }[] = [];
  private buffered = '';
  private failed: Error | null = null;

  constructor(fd: number, what: 'pipe' | 'socket') {
    const [kind, sys] = pollCall();
    this.child = spawn('perl', ['-e', SCRIPT, String(unreadRequest(what)), String(sys), kind], { stdio: ['pipe', 'pipe', 'ignore', fd] });
    const fail = (e: Error) => {
      if (this.failed) return;
      this.failed = e;
      for (const w of this.waiting.splice(0)) w.reject(e);
    };
    this.child.on('error', fail);
    this.child.on('exit', (code, sig) => fail(new Error(`the pipe helper (perl) exited (${code ?? sig})`)));
    this.child.stdin!.on('error', () => {});
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (d: string) => {
      this.buffered += d;
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        const [n, g] = this.buffered.slice(0, nl).split(' ');
        this.buffered = this.buffered.slice(nl + 1);
        const w = this.waiting.shift();
        if (!w) continue;
        const unread = Number(n);
        if (!Number.isInteger(unread) || unread < 0) w.reject(new Error(`ioctl(${what === 'pipe' ? 'FIONREAD' : 'SIOCOUTQ'}) failed on stdout`));
        else w.resolve({ unread, readerGone: g === '1' ? true : g === '0' ? false : null });
      }
    });
    // the helper's exit is not waited for (close() ends it; it also ends when its stdin closes)
    this.child.unref();
  }

  query(): Promise<PipeState> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin!.write('q\n');
    });
  }

  close(): void {
    this.failed ??= new Error('closed');
    this.child.stdin!.end();
    this.child.kill();
  }
}

/** A probe of the pipe or socket at `fd`, or the reason there is none (checked with one query). */
export async function startPipeProbe(fd: number, what: 'pipe' | 'socket'): Promise<PipeProbe | string> {
  const p = new PerlProbe(fd, what);
  try {
    await p.query();
    return p;
  } catch (e) {
    p.close();
    return (e as Error).message.includes('ENOENT') ? 'perl is not installed' : (e as Error).message;
  }
}
