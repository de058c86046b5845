/*
 * Escaping for every output: HTML text and attribute values, and JSON that stays inert even
 * when a browser sniffs it as HTML or it ends up inside a page.
 */

const HTML: Record<string, string> = Object.freeze({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" });

/** Text for HTML content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
	return String(value ?? "").replace(/[&<>"']/g, (c) => HTML[c]);
}

const JSON_UNSAFE: Record<string, string> = Object.freeze({ "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029" });

/** JSON.stringify with < > & and the line separators escaped. */
export function safeJson(value: unknown, indent?: number): string {
	return JSON.stringify(value, null, indent).replace(/[<>&\u2028\u2029]/g, (c) => JSON_UNSAFE[c]);
}
