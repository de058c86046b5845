/*
 * Free ports on loopback, picked at random from a high range and checked by binding, so that two
 * test runs side by side do not collide. A port handed out once is never handed out again by
 * this process. The range ends below the kernel's ephemeral ports: between the check and the
 * bind of the process that gets the port (baresip, kamailio, the simulator), any socket bound to
 * port 0 or any outgoing connection could take an ephemeral one ("Address already in use").
 */

import dgram from "node:dgram";
import net from "node:net";
import { readFileSync } from "node:fs";

const given = new Set<number>();
const LOWEST = 20000;

/** The first port the kernel hands out on its own (32768 unless set otherwise). */
function ephemeralStart(): number {
	try {
		const first = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "latin1").trim().split(/\s+/)[0]);
		if (Number.isInteger(first) && first > LOWEST + 4096) return first;
	} catch {
		// Not Linux: the default range.
	}
	return 32768;
}
const HIGHEST = ephemeralStart();

function udpFree(port: number, address: string): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = dgram.createSocket({ type: "udp4", reuseAddr: false });
		socket.once("error", () => {
			socket.close();
			resolve(false);
		});
		socket.bind(port, address, () => socket.close(() => resolve(true)));
	});
}

function tcpFree(port: number, address: string): Promise<boolean> {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once("error", () => resolve(false));
		server.listen({ port, host: address, exclusive: true }, () => server.close(() => resolve(true)));
	});
}

/**
 * Whether some process has bound UDP `port` (on any address), read from /proc/net/udp: nothing
 * is bound for the check, so it never takes the port from the process that is binding it.
 */
export function udpBound(port: number): boolean {
	const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")} `;
	try {
		return readFileSync("/proc/net/udp", "latin1").split("\n").some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex.trim()));
	} catch {
		return false;
	}
}

/** Whether a port is free for UDP (and TCP with `tcp`) on the address. */
export async function portFree(port: number, options: { address?: string; tcp?: boolean } = {}): Promise<boolean> {
	const address = options.address ?? "127.0.0.1";
	if (!(await udpFree(port, address))) return false;
	// The simulator binds 0.0.0.0: a port taken there is taken for us too.
	if (!(await udpFree(port, "0.0.0.0"))) return false;
	return !options.tcp || (await tcpFree(port, address));
}

/**
 * A free port; with `span` also the ports above it up to port+span-1 (baresip takes its SIP port
 * on UDP and TCP and port+1 for TLS). With `tcp` they must be free for TCP too.
 */
export async function freePort(options: { address?: string; span?: number; tcp?: boolean } = {}): Promise<number> {
	const span = options.span ?? 1;
	for (let attempt = 0; attempt < 200; attempt++) {
		const base = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST - span));
		let ok = true;
		for (let p = base; p < base + span && ok; p++) ok = !given.has(p) && (await portFree(p, options));
		if (!ok) continue;
		for (let p = base; p < base + span; p++) given.add(p);
		return base;
	}
	throw new Error("no free port found on loopback");
}
