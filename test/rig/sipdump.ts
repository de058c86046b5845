/*
 * kamailio's sipdump text files: every SIP message the proxy received ("rcv") or sent ("snd"),
 * with time, source and destination. The tests assert on what really went over the wire.
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseSipText, type SipText } from "./sip-text.js";

export interface DumpedMessage extends SipText {
	/** "rcv": the proxy received it; "snd": the proxy sent it. */
	direction: "rcv" | "snd";
	/** Seconds since 1970, with microseconds. */
	time: number;
	src: { address: string; port: number };
	dst: { address: string; port: number };
}

/** Reads every sipdump-*.data file in the folder, in time order. */
export function readSipDump(folder: string, prefix = "sipdump-"): DumpedMessage[] {
	const out: DumpedMessage[] = [];
	let names: string[];
	try {
		names = readdirSync(folder).filter((n) => n.startsWith(prefix) && n.endsWith(".data")).sort();
	} catch {
		return out;
	}
	for (const name of names) out.push(...parseSipDump(readFileSync(join(folder, name), "latin1")));
	return out.sort((a, b) => a.time - b.time);
}

/** Parses the text of one sipdump file. A record still being written is left out. */
export function parseSipDump(data: string): DumpedMessage[] {
	const out: DumpedMessage[] = [];
	for (const record of data.split("====================\n")) {
		const meta = record.indexOf("~~~~~~~~~~~~~~~~~~~~\n");
		const end = record.lastIndexOf("||||||||||||||||||||");
		if (meta < 0 || end < meta) continue;
		const fields: Record<string, string> = {};
		for (const line of record.slice(0, meta).split("\n")) {
			const colon = line.indexOf(":");
			if (colon > 0) fields[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
		}
		let text = record.slice(meta + 21, end);
		if (text.endsWith("\n") && !text.endsWith("\r\n")) text = text.slice(0, -1);
		out.push({
			...parseSipText(text),
			direction: fields.tag === "snd" ? "snd" : "rcv",
			time: Number(fields.time),
			src: { address: fields.srcip ?? "", port: Number(fields.srcport) },
			dst: { address: fields.dstip ?? "", port: Number(fields.dstport) },
		});
	}
	return out;
}
