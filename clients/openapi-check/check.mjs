// Proves that an OpenAPI document of DfChat is usable by a stranger's tools:
//   1. it is valid against the official OpenAPI 3.1 JSON schema (@seriousme/openapi-schema-validator);
//   2. openapi-typescript generates types from it, and usage.ts, a typed client (openapi-fetch) calling
//      every chat route, compiles with tsc --strict.
// Usage: node check.mjs <url or file of the document>   (npm run check -- http://localhost:5080/openapi/v1.json)
import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Validator } from "@seriousme/openapi-schema-validator";

const here = dirname(fileURLToPath(import.meta.url));
const source = process.argv[2];
if (!source) {
    console.error("usage: node check.mjs <url or file of the OpenAPI document>");
    process.exit(2);
}

/** GETs the document, waiting up to a minute for a host that is still starting. */
async function download(url) {
    for (let attempt = 1; ; attempt++) {
        try {
            const response = await fetch(url);
            if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
            return await response.text();
        } catch (error) {
            if (attempt >= 120 || error?.cause?.code !== "ECONNREFUSED") throw error;
            await new Promise((resolve) => setTimeout(resolve, 500));
        }
    }
}

const text = /^https?:\/\//.test(source) ? await download(source) : await readFile(source, "utf8");
const generated = join(here, "generated");
await mkdir(generated, { recursive: true });
const documentFile = join(generated, "openapi.json");
await writeFile(documentFile, text);

const validator = new Validator();
const result = await validator.validate(JSON.parse(text));
if (!result.valid) {
    console.error("The document does not match the OpenAPI schema:");
    console.error(JSON.stringify(result.errors, null, 2));
    process.exit(1);
}
if (!String(validator.version).startsWith("3.1")) {
    console.error(`Expected an OpenAPI 3.1 document, got ${validator.version}.`);
    process.exit(1);
}
console.log(`openapi-check: valid against the OpenAPI ${validator.version} schema`);

const bin = (name) => join(here, "node_modules", ".bin", name);
execFileSync(bin("openapi-typescript"), [documentFile, "--output", join(generated, "dfchat.d.ts")], { stdio: "inherit" });
execFileSync(bin("tsc"), ["--project", join(here, "tsconfig.json")], { stdio: "inherit" });
console.log("openapi-check: the generated client compiles");
