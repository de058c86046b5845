import { test, group, assert } from "../lib/spec.js";
import { RouteTable } from "../../modules/route-table.js";
import { ANY_PATH, type HttpHandler } from "../../modules/ports.js";

group("web route table", () => {
	const getPage: HttpHandler = () => ({ status: 200, body: "page" });
	const postPage: HttpHandler = () => ({ status: 303 });

	function table(): RouteTable {
		const routes = new RouteTable();
		routes.add("get", "/", getPage);
		routes.add("POST", "/", postPage);
		return routes;
	}

	test("finds the handler for the method and exact path", () => {
		const routes = table();
		assert.equal(routes.find("GET", "/")?.handler, getPage);
		assert.equal(routes.find("POST", "/")?.handler, postPage);
	});

	test("an unknown path has no match (404), not even a prefix of a known one", () => {
		const routes = table();
		assert.equal(routes.find("GET", "/x"), undefined);
		assert.equal(routes.find("GET", ""), undefined);
	});

	test("a known path with another method has no handler and lists the path's methods (405)", () => {
		const match = table().find("DELETE", "/");
		assert.ok(match);
		assert.equal(match.handler, undefined);
		assert.equal(match.allow, "GET, POST");
	});

	test("an ANY_PATH route answers its method (and HEAD for GET) on every path no route has; other methods there, and the known paths, are as before", () => {
		const routes = table();
		const any: HttpHandler = () => ({ status: 303 });
		routes.add("GET", ANY_PATH, any);
		assert.equal(routes.find("GET", "/x")?.handler, any);
		assert.equal(routes.find("HEAD", "/x/y.txt")?.handler, any);
		assert.equal(routes.find("POST", "/x"), undefined, "a 404");
		assert.equal(routes.find("GET", "/")?.handler, getPage);
		assert.equal(routes.find("DELETE", "/")?.allow, "GET, POST");
	});

	test("HEAD falls back to GET, and only when the path has no HEAD handler of its own", () => {
		const routes = table();
		assert.equal(routes.find("HEAD", "/")?.handler, getPage);
		const head: HttpHandler = () => ({ status: 204 });
		routes.add("HEAD", "/", head);
		assert.equal(routes.find("HEAD", "/")?.handler, head);
		const postOnly = new RouteTable();
		postOnly.add("POST", "/ring", postPage);
		assert.equal(postOnly.find("HEAD", "/ring")?.handler, undefined);
		assert.equal(postOnly.find("HEAD", "/ring")?.allow, "POST");
	});
});
