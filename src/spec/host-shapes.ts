// The shapes a connection field may take: a host name, an IP address, `host:port`, an http(s) URL.
// Each check returns what is wrong (to go after "must be …: ") or undefined when the value fits.
import { isIPv4, isIPv6 } from 'node:net';

/**
 * One DNS label: letters, digits and `-` (RFC 1123), not starting or ending with `-`. `_` is let
 * through too: Docker Compose service names and some internal zones use it, and resolvers accept it.
 */
const LABEL = /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/;

/** Dotted digits only: meant as an IPv4 address, so never read as a host name. */
const DOTTED_DIGITS = /^[0-9.]+$/;

export interface HostRules {
  /** Whether `[::1]` is accepted; drivers that take the host as is (mysql2) would look the brackets up in DNS. */
  brackets: boolean;
}

/** What is wrong with `value` as a host, or undefined when it is a host name, IPv4 or IPv6 address. */
export function hostProblem(value: string, rules: HostRules = { brackets: false }): string | undefined {
  const bad = /[^A-Za-z0-9._:%[\]-]/.exec(value);
  if (bad) {
    const what = /\s/.test(bad[0]) ? 'a space' : `\`${bad[0]}\``;
    return `it contains ${what}, which no host name or address has`;
  }
  const bracketed = /^\[(.*)\]$/.exec(value);
  if (bracketed) {
    if (!isIPv6(bracketed[1] ?? '')) return `\`${value}\` is not a bracketed IPv6 address`;
    return rules.brackets ? undefined : `write the IPv6 address without brackets: ${bracketed[1]}`;
  }
  if (value.includes(':')) return isIPv6(value) ? undefined : `\`${value}\` is not a valid IPv6 address`;
  if (DOTTED_DIGITS.test(value)) return isIPv4(value) ? undefined : `\`${value}\` is not a valid IPv4 address`;
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length > 253) return 'a host name is at most 253 characters';
  const label = name.split('.').find((l) => !LABEL.test(l));
  if (label !== undefined) {
    return label === ''
      ? `\`${value}\` has an empty label (two dots in a row, or a leading dot)`
      : `label \`${label}\` must be 1 to 63 letters, digits or '-', not starting or ending with '-'`;
  }
  return undefined;
}

/** What is wrong with `value` as a Kafka bootstrap broker `host:port`. */
export function brokerProblem(value: string): string | undefined {
  const cut = value.lastIndexOf(':');
  if (cut < 0) return 'a broker is host:port';
  const host = value.slice(0, cut);
  const port = value.slice(cut + 1);
  const hostIssue = host === '' ? 'the host is missing' : hostProblem(host, { brackets: true });
  if (hostIssue !== undefined) return hostIssue;
  return portProblem(port);
}

function portProblem(port: string): string | undefined {
  if (!/^\d+$/.test(port)) return `port \`${port}\` is not a number`;
  const n = Number(port);
  return n >= 1 && n <= 65535 ? undefined : `port ${n} is outside 1 to 65535`;
}

/** What is wrong with `value` as an http(s) service URL (Tablestore endpoint, schema registry). */
export function httpUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'it is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `the scheme is ${url.protocol.slice(0, -1)}, not http or https`;
  if (url.hostname === '') return 'the host is missing';
  if (url.port !== '') {
    const portIssue = portProblem(url.port);
    if (portIssue !== undefined) return portIssue;
  }
  return hostProblem(url.hostname, { brackets: true });
}
