/**
 * One line saying why a server could not listen and what to do, naming the
 * environment variable that chose the port.
 *
 * @example describeListenError(error, "HEALTH_PORT", 9464, "127.0.0.1") // "HEALTH_PORT=9464: the port is already in use on 127.0.0.1: …"
 */
export function describeListenError(
  error: unknown,
  variable: string,
  port: number,
  host = "all addresses",
): string {
  const code = (error as { code?: unknown } | null)?.code;
  const where = `${variable}=${port}`;
  switch (code) {
    case "EADDRINUSE":
      return `${where}: the port is already in use on ${host}. Stop the program that uses it (another copy of the bot?) or set ${variable} to a free port.`;
    case "EACCES":
      return `${where}: not allowed to listen on this port on ${host} (ports below 1024 need privileges). Set ${variable} to a port above 1023.`;
    case "EADDRNOTAVAIL":
      return `${where}: ${host} is not an address of this machine: check HEALTH_HOST.`;
    default:
      return `${where}: cannot listen on ${host}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
