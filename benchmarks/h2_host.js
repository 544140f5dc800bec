// An HTTP/2-over-TLS image host for benchmarks, in Node.js (nghttp2 and OpenSSL in C).
//
//   node h2_host.js PORT CERT KEY ENGINE_URL LATENCY_SECONDS
//
// Serves what the demo engine at ENGINE_URL serves for the same path and query, after
// the same per-image latency. Each picture is asked of the engine once and then served
// from memory; the parameters the benchmark adds to make fresh URLs ("run", "bare")
// are left out of that cache's key, so every fresh URL costs this host the same.
// Prints "listening" once ready and "protocol X" for each HTTP version it speaks.
"use strict";
const fs = require("fs");
const http = require("http");
const http2 = require("http2");

const [port, certFile, keyFile, engineUrl, latency] = process.argv.slice(2);
const delayMs = Math.round(parseFloat(latency) * 1000);
const engine = new URL(engineUrl);
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const cache = new Map(); // key -> Promise<{status, body}>
const spoken = new Set();

function cacheKey(path) {
  const url = new URL(path, "http://host");
  url.searchParams.delete("run");
  url.searchParams.delete("bare");
  return url.pathname + "?" + url.searchParams.toString();
}

function fromEngine(path) {
  return new Promise((resolve) => {
    const failed = (why) => resolve({ status: 502, body: Buffer.from(why) });
    const request = http.get(
      { host: engine.hostname, port: engine.port, path, agent, timeout: 30000 },
      (response) => {
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("aborted", () => failed("the engine broke off"));
        response.on("error", () => failed("the engine broke off"));
        response.on("end", () =>
          resolve({ status: response.statusCode, body: Buffer.concat(chunks) }));
      });
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", () => failed("no answer from the engine"));
  });
}

function picture(path) {
  const key = cacheKey(path);
  let found = cache.get(key);
  if (found === undefined) {
    found = fromEngine(path).then((answer) => {
      if (answer.status !== 200) cache.delete(key); // not kept: asked again next time
      return answer;
    });
    cache.set(key, found);
  }
  return found;
}

const server = http2.createSecureServer(
  {
    cert: fs.readFileSync(certFile),
    key: fs.readFileSync(keyFile),
    allowHTTP1: true,
    settings: { maxConcurrentStreams: 100 },
  },
  (request, response) => {
    if (!spoken.has(request.httpVersion)) {
      spoken.add(request.httpVersion);
      console.log("protocol " + request.httpVersion);
    }
    setTimeout(() => {
      picture(request.url).then(({ status, body }) => {
        response.writeHead(status, {
          "content-type": status === 200 ? "image/png" : "text/plain",
          "content-length": body.length,
        });
        response.end(body);
      });
    }, delayMs);
  });
server.listen(parseInt(port, 10), "127.0.0.1", () => console.log("listening"));
process.stdin.on("end", () => process.exit(0)); // the benchmark went away: so do we
process.stdin.resume();
