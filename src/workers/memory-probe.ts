// Bench-only memory probe (off unless WORKER_MEMORY_PROBE_ADDRESS is set): GET /memory collects
// garbage in every V8 isolate of this process — the main thread and the SDK's workflow threads,
// reached through the in-process inspector — and then reports resident memory and heap in use, so
// the benchmark measures live memory rather than garbage V8 had not collected yet. It pauses the
// process for the collection: not for production.
import http from 'node:http';
import inspector from 'node:inspector';

interface HeapUsage {
  usedSize: number;
  totalSize: number;
}
export interface MemoryReport {
  rssMb: number;
  heapUsedMb: number;
  isolates: { name: string; heapUsedMb: number }[];
}

const mb = (n: number) => n / 2 ** 20;

function inspectorSession() {
  const session = new inspector.Session();
  session.connect();
  const post = <T>(method: string, params: object = {}) =>
    new Promise<T>((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));
  const workers = new Map<string, string>();
  session.on('NodeWorker.attachedToWorker', (m: { params: { sessionId: string; workerInfo: { title: string } } }) => workers.set(m.params.sessionId, m.params.workerInfo.title));
  session.on('NodeWorker.detachedFromWorker', (m: { params: { sessionId: string } }) => workers.delete(m.params.sessionId));
  let nextId = 0;
  const waiting = new Map<string, (r: unknown) => void>();
  session.on('NodeWorker.receivedMessageFromWorker', (m: { params: { sessionId: string; message: string } }) => {
    const msg = JSON.parse(m.params.message) as { id?: number; result?: unknown };
    const key = `${m.params.sessionId}/${msg.id}`;
    waiting.get(key)?.(msg.result);
    waiting.delete(key);
  });
  const toWorker = <T>(sessionId: string, method: string) =>
    new Promise<T>((resolve) => {
      const id = ++nextId;
      waiting.set(`${sessionId}/${id}`, resolve as (r: unknown) => void);
      void post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method, params: {} }) });
    });
  const ready = post('NodeWorker.enable', { waitForDebuggerOnStart: false });
  return {
    async report(): Promise<MemoryReport> {
      await ready;
      const isolates: { name: string; heapUsedMb: number }[] = [];
      for (const [sessionId, title] of workers) {
        await toWorker(sessionId, 'HeapProfiler.collectGarbage');
        isolates.push({ name: title || `worker ${sessionId}`, heapUsedMb: mb((await toWorker<HeapUsage>(sessionId, 'Runtime.getHeapUsage')).usedSize) });
      }
      await post('HeapProfiler.collectGarbage');
      isolates.unshift({ name: 'main', heapUsedMb: mb((await post<HeapUsage>('Runtime.getHeapUsage')).usedSize) });
      return { rssMb: mb(process.memoryUsage.rss()), heapUsedMb: isolates.reduce((a, b) => a + b.heapUsedMb, 0), isolates };
    },
    close: () => session.disconnect(),
  };
}

/** Serve GET /memory at host:port until closed. */
export function startMemoryProbe(address: string): { close(): void } {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  const probe = inspectorSession();
  const server = http.createServer((req, res) => {
    if (req.url !== '/memory') {
      res.writeHead(404).end();
      return;
    }
    probe.report().then(
      (r) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(r)),
      (e: Error) => res.writeHead(500).end(e.message),
    );
  });
  server.listen(port, host);
  return {
    close() {
      server.close();
      probe.close();
    },
  };
}
