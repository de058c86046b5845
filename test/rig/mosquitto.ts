/*
 * Debian's mosquitto as the home's MQTT broker: a listener on 127.0.0.1 only, on a free port,
 * from a config file written into the run's directory (anonymous clients, or users from a
 * password file made with mosquitto_passwd). A subscriber (MQTT.js) keeps every message it sees.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { userInfo } from "node:os";
import { spawnSync } from "node:child_process";
import { connect, type MqttClient } from "mqtt";
import { RigProcess } from "./process.js";
import { freePort } from "./ports.js";

export const MOSQUITTO = "/usr/sbin/mosquitto";

export interface MosquittoOptions {
	dir: string;
	port?: number;
	/** Users and passwords; anonymous clients are refused when given. */
	users?: Record<string, string>;
}

export interface SeenMessage {
	topic: string;
	payload: string;
	retain: boolean;
	/** Date.now() when the subscriber got it. */
	at: number;
}

export class Mosquitto {
	readonly port: number;
	readonly process: RigProcess;

	private constructor(port: number, process: RigProcess) {
		this.port = port;
		this.process = process;
	}

	static async start(options: MosquittoOptions): Promise<Mosquitto> {
		const port = options.port ?? (await freePort({ tcp: true }));
		const lines = [`listener ${port} 127.0.0.1`, "persistence false", "log_dest stderr", "log_type error", "log_type warning", "log_type notice", "log_type information", "connection_messages true",
			// Started as root, mosquitto would switch to its own user, which cannot read the run's directory.
			`user ${userInfo().username}`];
		if (options.users) {
			const file = join(options.dir, "passwords");
			writeFileSync(file, "");
			for (const [user, password] of Object.entries(options.users)) {
				const r = spawnSync("/usr/bin/mosquitto_passwd", ["-b", file, user, password], { encoding: "utf8" });
				if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
			}
			lines.push("allow_anonymous false", `password_file ${file}`);
		} else {
			lines.push("allow_anonymous true");
		}
		const config = join(options.dir, "mosquitto.conf");
		writeFileSync(config, `${lines.join("\n")}\n`);
		const child = new RigProcess({ name: "mosquitto", command: MOSQUITTO, args: ["-c", config], cwd: options.dir, logFile: join(options.dir, "mosquitto.log") });
		const broker = new Mosquitto(port, child);
		try {
			// "running" comes after every listener is bound; "Opening … listen socket" comes before the bind,
			// which a restart on the same port can lose the race for.
			await child.waitFor(/mosquitto version \S+ running/, { timeoutMs: 10000, what: "mosquitto listening" });
		} catch (error) {
			await child.stop();
			throw error;
		}
		return broker;
	}

	/** A client that subscribes to `topics` and keeps every message. */
	async subscriber(topics: string[], auth: { username?: string; password?: string } = {}): Promise<Subscriber> {
		const client = connect({ host: "127.0.0.1", port: this.port, protocolVersion: 4, reconnectPeriod: 0, clientId: `rig-${Math.random().toString(16).slice(2, 10)}`, ...auth });
		await new Promise<void>((resolve, reject) => {
			client.once("connect", () => resolve());
			client.once("error", reject);
		});
		const subscriber = new Subscriber(client);
		await new Promise<void>((resolve, reject) => client.subscribe(topics, { qos: 0 }, (error) => (error ? reject(error) : resolve())));
		return subscriber;
	}

	async stop(): Promise<void> {
		await this.process.stop();
	}
}

export class Subscriber {
	readonly client: MqttClient;
	readonly messages: SeenMessage[] = [];
	#waiters = new Set<() => void>();

	constructor(client: MqttClient) {
		this.client = client;
		client.on("message", (topic, payload, packet) => {
			this.messages.push({ topic, payload: payload.toString("utf8"), retain: packet.retain, at: Date.now() });
			for (const wake of this.#waiters) wake();
		});
	}

	/** Index for `from` in waitFor: only messages after this one count. */
	mark(): number {
		return this.messages.length;
	}

	/** The first message from index `from` on that matches; throws after `timeoutMs`. */
	async waitFor(match: (m: SeenMessage) => boolean, options: { from?: number; timeoutMs?: number; what?: string } = {}): Promise<SeenMessage> {
		const deadline = Date.now() + (options.timeoutMs ?? 10000);
		for (;;) {
			const found = this.messages.slice(options.from ?? 0).find(match);
			if (found) return found;
			const left = deadline - Date.now();
			if (left <= 0) throw new Error(`MQTT: never saw ${options.what ?? "the expected message"} within ${options.timeoutMs ?? 10000} ms; saw ${JSON.stringify(this.messages.slice(-12).map((m) => `${m.topic} ${m.payload.slice(0, 80)}`))}`);
			await new Promise<void>((resolve) => {
				const wake = () => {
					this.#waiters.delete(wake);
					clearTimeout(timer);
					resolve();
				};
				const timer = setTimeout(wake, left);
				this.#waiters.add(wake);
			});
		}
	}

	async close(): Promise<void> {
		await new Promise<void>((resolve) => this.client.end(true, {}, () => resolve()));
	}
}
