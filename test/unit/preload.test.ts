// Modules on the manifest's `preload` list are run at build time and kept in flash, where
// nothing can change: their module-level bindings and objects must stay as loading left them.
// This reads each one with the TypeScript parser and reports module-level `let`/`var`, RegExps
// made outside functions (with the g or y flag their lastIndex is state, and the SDK's XS leaks
// at every match of any preloaded RegExp), a module-level
// name for globalThis (taken while preloading, it is the build machine's global), and writes from
// inside functions to module-level objects, arrays, maps and class statics (assignment, ++/--,
// delete, and the mutating methods of arrays, maps and sets); writes while the module loads are
// fine. A write through another name (an alias) is not seen; keep module-level objects out of
// reach of such code.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

const MUTATORS = new Set(["push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill", "copyWithin", "set", "add", "delete", "clear"]);

function isFunctionLike(node: ts.Node): boolean {
	return ts.isFunctionLike(node) && !ts.isConstructorTypeNode(node) && !ts.isFunctionTypeNode(node);
}

/** The identifier a property chain starts from (`a` of `a.b[c].d`), if any. */
function rootName(node: ts.Expression): string | undefined {
	let e: ts.Expression = node;
	while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e)) e = e.expression;
	return ts.isIdentifier(e) ? e.text : undefined;
}

function parse(path: string, source: string): ts.SourceFile {
	return ts.createSourceFile(path, source, ts.ScriptTarget.ES2022, true, path.endsWith(".js") ? ts.ScriptKind.JS : ts.ScriptKind.TS);
}

/** The expression inside any `as`, `satisfies` and parentheses. */
function unwrap(e: ts.Expression): ts.Expression {
	while (ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e)) e = e.expression;
	return e;
}

function isAssignment(kind: ts.SyntaxKind): boolean {
	return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

/** What keeps state at module level in one source file, each with its line. */
export function moduleStateProblems(path: string, source: string): string[] {
	const file = parse(path, source);
	const problems: string[] = [];
	const at = (node: ts.Node) => `${path}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}`;
	/** Module-level names bound to something that can change inside (objects, arrays, instances, classes with statics). */
	const objects = new Set<string>();
	for (const statement of file.statements) {
		if (ts.isVariableStatement(statement)) {
			const constant = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
			for (const d of statement.declarationList.declarations) {
				const name = d.name.getText(file);
				if (!constant) problems.push(`${at(d)}: module-level ${statement.declarationList.flags & ts.NodeFlags.Let ? "let" : "var"} ${name}`);
				else if (d.initializer && ts.isIdentifier(d.name)) {
					const init = unwrap(d.initializer);
					if (ts.isObjectLiteralExpression(init) || ts.isArrayLiteralExpression(init) || ts.isNewExpression(init)) objects.add(name);
					// Preloading runs the module in the build's machine: a `globalThis` kept then is that
					// machine's global, not the one the device fills at run time (its TextEncoder, say).
					if (ts.isIdentifier(init) && init.text === "globalThis") problems.push(`${at(d)}: module-level ${name} keeps the preloading machine's globalThis (read globalThis where it is used)`);
				}
			}
		} else if (ts.isClassDeclaration(statement) && statement.name && statement.members.some((m) => ts.isPropertyDeclaration(m) && m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword))) {
			objects.add(statement.name.text);
		}
	}
	// A module-level table (object or array literal) is frozen where it is made or by a later
	// Object.freeze(NAME) at module level: in flash, an unfrozen object reached from code gets an
	// alias entry in RAM, and a write makes a copy of it in RAM instead of failing.
	const frozenLater = new Set<string>();
	for (const statement of file.statements) {
		if (!ts.isExpressionStatement(statement)) continue;
		const call = statement.expression;
		if (ts.isCallExpression(call) && call.expression.getText(file) === "Object.freeze" && call.arguments.length === 1 && ts.isIdentifier(call.arguments[0])) frozenLater.add(call.arguments[0].text);
	}
	// Freezing is shallow: a table's rows made as literals inside it stay unfrozen (the SDK's
	// linker lists each as "not frozen"), so each row is frozen where it is made too.
	const isFreeze = (e: ts.Expression): e is ts.CallExpression => ts.isCallExpression(e) && e.expression.getText(file) === "Object.freeze" && e.arguments.length === 1;
	// Rows frozen by a loop at module level: for (const row of NAME) … Object.freeze(row) ….
	const rowsFrozenLater = new Set<string>();
	for (const statement of file.statements) {
		if (!ts.isForOfStatement(statement) || !ts.isIdentifier(statement.expression) || !ts.isVariableDeclarationList(statement.initializer)) continue;
		const row = statement.initializer.declarations[0]?.name;
		if (row && ts.isIdentifier(row) && new RegExp(`Object\\.freeze\\(${row.text}\\)`).test(statement.statement.getText(file))) rowsFrozenLater.add(statement.expression.text);
	}
	const rowsUnfrozen = (table: ts.Expression, name: string): void => {
		if (rowsFrozenLater.has(name)) return;
		const e = unwrap(table);
		const parts = ts.isObjectLiteralExpression(e) ? e.properties.map((p) => (ts.isPropertyAssignment(p) ? p.initializer : undefined)) : ts.isArrayLiteralExpression(e) ? [...e.elements] : [];
		for (const part of parts) {
			if (!part) continue;
			const row = unwrap(part);
			if (isFreeze(row)) rowsUnfrozen(row.arguments[0], name);
			else if (ts.isObjectLiteralExpression(row) || ts.isArrayLiteralExpression(row)) problems.push(`${at(row)}: a row of module-level table ${name} is not frozen (Object.freeze it where it is made)`);
		}
	};
	for (const statement of file.statements) {
		if (!ts.isVariableStatement(statement)) continue;
		for (const d of statement.declarationList.declarations) {
			if (!d.initializer || !ts.isIdentifier(d.name)) continue;
			const init = unwrap(d.initializer);
			if ((ts.isObjectLiteralExpression(init) || ts.isArrayLiteralExpression(init)) && !frozenLater.has(d.name.text)) problems.push(`${at(d)}: module-level table ${d.name.text} is not frozen (Object.freeze it where it is made, or after filling it)`);
			else if (isFreeze(init)) rowsUnfrozen(init.arguments[0], d.name.text);
			else if (ts.isObjectLiteralExpression(init) || ts.isArrayLiteralExpression(init)) rowsUnfrozen(init, d.name.text);
		}
	}
	const visit = (node: ts.Node, inFunction: boolean): void => {
		// Any RegExp made while the module loads: the SDK's XS matches a preloaded RegExp with
		// data from c_malloc that it then treats as a chunk of its heap (leaked at every match,
		// and memory corrupted by a collection during one). One made where it is used is safe.
		if (node.kind === ts.SyntaxKind.RegularExpressionLiteral && !inFunction) {
			const text = node.getText(file);
			const flags = text.slice(text.lastIndexOf("/") + 1);
			const shown = text.length > 40 ? text.slice(0, 37) + "..." : text;
			if (/[gy]/.test(flags)) problems.push(`${at(node)}: module-level RegExp ${shown} has the ${flags.replace(/[^gy]/g, "")} flag (lastIndex is state)`);
			else problems.push(`${at(node)}: module-level RegExp ${shown} (a preloaded RegExp leaks at every match on the SDK's XS: make it where it is used)`);
		}
		if (ts.isNewExpression(node) && !inFunction && ts.isIdentifier(node.expression) && node.expression.text === "RegExp") problems.push(`${at(node)}: module-level new RegExp (a preloaded RegExp leaks at every match on the SDK's XS: make it where it is used)`);
		let target: ts.Expression | undefined;
		if (ts.isBinaryExpression(node) && isAssignment(node.operatorToken.kind) && !ts.isIdentifier(node.left)) target = node.left;
		else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) && !ts.isIdentifier(node.operand)) target = node.operand;
		else if (ts.isDeleteExpression(node)) target = node.expression;
		else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && MUTATORS.has(node.expression.name.text)) target = node.expression.expression;
		else if (ts.isCallExpression(node) && node.expression.getText(file) === "Object.assign" && node.arguments.length > 0) target = node.arguments[0];
		// Writes while the module loads (filling a table) are fine: preloading keeps their result.
		if (target && inFunction) {
			const name = rootName(target);
			if (name && objects.has(name)) problems.push(`${at(node)}: writes to the module-level ${name} (${node.getText(file).split("\n")[0].slice(0, 60)})`);
		}
		const staticInit = ts.isPropertyDeclaration(node) && node.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
		const inner = inFunction || (isFunctionLike(node) && !staticInit) || (ts.isPropertyDeclaration(node) && !staticInit);
		ts.forEachChild(node, (child) => visit(child, inner));
	};
	visit(file, false);
	return problems;
}

/**
 * Instance fields whose value is a function made for each instance (an arrow function or a
 * function expression): on the device each one a preloaded module makes costs a copy of its code
 * in the XS chunk heap, for as long as the instance lives. A method, bound where a callback is
 * needed, costs only references.
 */
export function closureFieldProblems(path: string, source: string): string[] {
	const file = parse(path, source);
	const problems: string[] = [];
	const visit = (node: ts.Node): void => {
		if (ts.isPropertyDeclaration(node) && node.initializer && !node.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) {
			const init = unwrap(node.initializer);
			if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) {
				const line = file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
				problems.push(`${path}:${line}: class field ${node.name.getText(file)} is a function made for each instance (make it a method, bound where a callback is needed)`);
			}
		}
		ts.forEachChild(node, visit);
	};
	visit(file);
	return problems;
}

/** The manifest's preload list (all platforms), as module specifiers. */
function preloadList(): string[] {
	const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as { preload?: string[]; platforms?: Record<string, { preload?: string[] }> };
	const out = [...(manifest.preload ?? [])];
	for (const platform of Object.values(manifest.platforms ?? {})) out.push(...(platform.preload ?? []));
	return out;
}

/** The source of a project module named in the manifest (e.g. "sip/message"), undefined for the SDK's own. */
function sourceOf(specifier: string): string | undefined {
	for (const ending of [".ts", ".js"]) {
		const path = join(root, specifier + ending);
		if (existsSync(path)) return specifier + ending;
	}
	return undefined;
}

test("the checker finds each kind of module-level state, and lets constants, functions and classes pass", () => {
	const bad = [
		"let count = 0;",
		"var cache;",
		"const WORDS = /\\w+/g;",
		"export const table = { sticky: /x/y };",
		"const WORD = /\\w+/i;\nexport function word(s: string) { return WORD.test(s); }",
		"export const DIGITS = new RegExp('^[0-9]+$');",
		"export class Checks { static digits = /^[0-9]+$/; }",
		"const seen = new Map<string, number>();\nexport function note(k: string) { seen.set(k, 1); }",
		"const list: number[] = [];\nexport function add(n: number) { list.push(n); }",
		"const counts = { a: 0 };\nexport function bump() { counts.a++; }",
		"const state = {} as Record<string, number>;\nexport function put(k: string) { state[k] = 1; }",
		"export class Ids { static next = 1; }\nexport function take() { return Ids.next++; }",
		"const o = { a: 1 };\nexport function drop() { delete o.a; }",
		"const o = { a: 1 };\nexport function merge(x: object) { Object.assign(o, x); }",
		"export const NAMES = ['a', 'b'];",
		"export const LIMITS = { low: 1, high: 2 } as const;",
		"const ROWS = Object.freeze({ a: { x: 1 }, b: Object.freeze({ x: 2 }) });\nexport function row(k: 'a' | 'b') { return ROWS[k]; }",
		"const LIST = Object.freeze([Object.freeze([1]), [2]]);\nexport function at(i: number) { return LIST[i]; }",
		"const CHARS: string[] = [];\nfor (let i = 0; i < 3; i++) CHARS.push(String(i));",
		"const G = globalThis as unknown as { TextEncoder: new () => object };\nexport function make() { return new G.TextEncoder(); }",
	];
	for (const source of bad) assert.notDeepEqual(moduleStateProblems("x.ts", source), [], source);
	const good = [
		"const LIMIT = 5;\nexport const NAMES = Object.freeze(['a', 'b']);\nconst WORD = (): RegExp => /\\w+/i;\nexport function word(s: string) { return WORD().test(s); }",
		"export function f() { const r = /x/g; let n = 0; n++; const a: number[] = []; a.push(n); return r.test('x') ? a : []; }",
		"const TABLE = new Map([['a', 1]]);\nexport function get(k: string) { return TABLE.get(k); }",
		"export class Box { items: number[] = []; #n = 0; add(x: number) { this.items.push(x); this.#n++; } }",
		"export class Re { re = /x/g; }",
		"export function coder() { return (globalThis as unknown as { TextEncoder: new () => object }).TextEncoder; }",
		"const ROWS = Object.freeze({ a: Object.freeze({ x: 1 }), b: Object.freeze({ x: 2 }) });\nexport function row(k: 'a' | 'b') { return ROWS[k]; }",
		"const SPECS = Object.freeze([{ key: 'a' }, { key: 'b' }]);\nconst BY_KEY: Record<string, { key: string }> = {};\nfor (const spec of SPECS) BY_KEY[spec.key] = Object.freeze(spec);\nObject.freeze(BY_KEY);",
		"const IDS = new Map<string, number>();\nfor (const [i, n] of ['a', 'b'].entries()) IDS.set(n, i);\nconst CHARS: string[] = [];\nfor (let i = 0; i < 3; i++) CHARS.push(String(i));\nObject.freeze(CHARS);",
	];
	for (const source of good) assert.deepEqual(moduleStateProblems("x.ts", source), [], source);
});

test("every module on the manifest's preload list exists and keeps no state that changes after load", () => {
	const list = preloadList();
	assert.ok(list.length > 0, "the manifest preloads modules");
	const problems: string[] = [];
	for (const specifier of list) {
		const path = sourceOf(specifier);
		if (!path) {
			// An SDK module (no source here) is the SDK's concern; a project folder's module must exist.
			if (existsSync(join(root, specifier.split("/")[0]))) problems.push(`${specifier}: on the preload list, but there is no ${specifier}.ts or .js`);
			continue;
		}
		problems.push(...moduleStateProblems(path, readFileSync(join(root, path), "utf8")));
	}
	assert.deepEqual(problems, [], `preloaded modules must keep no module-level state:\n${problems.join("\n")}`);
});

/** The folders of the portable firmware, whose every module is preloaded (modules/ only its own files, not the providers). */
const PORTABLE = ["modules", "sip", "hardware", "rtp", "door", "config", "web", "app", "home"];

test("every portable module is on the preload list (a new one goes into manifest.json's preload)", () => {
	const listed = new Set(preloadList());
	const missing: string[] = [];
	for (const folder of PORTABLE) {
		if (!existsSync(join(root, folder))) continue;
		for (const name of readdirSync(join(root, folder)).sort()) {
			if (!name.endsWith(".ts") || name.endsWith(".d.ts")) continue;
			const specifier = `${folder}/${name.slice(0, -3)}`;
			if (!listed.has(specifier)) missing.push(specifier);
		}
	}
	assert.deepEqual(missing, [], `add these to the "preload" list of manifest.json (and keep them free of module-level state):\n${missing.join("\n")}`);
});

test("the closure check finds a function made per instance in a class field, and lets methods, bound methods and static functions pass", () => {
	for (const source of [
		"export class A { #tick = (): void => this.run(); run() {} }",
		"export class A { onData = function (this: A) { return 1; }; }",
		"export class A { handler = ((x: number) => x * 2) as (x: number) => number; }",
	]) assert.notDeepEqual(closureFieldProblems("x.ts", source), [], source);
	for (const source of [
		"export class A { #tick = this.run.bind(this); run() {} }",
		"export class A { static make = () => new A(); count = 0; list: number[] = []; }",
		"export function f() { const g = () => 1; return g(); }",
	]) assert.deepEqual(closureFieldProblems("x.ts", source), [], source);
});

test("no preloaded module makes a function per instance in a class field", () => {
	const problems: string[] = [];
	for (const specifier of preloadList()) {
		const path = sourceOf(specifier);
		if (path) problems.push(...closureFieldProblems(path, readFileSync(join(root, path), "utf8")));
	}
	assert.deepEqual(problems, [], `each costs a copy of its code in the device's XS heap per instance:\n${problems.join("\n")}`);
});
