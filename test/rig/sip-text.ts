/*
 * A small, independent reading of SIP messages as the rig sees them (in kamailio's sipdump, in
 * sipp's trace, on a test socket): start line, headers by name (compact forms too), body. Kept
 * apart from the firmware's parser on purpose: the tests check that parser's output.
 */

const COMPACT: Record<string, string> = { v: "via", f: "from", t: "to", i: "call-id", m: "contact", l: "content-length", c: "content-type", k: "supported", s: "subject", e: "content-encoding" };

export interface SipText {
	text: string;
	startLine: string;
	/** The method of a request, "" for a response. */
	method: string;
	/** The status of a response, 0 for a request. */
	status: number;
	/** Request-URI of a request. */
	uri: string;
	/** Header lines, names lower-cased and compact forms expanded, in order. */
	headers: Array<[string, string]>;
	body: string;
	/** The first value of a header (by full lower-case name). */
	header(name: string): string | undefined;
	/** Every value of a header, each header line split at top-level commas is not done. */
	all(name: string): string[];
	callId: string;
	cseq: { seq: number; method: string };
	/** A parameter of the top Via (e.g. "branch"). */
	viaParam(name: string): string | undefined;
	/** The tag parameter of From or To. */
	tag(header: "from" | "to"): string | undefined;
}

export function parseSipText(text: string): SipText {
	const split = text.indexOf("\r\n\r\n");
	const head = split < 0 ? text : text.slice(0, split);
	const body = split < 0 ? "" : text.slice(split + 4);
	const lines = head.split(/\r?\n/);
	const startLine = lines[0] ?? "";
	const headers: Array<[string, string]> = [];
	for (const line of lines.slice(1)) {
		if (/^[ \t]/.test(line) && headers.length) {
			headers[headers.length - 1][1] += ` ${line.trim()}`;
			continue;
		}
		const colon = line.indexOf(":");
		if (colon < 0) continue;
		let name = line.slice(0, colon).trim().toLowerCase();
		name = COMPACT[name] ?? name;
		headers.push([name, line.slice(colon + 1).trim()]);
	}
	const response = /^SIP\/2\.0\s+(\d{3})/.exec(startLine);
	const request = /^([A-Za-z!%*_+`'~.-]+)\s+(\S+)\s+SIP\/2\.0/.exec(startLine);
	const header = (name: string) => headers.find(([n]) => n === name)?.[1];
	const cseq = /^(\d+)\s+(\S+)/.exec(header("cseq") ?? "");
	return {
		text,
		startLine,
		method: response ? "" : request?.[1] ?? "",
		status: response ? Number(response[1]) : 0,
		uri: request?.[2] ?? "",
		headers,
		body,
		header,
		all: (name) => headers.filter(([n]) => n === name).map(([, v]) => v),
		callId: header("call-id") ?? "",
		cseq: { seq: cseq ? Number(cseq[1]) : 0, method: cseq?.[2] ?? "" },
		viaParam: (name) => {
			const via = header("via") ?? "";
			const m = new RegExp(`;\\s*${name}\\s*=\\s*([^;,\\s]+)`, "i").exec(via);
			return m?.[1];
		},
		tag: (name) => /;\s*tag\s*=\s*([^;>\s]+)/i.exec(header(name) ?? "")?.[1],
	};
}
