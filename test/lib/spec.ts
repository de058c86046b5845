/*
 * A test registry and assertions that run the same on Node and on XS.
 * Spec files call `test()` at top level; a runner (node:test or the XS runner) runs them.
 */

export type TestBody = () => void | Promise<void>;

export interface RegisteredTest {
	name: string;
	body: TestBody;
}

const registry: RegisteredTest[] = [];
let prefix = "";

/** Registers a test under the current group. */
export function test(name: string, body: TestBody): void {
	registry.push({ name: prefix + name, body });
}

/** Groups tests under a common name prefix. */
export function group(name: string, define: () => void): void {
	const saved = prefix;
	prefix = saved + name + " › ";
	try {
		define();
	} finally {
		prefix = saved;
	}
}

/** Removes and returns every registered test. */
export function takeTests(): RegisteredTest[] {
	return registry.splice(0, registry.length);
}

export class AssertionError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "AssertionError";
	}
}

function show(value: unknown): string {
	if (typeof value === "string") return JSON.stringify(value);
	if (value instanceof Uint8Array || value instanceof Int16Array) return `${value.constructor.name}[${Array.prototype.slice.call(value, 0, 16).join(",")}${value.length > 16 ? ",…" : ""}]`;
	try {
		return JSON.stringify(value) ?? String(value);
	} catch {
		return String(value);
	}
}

function deepEquals(a: unknown, b: unknown): boolean {
	if (Object.is(a, b)) return true;
	if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
	if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
	if (ArrayBuffer.isView(a)) {
		const x = a as unknown as ArrayLike<unknown>, y = b as unknown as ArrayLike<unknown>;
		if (x.length !== y.length) return false;
		for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
		return true;
	}
	if (a instanceof Map && b instanceof Map) {
		if (a.size !== b.size) return false;
		for (const [k, v] of a) if (!b.has(k) || !deepEquals(v, b.get(k))) return false;
		return true;
	}
	const ka = Object.keys(a), kb = Object.keys(b);
	if (ka.length !== kb.length) return false;
	for (const k of ka) {
		if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
		if (!deepEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
	}
	return true;
}

function fail(message: string | undefined, fallback: string): never {
	throw new AssertionError(message ? `${message}: ${fallback}` : fallback);
}

export interface Assert {
	ok(value: unknown, message?: string): asserts value;
	equal<T>(actual: T, expected: T, message?: string): void;
	notEqual<T>(actual: T, expected: T, message?: string): void;
	deepEqual(actual: unknown, expected: unknown, message?: string): void;
	match(actual: string, pattern: RegExp, message?: string): void;
	throws(body: () => unknown, pattern?: RegExp, message?: string): void;
	rejects(body: () => Promise<unknown>, pattern?: RegExp, message?: string): Promise<void>;
}

export const assert: Assert = {
	ok(value: unknown, message?: string): asserts value {
		if (!value) fail(message, `expected a truthy value, got ${show(value)}`);
	},
	equal<T>(actual: T, expected: T, message?: string): void {
		if (!Object.is(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
	},
	notEqual<T>(actual: T, expected: T, message?: string): void {
		if (Object.is(actual, expected)) fail(message, `expected something other than ${show(expected)}`);
	},
	deepEqual(actual: unknown, expected: unknown, message?: string): void {
		if (!deepEquals(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
	},
	match(actual: string, pattern: RegExp, message?: string): void {
		if (typeof actual !== "string" || !pattern.test(actual)) fail(message, `expected ${show(actual)} to match ${pattern}`);
	},
	throws(body: () => unknown, pattern?: RegExp, message?: string): void {
		try {
			body();
		} catch (error) {
			if (pattern && !pattern.test(String((error as Error)?.message ?? error))) fail(message, `error ${show(String(error))} does not match ${pattern}`);
			return;
		}
		fail(message, "expected an exception");
	},
	async rejects(body: () => Promise<unknown>, pattern?: RegExp, message?: string): Promise<void> {
		try {
			await body();
		} catch (error) {
			if (pattern && !pattern.test(String((error as Error)?.message ?? error))) fail(message, `error ${show(String(error))} does not match ${pattern}`);
			return;
		}
		fail(message, "expected a rejection");
	},
};
