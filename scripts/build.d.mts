/** Declarations of scripts/build.mjs (plain JavaScript: it runs before anything is compiled). */
export declare const DIST: string;
/** Source entry → bundle file name under dist/. */
export declare const ENTRIES: Readonly<Record<string, string>>;
/** True when a bundle is missing or a source the last build read is newer than it. */
export declare function isStale(): boolean;
/** Builds dist/; resolves with the source files read, relative to the repository. */
export declare function build(): Promise<string[]>;
