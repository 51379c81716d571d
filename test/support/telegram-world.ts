import type { App, AppOptions } from '../../bot/app.ts';
import { createInvite, startTelegramApp, type TempDatabase, tempDatabase } from './app-harness.ts';
import { type BotApiEmulator, type EmulatorUser, startBotApiEmulator } from './bot-api-emulator.ts';
import { emulatorChat } from './emulator-chat.ts';

/**
 * A test file's Telegram world: the Bot API emulator, a fresh database of the suite's dialect and
 * the whole bot on them (real grammY, long polling). Start it in `beforeAll`, stop it in `afterAll`:
 *
 *     beforeAll(async () => {
 *       ({ emulator, db, app } = await startTelegramWorld({ clock }));
 *       await joinByInvite({ emulator, app }, officer, 'QF7M2XQR', 'fund_officer', '058');
 *     });
 *     afterAll(() => stopTelegramWorld({ app, emulator, db }));
 */
export interface TelegramWorld {
  emulator: BotApiEmulator;
  db: TempDatabase;
  app: App;
}

/**
 * Starts the emulator, then the app (`startTelegramApp`: `options` add a clock, say) on a new
 * database; `env` adds to the environment, from the emulator (its bot's username, say).
 */
export async function startTelegramWorld(
  options: AppOptions = {},
  env: (emulator: BotApiEmulator) => Record<string, string> = () => ({}),
): Promise<TelegramWorld> {
  const emulator = await startBotApiEmulator();
  const db = tempDatabase();
  const app = await startTelegramApp(emulator, db.url, options, env(emulator));
  return { emulator, db, app };
}

/** Stops what `startTelegramWorld` started: the app, the emulator, then drops the database (each if it started). */
export async function stopTelegramWorld(world: Partial<TelegramWorld>): Promise<void> {
  await world.app?.stop();
  await world.emulator?.close();
  await world.db?.cleanup();
}

/**
 * Invites `user` as `role` at the unit `unitCode` (`createInvite`) and has them accept it with
 * `/start <code>`; the bot's answer.
 */
export async function joinByInvite(
  world: Pick<TelegramWorld, 'emulator' | 'app'>,
  user: EmulatorUser,
  code: string,
  role: string,
  unitCode: string,
): Promise<string> {
  await createInvite(world.app, code, role, unitCode);
  return emulatorChat(() => world.emulator).say(user, `/start ${code}`);
}
