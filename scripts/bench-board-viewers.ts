/**
 * The viewers of the `board` bench section (scripts/bench-board.ts), in a process of their own as
 * browsers would be: BENCH_BOARD_URL's event stream opened BENCH_BOARD_VIEWERS times; 'ready' once
 * each got its first board, then on 'stop' every board each viewer got — how many pledges it
 * counted and when it arrived (epoch ms, `wallMs`) — and the process ends.
 */
import http from 'node:http';
import { wallMs } from './bench-inbound.ts';

export type ViewerBoards = { pledges: number; at: number }[];
export type FromViewers = { type: 'ready' } | { type: 'boards'; viewers: ViewerBoards[] };

const url = process.env.BENCH_BOARD_URL ?? '';
const count = Number(process.env.BENCH_BOARD_VIEWERS ?? 200);
const viewers: ViewerBoards[] = [];
const requests: http.ClientRequest[] = [];
let opened = 0;

for (let i = 0; i < count; i++) {
  const boards: ViewerBoards = [];
  viewers.push(boards);
  let buffer = '';
  const request = http.get(url, (response) => {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      buffer += chunk;
      const events = buffer.split('\n\n');
      buffer = events.pop() ?? '';
      for (const event of events) {
        const data = event.split('\n').find((line) => line.startsWith('data: '));
        if (!data) {
          continue;
        }
        const board = JSON.parse(data.slice(6)) as { totals: { pledges: number } };
        boards.push({ pledges: board.totals.pledges, at: wallMs() });
        if (boards.length === 1 && ++opened === count) {
          process.send?.({ type: 'ready' } satisfies FromViewers);
        }
      }
    });
  });
  request.on('error', () => {});
  requests.push(request);
}

process.on('message', () => {
  for (const request of requests) {
    request.destroy();
  }
  process.send?.({ type: 'boards', viewers } satisfies FromViewers, () => process.exit(0));
});
