// `npm run bench`: runs every bench/*.bench.js and prints one table each.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

interface Table {
	title: string;
	rows: Array<Record<string, string | number>>;
}

function print(table: Table): void {
	console.log(`\n## ${table.title}\n`);
	if (table.rows.length === 0) return;
	const columns = Object.keys(table.rows[0]);
	const widths = columns.map((c) => Math.max(c.length, ...table.rows.map((r) => String(r[c] ?? "").length)));
	const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
	console.log(line(columns));
	console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
	for (const row of table.rows) console.log(line(columns.map((c) => String(row[c] ?? ""))));
}

const dir = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
let failed = false;
for (const name of readdirSync(dir).filter((n) => n.endsWith(".bench.js")).sort()) {
	if (only.length && !only.some((o) => name.includes(o))) continue;
	try {
		const module = await import(pathToFileURL(join(dir, name)).href);
		const result: Table | Table[] = await module.default();
		for (const table of Array.isArray(result) ? result : [result]) print(table);
	} catch (error) {
		failed = true;
		console.error(`\n${name} failed: ${(error as Error)?.stack ?? error}`);
	}
}
process.exit(failed ? 1 : 0);
