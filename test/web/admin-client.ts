/*
 * A script's way into the doorbell's web endpoints (Node only): sign in with the admin password
 * (setting it first on a fresh doorbell), keep the session cookie, and send the CSRF token with
 * every POST. For tests and the demo:
 *
 *   const admin = await AdminClient.signIn("http://127.0.0.1:8080", "admin-password");
 *   const status = await admin.json("GET", "/sipDebug");
 *   await admin.json("POST", "/ring/sip");
 *
 * The simulator started with KLINGEL_ADMIN_PASSWORD in its environment has that password set.
 */

export class AdminClient {
	readonly base: string;
	readonly cookie: string;
	readonly csrf: string;

	private constructor(base: string, cookie: string, csrf: string) {
		this.base = base;
		this.cookie = cookie;
		this.csrf = csrf;
	}

	/** Signs in; on a doorbell without an admin password yet, sets `password` through the first-run form. */
	static async signIn(base: string, password: string): Promise<AdminClient> {
		const page = await fetch(`${base}/sip`);
		const html = await page.text();
		const setup = /name="token" value="([0-9a-f]+)"/.exec(html);
		const response = setup
			? await fetch(`${base}/setup`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token: setup[1], password }) })
			: await fetch(`${base}/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ password }) });
		const body = (await response.json()) as { ok: boolean; csrf?: string; error?: string };
		if (!response.ok || !body.csrf) throw new Error(`signing in to ${base} failed: ${response.status} ${body.error ?? JSON.stringify(body)}`);
		const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0];
		return new AdminClient(base, cookie, body.csrf);
	}

	/** A request with the session cookie (and the CSRF token on POST). */
	request(method: string, path: string, body?: unknown): Promise<Response> {
		const headers: Record<string, string> = { Cookie: this.cookie, Accept: "application/json" };
		if (method !== "GET") headers["X-CSRF-Token"] = this.csrf;
		if (body !== undefined) headers["Content-Type"] = "application/json";
		return fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	}

	/** A request whose JSON answer is returned with its status. */
	async json<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
		const response = await this.request(method, path, body);
		return { status: response.status, body: (await response.json()) as T };
	}
}
