// `xuncha`: the office's and operators' command line. Exit codes: 0 ok, 1 failure, 2 bad input.
import fs from 'node:fs';
import { loadConfig } from '../config';
import { ValidationError } from '../domain/validation';
import { XunchaClient } from './xuncha-client';

const USAGE = `用法 / usage:
  xuncha start-round <round.json> [--by <personId>]   发起巡察轮次
  xuncha status <roundId>                              查询轮次状态
  xuncha record-problem <roundId> <unitId> <problem.json>
  xuncha close-item <roundId> <unitId> <itemId> --by <personId> --evidence <text>   对账销号`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ValidationError(`${file}: ${(e as Error).message}`);
  }
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  if (!cmd || cmd === 'help' || cmd === '--help') {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  const config = loadConfig();
  const xc = await XunchaClient.connect(config);
  try {
    switch (cmd) {
      case 'start-round': {
        const r = await xc.startRound(readJson(args[0] ?? ''), flag(args, '--by') ?? 'cli');
        console.log(JSON.stringify(r));
        return 0;
      }
      case 'status': {
        const roundId = args[0] ?? '';
        const round = await xc.roundStatus(roundId);
        const units = await Promise.all(round.units.map((u) => xc.unitStatus(roundId, u.unitId).catch(() => u)));
        console.log(JSON.stringify({ ...round, units }, null, 2));
        return 0;
      }
      case 'record-problem': {
        const [roundId = '', unitId = '', file = ''] = args;
        console.log(JSON.stringify(await xc.recordProblem(roundId, unitId, readJson(file))));
        return 0;
      }
      case 'close-item': {
        const [roundId = '', unitId = '', itemId = ''] = args;
        const evidence = flag(args, '--evidence');
        const r = await xc.closeItem(roundId, unitId, itemId, { closedBy: flag(args, '--by'), evidence: evidence ? [evidence] : undefined });
        console.log(JSON.stringify(r));
        return 0;
      }
      default:
        console.error(`unknown command "${cmd}"\n${USAGE}`);
        return 2;
    }
  } finally {
    await xc.client.connection.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(err.message);
      process.exit(err.name === 'ValidationError' ? 2 : 1);
    },
  );
}
