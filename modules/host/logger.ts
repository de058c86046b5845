import type { Logger } from "../ports.js";

/** Log lines with a time stamp on stderr (stdout stays for the simulator's own prompts). */
export function consoleLogger(prefix = ""): Logger {
	const line = (level: string, message: string) => {
		const time = new Date().toISOString().slice(11, 23);
		process.stderr.write(`${time} ${level}${prefix ? ` ${prefix}` : ""} ${message}\n`);
	};
	return {
		info: (m) => line("info ", m),
		warn: (m) => line("warn ", m),
		error: (m) => line("error", m),
	};
}

