// What a `send` run is given: the checked configuration and the credentials read from their
// files (src/cli/sendoptions.ts makes both from the command line).
import type { InputFormat, RemoteWriteVersion } from '../model/index.js';
import type { TlsFiles } from './client.js';

export interface SendConfig {
  url: URL;
  protocol: RemoteWriteVersion | 'recorded';
  tenant: string | null;
  keepHeaders: boolean;
  maxSamplesPerSend: number;
  /** null: --pace max. */
  speed: number | null;
  concurrency: number;
  shiftToNow: boolean;
  retries: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
  report: string | null;
  format: InputFormat | 'auto';
  strict: boolean;
  maxDecodedSize: number;
  credentialFiles: {
    bearerTokenFile: string | null;
    basicAuthUser: string | null;
    basicAuthPasswordFile: string | null;
    caFile: string | null;
    certFile: string | null;
    keyFile: string | null;
    insecureSkipVerify: boolean;
  };
}

export interface Credentials {
  /** The Authorization header value, or null. */
  authorization: string | null;
  /** Every secret text (token, password, encoded basic credentials): blanked out of messages. */
  secrets: string[];
  tls: TlsFiles;
}
