import { createHash, createHmac } from "node:crypto";

/**
 * Just enough of the S3 API for tests to look into a bucket: ListObjectsV2 with AWS Signature V4
 * (path-style, as S3-compatible servers serve it). No SDK: the project has none, and the signing is
 * the part a real server checks — a wrong signature is a 403, which fails the test.
 */
export interface S3Endpoint {
  endpoint: string; // http://127.0.0.1:9000
  region: string;
  accessKey: string;
  secretKey: string;
}

export interface S3Object {
  key: string;
  size: number;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
// RFC 3986 unreserved characters stay, everything else is %XX (SigV4's canonical form)
const uriEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Headers for a SigV4-signed request without a body. */
export function signV4(s3: S3Endpoint, method: string, path: string, query: Record<string, string>, now = new Date()): { url: string; headers: Record<string, string> } {
  const url = new URL(s3.endpoint);
  const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256("");
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((k) => `${uriEncode(k)}=${uriEncode(query[k])}`)
    .join("&");
  const canonicalPath = path.split("/").map(uriEncode).join("/");
  const headers: Record<string, string> = { host: url.host, "x-amz-content-sha256": payloadHash, "x-amz-date": amzDate };
  const signed = Object.keys(headers).sort();
  const canonicalHeaders = signed.map((h) => `${h}:${headers[h]}\n`).join("");
  const canonicalRequest = [method, canonicalPath, canonicalQuery, canonicalHeaders, signed.join(";"), payloadHash].join("\n");
  const scope = `${day}/${s3.region}/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  let key: Buffer = hmac(`AWS4${s3.secretKey}`, day);
  for (const part of [s3.region, "s3", "aws4_request"]) key = hmac(key, part);
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${s3.accessKey}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${signature}`;
  return { url: `${url.origin}${canonicalPath}${canonicalQuery ? `?${canonicalQuery}` : ""}`, headers };
}

const xmlText = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#34;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");

/** Every object under `prefix` in `bucket` (all pages). Throws with the server's error text. */
export async function listObjects(s3: S3Endpoint, bucket: string, prefix: string): Promise<S3Object[]> {
  const out: S3Object[] = [];
  let token: string | undefined;
  for (;;) {
    const query: Record<string, string> = { "list-type": "2", prefix, "max-keys": "1000" };
    if (token) query["continuation-token"] = token;
    const { url, headers } = signV4(s3, "GET", `/${bucket}`, query);
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
    const body = await res.text();
    if (!res.ok) throw new Error(`S3 ListObjectsV2 ${bucket}/${prefix}: HTTP ${res.status}: ${body.slice(0, 500)}`);
    for (const m of body.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
      const key = /<Key>([\s\S]*?)<\/Key>/.exec(m[1])?.[1];
      const size = /<Size>(\d+)<\/Size>/.exec(m[1])?.[1];
      if (key === undefined || size === undefined) throw new Error(`S3 listing: an entry without Key or Size: ${m[1]}`);
      out.push({ key: xmlText(key), size: Number(size) });
    }
    if (!/<IsTruncated>true<\/IsTruncated>/.test(body)) return out;
    token = /<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(body)?.[1];
    if (!token) throw new Error("S3 listing: a truncated page without a continuation token");
    token = xmlText(token);
  }
}
