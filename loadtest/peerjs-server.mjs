// PeerJS server for compare.sh, through the package's own PeerServer API: loopback only, the connection limit
// raised (default 5,000) and the liveness timeout raised so idle load-test sessions are not dropped.
// On SIGUSR2 it collects garbage (node --expose-gc) and writes process.memoryUsage() as JSON to MEMFILE,
// the counterpart of `jcmd PID GC.class_histogram` for the Java server.
// usage: node --expose-gc peerjs-server.mjs PORT MEMFILE
import { writeFileSync } from 'node:fs';
import { PeerServer } from 'peer';

const port = Number(process.argv[2] ?? 21090);
const memFile = process.argv[3] ?? '/dev/null';

PeerServer({
  host: '127.0.0.1',
  port,
  path: '/',
  key: 'peerjs',
  concurrent_limit: 1_000_000,
  alive_timeout: 3_600_000,
}, (server) => {
  const { address, port: bound } = server.address();
  console.log(`PeerServer listening on ${address}:${bound}`);
});

process.on('SIGUSR2', () => {
  if (typeof global.gc === 'function') {
    global.gc();
  }
  writeFileSync(memFile, JSON.stringify(process.memoryUsage()));
});
process.on('SIGTERM', () => process.exit(0));
