import { stopPid, type Service } from '../../infra/stack';

export default async function globalTeardown(): Promise<void> {
  const services = (globalThis as { __XUNCHA_SERVICES__?: Service[] }).__XUNCHA_SERVICES__ ?? [];
  for (const s of services.reverse()) await stopPid(s.pid);
}
