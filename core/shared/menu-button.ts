/**
 * The grammar of a menu button's id, `menu:<name>[:<arg>…]`, in one place: features build their
 * ids with `menuButtonId` and the inbound handler reads them back with `parseMenuButton`.
 */
const PREFIX = 'menu:';

export function menuButtonId(name: string, ...args: readonly (string | number)[]): string {
  return [`${PREFIX}${name}`, ...args.map(String)].join(':');
}

export function isMenuButton(id: string | undefined): id is string {
  return id?.startsWith(PREFIX) ?? false;
}

/** The button's name and its argument (everything after the name, colons included). */
export function parseMenuButton(id: string): { name: string; arg: string | undefined } {
  const [name = '', ...rest] = id.slice(PREFIX.length).split(':');
  return { name, arg: rest.length > 0 ? rest.join(':') : undefined };
}

/**
 * Whether a button's argument starts with a well-formed record id (1–9 digits), so a forged or
 * garbled one ("NaN", 20 digits) never reaches the database (PostgreSQL rejects it). With
 * `optional`, no argument at all is a choice of its own.
 */
export function hasRecordId(arg: string | undefined, optional: boolean): boolean {
  const id = arg?.split(':')[0];
  return (id === undefined && optional) || /^\d{1,9}$/.test(id ?? '');
}
